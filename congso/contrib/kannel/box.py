"""Start and stop a local Kannel (bearerbox + smsbox + Kannel's fakesmsc) with the repository's
configuration (``kannel/kannel.conf.in``). Used by the tests, the benchmark and ``scripts/kannel``.

``python -m congso.contrib.kannel.box start|stop|status [--dir DIR]`` runs it by hand; the
rendered configuration, logs and process ids live in ``DIR`` (default ``var/kannel``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "kannel" / "kannel.conf.in"
BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports: the sockets stay bound until all are chosen, so the
    kernel cannot hand the same port out twice (it did, and bearerbox failed to start)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _wait_port(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"Kannel did not open port {port} within {seconds:.0f} s")


@dataclass
class Kannel:
    """One local Kannel: ports, credentials and the processes once started."""

    run_dir: Path
    admin_port: int = 0
    smsbox_port: int = 0
    sendsms_port: int = 0
    fake_port: int = 0
    username: str = "congso"
    password: str = "congso-kannel"  # noqa: S105 - local test gateway
    admin_password: str = "congso-admin"  # noqa: S105 - local test gateway
    pids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not all((self.admin_port, self.smsbox_port, self.sendsms_port, self.fake_port)):
            self.admin_port, self.smsbox_port, self.sendsms_port, self.fake_port = free_ports(4)

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    @property
    def conf_path(self) -> Path:
        return self.run_dir / "kannel.conf"

    def render(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        text = TEMPLATE.read_text(encoding="utf-8")
        for name, value in {
            "ADMIN_PORT": self.admin_port,
            "SMSBOX_PORT": self.smsbox_port,
            "SENDSMS_PORT": self.sendsms_port,
            "FAKE_PORT": self.fake_port,
            "RUN_DIR": self.run_dir,
            "USERNAME": self.username,
            "PASSWORD": self.password,
            "ADMIN_PASSWORD": self.admin_password,
        }.items():
            text = text.replace(f"@{name}@", str(value))
        self.conf_path.write_text(text, encoding="utf-8")
        return self.conf_path

    def _spawn(self, name: str, args: list[str]) -> None:
        log = open(self.run_dir / f"{name}.out", "ab")  # noqa: SIM115 - owned by the child
        if name == "fakesmsc":
            # fakesmsc stops at the end of its standard input. A pipe whose write end only the
            # child holds never ends: it keeps running after `scripts/kannel start` (the
            # demo) has exited, not only while a test process holds the pipe open.
            read_end, write_end = os.pipe()
            proc = subprocess.Popen(  # noqa: S603 - fixed Kannel binaries
                args,
                stdin=read_end,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=(write_end,),
            )
            os.close(read_end)
            os.close(write_end)
        else:
            proc = subprocess.Popen(  # noqa: S603 - fixed Kannel binaries
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pids[name] = proc.pid

    def start(self) -> Kannel:
        self.render()
        self._spawn("bearerbox", [BEARERBOX, "-v", "4", str(self.conf_path)])
        _wait_port(self.fake_port)
        _wait_port(self.smsbox_port)
        # Line-buffered, so the received messages can be read while it runs.
        self._spawn(
            "fakesmsc",
            ["stdbuf", "-oL", "-eL", FAKESMSC, "-H", "127.0.0.1", "-r", str(self.fake_port)],
        )
        self._spawn("smsbox", [SMSBOX, "-v", "4", str(self.conf_path)])
        _wait_port(self.sendsms_port)
        self.save()
        return self

    def stop(self) -> None:
        """Stop the boxes (SIGTERM: bearerbox keeps unsent messages in its store file)."""
        for name in ("smsbox", "fakesmsc", "bearerbox"):
            pid = self.pids.pop(name, None)
            if pid is None:
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid if not _alive(pid) else 0
                if done:
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
        self.save()

    def delivered_texts(self) -> list[str]:
        """Lines fakesmsc printed for each message it received from bearerbox."""
        path = self.run_dir / "fakesmsc.out"
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return [line for line in lines if "Got message" in line]

    def save(self) -> None:
        state = asdict(self)
        state["run_dir"] = str(self.run_dir)
        (self.run_dir / "state.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: Path) -> Kannel:
        state = json.loads((run_dir / "state.json").read_text(encoding="utf-8"))
        state["run_dir"] = Path(state["run_dir"])
        return cls(**state)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "kannel")
    args = parser.parse_args(argv)
    run_dir: Path = args.dir.resolve()
    if args.action == "start":
        kannel = Kannel(run_dir=run_dir).start()
        print(f"CONGSO_NOTIFY_KANNEL_URL={kannel.sendsms_url}")
        print(f"CONGSO_NOTIFY_KANNEL_USER={kannel.username}")
        print(f"CONGSO_NOTIFY_KANNEL_PASSWORD={kannel.password}")
        return 0
    if not (run_dir / "state.json").exists():
        print("Kannel is not running (no state file)", file=sys.stderr)
        return 1
    kannel = Kannel.load(run_dir)
    if args.action == "stop":
        kannel.stop()
        return 0
    alive = {name: _alive(pid) for name, pid in kannel.pids.items()}
    print(json.dumps({"sendsms_url": kannel.sendsms_url, "alive": alive}))
    return 0 if alive and all(alive.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
