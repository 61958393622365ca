"""Another congso instance for a test: its own data folder (SQLite file or a database of its own,
media, keys), its own web server (gunicorn) and worker, in processes of their own, on loopback.

The test's own process is the first instance (pytest-django's database); a ``CongsoInstance``
stands for a second one — another province, a ministry, or a second node of the same province
when given the same ``DATABASE_URL``. It is driven from outside, as a partner system would:
over HTTP (``url``) and through its management commands (``manage``, ``shell``).

    with CongsoInstance(tmp_path / "h52", env={...}) as other:
        other.shell("from congso... import ...; print(...)")
        urllib.request.urlopen(other.url + "/healthz")
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from congso.contrib.kannel.box import free_port

ROOT = Path(__file__).resolve().parents[1]

#: What a test's environment carries that must not leak into another instance.
_NOT_INHERITED = ("DATABASE_URL", "CONGSO_DATA_DIR", "DJANGO_SETTINGS_MODULE", "CONGSO_BROKER_URL")


class CongsoInstance:
    """A congso instance in its own processes. ``env`` overrides the settings (``CONGSO_*``,
    ``DATABASE_URL``); without ``DATABASE_URL`` it has its own SQLite file in ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        env: Mapping[str, str] | None = None,
        *,
        worker: bool = True,
        web: bool = True,
        migrate: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.worker = worker
        self.web = web
        self.migrate = migrate
        base = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        self.env: dict[str, str] = {
            **base,
            "DJANGO_SETTINGS_MODULE": "congso.settings.base",
            "CONGSO_DATA_DIR": str(data_dir),
            "CONGSO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONGSO_WORKER_POLL_SECONDS": "1",
            **(env or {}),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- Commands ----------------------------------------------------------------------------

    def manage(self, *args: str, timeout: float = 600) -> str:
        """Run ``manage.py ARGS`` in this instance; its output, or an error with the output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python ``code`` in its Django (``manage.py shell -c``); what it printed."""
        return self.manage("shell", "--verbosity", "0", "-c", code)

    # --- Processes ---------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> None:
        log: IO[bytes] = open(self.data_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child's
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def start(self, *, seconds: float = 60) -> Self:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.migrate:
            self.manage("migrate", "--no-input", "-v0")
        if self.web:
            self._spawn(
                "web",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "congso.wsgi:application",
                    "--config",
                    "congso/gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                ],
            )
            self.wait_healthy(seconds)
        if self.worker:
            self._spawn("worker", [sys.executable, "manage.py", "worker"])
        return self

    def wait_healthy(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            web = self.processes.get("web")
            if web is not None and web.poll() is not None:
                raise RuntimeError(f"the instance's web server stopped: {self.log('web')}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answers (a 503 "worker not seen yet" is an answer)
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the instance did not answer in {seconds} s: {self.log('web')}"
                    ) from None
                time.sleep(0.2)

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-4000:] if path.exists() else ""

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill one of its processes (``web``, ``worker``) and its children."""
        proc = self.processes.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
