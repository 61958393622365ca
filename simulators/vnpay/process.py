"""Start, stop and drive the VNPay (and bank) simulator as a separate process (tests, demo).

``python -m simulators.vnpay start|stop|status [--dir DIR] [--ipn URL] [--bank-webhook URL]``
runs it in the background (default DIR ``var/vnpay``); ``start`` prints the ``CONGSO_VNPAY_*``
and ``CONGSO_VIETQR_*`` variables that point congso at it. The configuration, the chosen port,
the log, the process id and the daily statement files live in DIR.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class VNPaySimulator:
    run_dir: Path
    ipn_url: str = ""
    bank_webhook: str = ""
    tmn_code: str = "CONGSO01"
    hash_secret: str = "sim-vnpay-hash-secret"  # noqa: S105 - a local simulator's
    bank_bin: str = "970415"  # VietinBank's NAPAS BIN
    bank_account: str = "113000001234"
    bank_account_name: str = "KHO BAC NHA NUOC TINH"
    bank_secret: str = "sim-bank-webhook-secret"  # noqa: S105
    port: int = 0
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        return {
            "CONGSO_VNPAY_PAY_URL": f"{self.url}/paymentv2/vpcpay.html",
            "CONGSO_VNPAY_TMN_CODE": self.tmn_code,
            "CONGSO_VNPAY_HASH_SECRET": self.hash_secret,
            "CONGSO_VIETQR_BANK_BIN": self.bank_bin,
            "CONGSO_VIETQR_ACCOUNT": self.bank_account,
            "CONGSO_VIETQR_ACCOUNT_NAME": self.bank_account_name,
            "CONGSO_VIETQR_WEBHOOK_SECRET": self.bank_secret,
        }

    def start(self, *, seconds: float = 15.0) -> VNPaySimulator:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.run_dir / "port"
        port_file.unlink(missing_ok=True)
        config = {
            "tmn_code": self.tmn_code,
            "hash_secret": self.hash_secret,
            "ipn_url": self.ipn_url,
            "bank_account": self.bank_account,
            "bank_secret": self.bank_secret,
            "bank_webhook": self.bank_webhook,
            "port": self.port,
            "port_file": str(port_file),
        }
        config_path = self.run_dir / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log = open(self.run_dir / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "simulators.vnpay", "serve", "--config", str(config_path)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = proc.pid
        deadline = time.monotonic() + seconds
        while not port_file.exists() or not port_file.read_text(encoding="utf-8").strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the VNPay simulator did not start (see {self.run_dir})")
            time.sleep(0.05)
        self.port = int(port_file.read_text(encoding="utf-8"))
        self.save()
        return self

    def stop(self) -> None:
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        else:
            deadline = time.monotonic() + 10
            while _alive(self.pid) and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, os.WNOHANG)
                time.sleep(0.05)
            if _alive(self.pid):
                os.kill(self.pid, signal.SIGKILL)
        self.pid = 0
        self.save()

    # --- Control ----------------------------------------------------------------------------

    def _call(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.url + path,
            data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if data is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def faults(self, *names: str) -> None:
        self._call("/_sim/faults", {"faults": list(names)})

    def configure(self, **changes: Any) -> None:
        self._call("/_sim/config", changes)

    def reset(self) -> None:
        self._call("/_sim/reset", {})

    def state(self) -> dict[str, Any]:
        return dict(self._call("/_sim/state"))

    def pay(self, url: str, action: str = "pay") -> dict[str, Any]:
        """The citizen presses a button of the pay page opened at ``url``."""
        return dict(self._call("/_sim/pay", {"url": url, "action": action}))

    def transfer(self, *, amount: int, description: str) -> dict[str, Any]:
        """A citizen's bank transfer to the collecting account (a scanned VietQR code)."""
        return dict(
            self._call("/_sim/bank/transfer", {"amount": amount, "description": description})
        )

    def statement(self, day: datetime.date, *, bank: bool = False) -> bytes:
        path = "/_sim/bank/statement" if bank else "/_sim/statement"
        with urllib.request.urlopen(  # noqa: S310 - loopback
            f"{self.url}{path}?day={day.isoformat()}", timeout=10
        ) as response:
            return bytes(response.read())

    def quiesce(self, seconds: float = 15.0) -> bool:
        """Wait until every scheduled callback has been answered (True), for at most ``seconds``."""
        deadline = time.monotonic() + seconds
        while self.state()["pending"]:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    # --- State file (the CLI's start/stop/status) -------------------------------------------

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> VNPaySimulator:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
