"""Start, stop and drive the population-database simulator as a separate process (tests,
``scripts/demo``).

``python -m simulators.population start|stop|status [--dir DIR]`` runs it in the background
(default DIR ``var/population``); ``start`` prints the ``CONGSO_POPULATION_*`` variables that
point congso at it. The configuration, the chosen port, the log and the process id live in DIR.
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
class PopulationSimulator:
    run_dir: Path
    token: str = "sim-lgsp-token"  # noqa: S105 - a local simulator's
    integration_code: str = "congso-demo"
    households: int = 900
    timeout_seconds: float = 3.0
    port: int = 0
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        return {
            "CONGSO_POPULATION_URL": f"{self.url}/lgsp/csdldancu/congdan",
            "CONGSO_POPULATION_TOKEN": self.token,
            "CONGSO_POPULATION_INTEGRATION_CODE": self.integration_code,
        }

    def start(self, *, seconds: float = 30.0) -> PopulationSimulator:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.run_dir / "port"
        port_file.unlink(missing_ok=True)
        config = {
            "token": self.token,
            "households": self.households,
            "timeout_seconds": self.timeout_seconds,
            "port": self.port,
            "port_file": str(port_file),
        }
        config_path = self.run_dir / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log = open(self.run_dir / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "simulators.population", "serve", "--config", str(config_path)],
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
                raise RuntimeError(f"the population simulator did not start (see {self.run_dir})")
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
        """Queue faults for the next look-ups: ``timeout``, ``5xx``, ``not_found``,
        ``name_mismatch``."""
        self._call("/_sim/faults", {"faults": list(names)})

    def reset(self) -> None:
        self._call("/_sim/reset", {})

    def state(self) -> dict[str, Any]:
        return dict(self._call("/_sim/state"))

    def resident(self, personal_id: str) -> dict[str, Any]:
        return dict(self._call(f"/_sim/resident/{personal_id}"))

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> PopulationSimulator:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
