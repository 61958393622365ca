"""Start, stop and drive the national payment platform simulator as its own process.

``python -m simulators.paygov start|stop|status [--dir DIR]`` (default DIR ``var/paygov``);
``start`` prints the ``CONGSO_PAYGOV_*`` variables that point congso at it."""

from __future__ import annotations

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
class PayGovSimulator:
    run_dir: Path
    partner_code: str = "CONGSO-QNG"
    secret: str = "sim-paygov-secret"  # noqa: S105 - a local simulator's
    port: int = 0
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "CONGSO_PAYGOV_URL": self.url,
            "CONGSO_PAYGOV_PARTNER_CODE": self.partner_code,
            "CONGSO_PAYGOV_SECRET": self.secret,
        }

    def start(self, *, seconds: float = 15.0) -> PayGovSimulator:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.run_dir / "port"
        port_file.unlink(missing_ok=True)
        config = {
            "partner_code": self.partner_code,
            "secret": self.secret,
            "port": self.port,
            "port_file": str(port_file),
        }
        config_path = self.run_dir / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log = open(self.run_dir / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "simulators.paygov", "serve", "--config", str(config_path)],
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
                raise RuntimeError(f"the PayGov simulator did not start (see {self.run_dir})")
            time.sleep(0.05)
        self.port = int(port_file.read_text(encoding="utf-8"))
        self.save()
        return self

    def stop(self) -> None:
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(200):
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    break
                time.sleep(0.05)
        except (ProcessLookupError, ChildProcessError):
            pass
        self.pid = 0
        self.save()

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

    def reset(self) -> None:
        self._call("/_sim/reset", {})

    def state(self) -> dict[str, Any]:
        return dict(self._call("/_sim/state"))

    def pay(self, payment_url: str, action: str = "pay") -> dict[str, Any]:
        return dict(self._call("/_sim/pay", {"payment_url": payment_url, "action": action}))

    def quiesce(self, seconds: float = 15.0) -> bool:
        deadline = time.monotonic() + seconds
        while self.state()["pending"]:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> PayGovSimulator:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)
