"""Start, stop and drive the document axis simulator as a separate process.

``python -m simulators.docaxis start|stop|status [--dir DIR]`` runs it in the background
(default DIR ``var/docaxis``); ``start`` prints the ``CONGSO_DOCAXIS_*`` variables of the first
system. The configuration, the chosen port, the log and the process id live in DIR.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _demo_systems() -> list[dict[str, Any]]:
    """The demo province's e-office (its People's Committee, departments and communes) and a
    second instance standing for another province."""
    return [
        {
            "system_id": "congso-h51",
            "secret": "sim-secret-h51",
            "organs": ["000.00.00.H51"]
            + [f"000.00.{n:02d}.H51" for n in range(1, 9)]
            + [f"000.00.{n:02d}.H51" for n in range(51, 61)],
        },
        {
            "system_id": "congso-h52",
            "secret": "sim-secret-h52",
            "organs": ["000.00.00.H52", "000.00.01.H52"],
            "names": {
                "000.00.00.H52": "Ủy ban nhân dân tỉnh Hai",
                "000.00.01.H52": "Sở Nội vụ tỉnh Hai",
            },
        },
    ]


@dataclass
class DocAxisSimulator:
    run_dir: Path
    systems: list[dict[str, Any]] = field(default_factory=_demo_systems)
    port: int = 0
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, system_id: str = "") -> dict[str, str]:
        """The settings that point congso (as ``system_id``, default the first) at it."""
        system = next((s for s in self.systems if s["system_id"] == system_id), self.systems[0])
        return {
            "CONGSO_DOCAXIS_URL": self.url,
            "CONGSO_DOCAXIS_SYSTEM_ID": system["system_id"],
            "CONGSO_DOCAXIS_SECRET": system["secret"],
        }

    def start(self, *, seconds: float = 15.0) -> DocAxisSimulator:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.run_dir / "port"
        port_file.unlink(missing_ok=True)
        config = {"systems": self.systems, "port": self.port, "port_file": str(port_file)}
        config_path = self.run_dir / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log = open(self.run_dir / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "simulators.docaxis", "serve", "--config", str(config_path)],
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
                raise RuntimeError(f"the axis simulator did not start (see {self.run_dir})")
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
        """Queue faults for the next sends: ``timeout``, ``5xx``, ``duplicate``."""
        self._call("/_sim/faults", {"faults": list(names)})

    def configure(self, **changes: Any) -> None:
        self._call("/_sim/config", changes)

    def inject(self, *, to: str, data: bytes, message_type: str = "edoc") -> str:
        """Put a package in the inbox of ``to``'s system as if another system had sent it."""
        answer = self._call(
            "/_sim/inject",
            {"to": to, "messagetype": message_type, "data": base64.b64encode(data).decode()},
        )
        return str(answer["docId"])

    def reset(self) -> None:
        self._call("/_sim/reset", {})

    def state(self) -> dict[str, Any]:
        return dict(self._call("/_sim/state"))

    def package(self, doc_id: str) -> bytes:
        answer = self._call(f"/_sim/package/{doc_id}")
        return base64.b64decode(answer["data"])

    # --- State file (the CLI's start/stop/status) -------------------------------------------

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> DocAxisSimulator:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
