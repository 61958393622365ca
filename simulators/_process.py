"""What every simulator shares: it runs as its own process, started in the background by the
tests and ``scripts/demo``, on a port the OS chooses, and is driven over its ``/_sim/*`` control
endpoints.

A simulator package has ``server.py`` (``serve(config_path)`` writes the bound port to the
config's ``port_file``), ``process.py`` (a :class:`SimulatorProcess` subclass: its settings as
dataclass fields, ``env()`` for congso, and its own control calls) and ``__main__.py``
(``cli(...)``: ``serve --config FILE`` in the foreground, ``start|stop|status [--dir DIR]`` in the
background). The configuration, the chosen port, the log, the process id and the state file live
in the run directory, so ``stop`` and ``status`` work from another shell.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class SimulatorProcess(ABC):
    """A simulator's process: its settings are the dataclass fields (all passed to the child as
    its ``config.json``, except ``run_dir`` and ``pid``)."""

    run_dir: Path
    port: int = 0
    pid: int = 0

    #: The package under ``simulators/`` (``python -m simulators.<name>``).
    name: ClassVar[str] = ""
    #: How error messages name it ("the Zalo simulator").
    title: ClassVar[str] = ""
    #: Seconds ``start`` waits for the port by default (data generation can take a while).
    start_seconds: ClassVar[float] = 15.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @abstractmethod
    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator (each simulator says its own)."""

    def config(self) -> dict[str, Any]:
        """What the child reads from its ``config.json``."""
        config = asdict(self)
        config.pop("run_dir")
        config.pop("pid")
        return config

    def start(self, *, seconds: float | None = None) -> Self:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.run_dir / "port"
        port_file.unlink(missing_ok=True)
        config_path = self.run_dir / "config.json"
        config_path.write_text(
            json.dumps({**self.config(), "port_file": str(port_file)}), encoding="utf-8"
        )
        log = open(self.run_dir / "simulator.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [
                sys.executable,
                "-m",
                f"simulators.{self.name}",
                "serve",
                "--config",
                str(config_path),
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.pid = proc.pid
        deadline = time.monotonic() + (self.start_seconds if seconds is None else seconds)
        while not port_file.exists() or not port_file.read_text(encoding="utf-8").strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.title} did not start (see {self.run_dir})")
            time.sleep(0.05)
        self.port = int(port_file.read_text(encoding="utf-8"))
        self.save()
        return self

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after ten seconds."""
        if not self.pid:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        else:
            deadline = time.monotonic() + 10
            while alive(self.pid) and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, os.WNOHANG)
                time.sleep(0.05)
            if alive(self.pid):
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
        """Queue faults for the next requests (each simulator's docstring names its own)."""
        self._call("/_sim/faults", {"faults": list(names)})

    def configure(self, **changes: Any) -> None:
        self._call("/_sim/config", changes)

    def reset(self) -> None:
        self._call("/_sim/reset", {})

    def state(self) -> dict[str, Any]:
        return dict(self._call("/_sim/state"))

    def quiesce(self, seconds: float = 15.0) -> bool:
        """Wait until every scheduled callback has been answered (True), for at most ``seconds``
        (for simulators that call congso back: ``state()["pending"]``)."""
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
    def load(cls, run_dir: Path) -> Self:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


#: A start option: its flag, the simulator field it sets, and ``argparse`` keywords.
Option = tuple[str, str, dict[str, Any]]


def cli(
    simulator: type[SimulatorProcess],
    serve: Callable[[Path], object],
    argv: Sequence[str] | None = None,
    *,
    doc: str | None = None,
    options: Sequence[Option] = (),
) -> int:
    """``python -m simulators.<name> serve --config FILE`` (foreground) or ``start|stop|status
    [--dir DIR]`` and the simulator's own start ``options`` (background)."""
    parser = argparse.ArgumentParser(prog=f"python -m simulators.{simulator.name}", description=doc)
    parser.add_argument("action", choices=["serve", "start", "stop", "status"])
    parser.add_argument("--config", type=Path, help="serve: the configuration file")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / simulator.name)
    for flag, dest, kwargs in options:
        parser.add_argument(flag, dest=dest, **kwargs)
    args = parser.parse_args(argv)
    if args.action == "serve":
        if args.config is None:
            parser.error("serve needs --config")
        serve(args.config)
        return 0
    run_dir: Path = args.dir.resolve()
    if args.action == "start":
        settings = {dest: getattr(args, dest) for _, dest, _ in options}
        process = simulator(run_dir=run_dir, **settings).start()
        for name, value in process.env().items():
            print(f"{name}={value}")
        return 0
    if not (run_dir / "state.json").exists():
        print(f"{simulator.title} is not running (no state file)", file=sys.stderr)
        return 1
    process = simulator.load(run_dir)
    if args.action == "stop":
        process.stop()
        return 0
    running = bool(process.pid) and alive(process.pid)
    print(json.dumps({"url": process.url, "alive": running}))
    return 0 if running else 1
