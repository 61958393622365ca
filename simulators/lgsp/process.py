"""Start, stop and drive the LGSP + national-portal simulator as a separate process (tests,
``scripts/demo``, ``bench/``).

``python -m simulators.lgsp start|stop|status [--dir DIR]`` runs it in the background (default
DIR ``var/lgsp``); ``start`` prints the ``CONGSO_LGSP_*`` variables that point congso at it.
The configuration, the chosen port, the log and the process id live in DIR.
"""

from __future__ import annotations

import contextlib
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
class LgspSimulator:
    run_dir: Path
    username: str = "congso"
    password: str = "sim-lgsp-password"  # noqa: S105 - a local simulator's
    unit_code: str = "000.00.00.H51"
    timeout_seconds: float = 3.0
    port: int = 0
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        return {
            "CONGSO_LGSP_URL": self.url,
            "CONGSO_LGSP_USERNAME": self.username,
            "CONGSO_LGSP_PASSWORD": self.password,
            "CONGSO_LGSP_UNIT_CODE": self.unit_code,
        }

    def start(self, *, seconds: float = 15.0) -> LgspSimulator:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.run_dir / "port"
        port_file.unlink(missing_ok=True)
        config = {
            "username": self.username,
            "password": self.password,
            "unit_code": self.unit_code,
            "timeout_seconds": self.timeout_seconds,
            "port": self.port,
            "port_file": str(port_file),
        }
        config_path = self.run_dir / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log = open(self.run_dir / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "simulators.lgsp", "serve", "--config", str(config_path)],
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
                raise RuntimeError(f"the LGSP simulator did not start (see {self.run_dir})")
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
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    def faults(self, *names: str) -> None:
        self._call("/_sim/faults", {"faults": list(names)})

    def configure(self, **changes: Any) -> None:
        self._call("/_sim/config", changes)

    def tamper(self, code: str, *, delete: bool = False, **changes: Any) -> None:
        self._call("/_sim/tamper", {"MaHoSo": code, "delete": delete, "set": changes})

    def reset(self) -> None:
        self._call("/_sim/reset", {})

    def state(self) -> dict[str, Any]:
        return dict(self._call("/_sim/state"))

    def dossiers(self) -> dict[str, dict[str, Any]]:
        return dict(self.state()["dossiers"])

    # --- State file (the CLI's start/stop/status) -------------------------------------------

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> LgspSimulator:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
