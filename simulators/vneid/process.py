"""Start, stop and drive the VNeID simulator as a separate process (tests, ``scripts/demo``).

``python -m simulators.vneid start|stop|status [--dir DIR] [--profile vneid|dvcqg]
[--redirect-uri URL]… [--logout-uri URL]…`` runs it in the background (default DIR
``var/vneid``); ``start`` prints the ``CONGSO_VNEID_*`` (or ``CONGSO_DVCQG_SSO_*``) variables
that point congso at it. The configuration, the chosen port, the log and the process id live in
DIR.
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class VneidSimulator:
    run_dir: Path
    profile: str = "vneid"  # or "dvcqg" (the national portal's SSO)
    client_id: str = "congso-demo-client"
    client_secret: str = "sim-client-secret"  # noqa: S105 - a local simulator's
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    timeout_seconds: float = 3.0
    port: int = 0
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/oauth2/token"

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        prefix = "CONGSO_VNEID" if self.profile == "vneid" else "CONGSO_DVCQG_SSO"
        return {
            f"{prefix}_ISSUER": self.issuer,
            f"{prefix}_CLIENT_ID": self.client_id,
            f"{prefix}_CLIENT_SECRET": self.client_secret,
        }

    def start(self, *, seconds: float = 15.0) -> VneidSimulator:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.run_dir / "port"
        port_file.unlink(missing_ok=True)
        config = {
            "profile": self.profile,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
            "timeout_seconds": self.timeout_seconds,
            "port": self.port,
            "port_file": str(port_file),
        }
        config_path = self.run_dir / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        log = open(self.run_dir / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "simulators.vneid", "serve", "--config", str(config_path)],
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
                raise RuntimeError(f"the VNeID simulator did not start (see {self.run_dir})")
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
        """Queue faults: ``5xx``, ``timeout`` (``:discovery``, ``:jwks``, ``:token``,
        ``:userinfo``; default the token endpoint), ``wrong_audience``, ``expired_token``,
        ``clock_ahead``,
        ``bad_signature``, ``unknown_key``."""
        self._call("/_sim/faults", {"faults": list(names)})

    def configure(self, **changes: Any) -> None:
        self._call("/_sim/config", changes)

    def rotate(self, *, drop_old: bool = False) -> list[str]:
        return list(self._call("/_sim/rotate", {"drop_old": drop_old})["kids"])

    def logout_token(self, *, sub: str = "", sid: str = "", fault: str = "") -> str:
        """A signed back-channel logout token for ``sub`` / ``sid`` (see the server)."""
        answer = self._call("/_sim/logout_token", {"sub": sub, "sid": sid, "fault": fault})
        return str(answer["logout_token"])

    def reset(self) -> None:
        self._call("/_sim/reset", {})

    def state(self) -> dict[str, Any]:
        return dict(self._call("/_sim/state"))

    # --- State file (the CLI's start/stop/status) -------------------------------------------

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> VneidSimulator:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
