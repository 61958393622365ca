"""The provincial data centre's shape on one machine, on loopback (docs/deployment.md):

    nginx ─┬─ web node 1 (gunicorn) ─┐
           └─ web node 2 (gunicorn) ─┴─ PgBouncer (transaction mode) ─ PostgreSQL
    Celery worker + one Celery beat on RabbitMQ (or Redis); one shared media folder.

Every piece is the Debian package or the locked Python dependency a province would run
(``scripts/bootstrap`` installs nginx and pgbouncer), each in processes of its own, on free
ports, with its configuration and logs in one folder. Used by ``scripts/cluster`` (by hand),
``tests/deploy/test_cluster.py`` (failover, kills) and ``bench/nodes_bench.py`` (one node
against two).

    with Cluster(Path("/tmp/c1")) as cluster:
        urllib.request.urlopen(cluster.url + "/healthz")
        cluster.kill("web1")          # SIGKILL the node and its workers
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Self

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG_ADMIN = os.environ.get("CONGSO_CLUSTER_PG", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("CONGSO_CLUSTER_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
#: What the caller's environment carries that must not leak into the cluster's processes.
_NOT_INHERITED = ("DATABASE_URL", "CONGSO_DATA_DIR", "DJANGO_SETTINGS_MODULE", "CONGSO_BROKER_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing_packages() -> list[str]:
    """The Debian programs this shape needs that are not installed (scripts/bootstrap)."""
    wanted = {"nginx": "/usr/sbin/nginx", "pgbouncer": "/usr/sbin/pgbouncer"}
    return [n for n, path in wanted.items() if not (shutil.which(n) or Path(path).exists())]


def _bin(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class Cluster:
    """nginx, ``nodes`` gunicorn web nodes, PgBouncer, a database of its own on the PostgreSQL
    server ``PG_ADMIN``, a Celery worker and beat. ``env`` adds settings for every process."""

    def __init__(
        self,
        root: Path,
        *,
        nodes: int = 2,
        env: dict[str, str] | None = None,
        web_workers: int = 1,
        web_threads: int = 4,
        beats: int = 1,
        worker: bool = True,
    ) -> None:
        self.root = root
        self.node_names = [f"web{i + 1}" for i in range(nodes)]
        self.ports = {name: free_port() for name in self.node_names}
        self.nginx_port = free_port()
        self.pgbouncer_port = free_port()
        self.dbname = f"congso_cluster_{os.getpid()}_{secrets.token_hex(3)}"
        self.queue = f"congso-{self.dbname}"
        self.beats = beats
        self.worker = worker
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.shared = root / "shared"
        base = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
        self.env: dict[str, str] = {
            **base,
            "DJANGO_SETTINGS_MODULE": "congso.settings.base",
            # Every node: the same keys (sessions, CSRF, audit chain), the same shared folder.
            "CONGSO_SECRET_KEY": secrets.token_urlsafe(64),
            "CONGSO_AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
            "CONGSO_DATA_DIR": str(self.shared),
            "CONGSO_MEDIA_ROOT": str(self.shared / "media"),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pgbouncer_port}/{self.dbname}",
            "CONGSO_DB_PGBOUNCER": "1",
            "CONGSO_BROKER_URL": BROKER,
            "CONGSO_CELERY_QUEUE": self.queue,
            "CONGSO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONGSO_PROXY_ADDRESSES": "127.0.0.1",
            "CONGSO_WEB_WORKERS": str(web_workers),
            "CONGSO_WEB_THREADS": str(web_threads),
            **(env or {}),
        }

    # --- Addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """nginx, the address citizens use."""
        return f"http://127.0.0.1:{self.nginx_port}"

    def node_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def direct_url(self) -> str:
        """PostgreSQL itself, bypassing PgBouncer (migrations, checks, pg_dump)."""
        return f"{PG_ADMIN}/{self.dbname}"

    @property
    def direct_env(self) -> dict[str, str]:
        return {**self.env, "DATABASE_URL": self.direct_url, "CONGSO_DB_PGBOUNCER": "0"}

    # --- Commands ----------------------------------------------------------------------------

    def manage(self, *args: str, direct: bool = False, timeout: float = 600) -> str:
        """``manage.py ARGS`` as a node runs it (through PgBouncer, or ``direct``)."""
        done = subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=self.direct_env if direct else self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "--verbosity", "0", "-c", code)

    # --- Processes -----------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log: IO[bytes] = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - the child's
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env or self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-4000:] if path.exists() else ""

    def pids(self) -> dict[str, list[int]]:
        """Each process of the cluster and its children (for CPU accounting)."""
        out: dict[str, list[int]] = {}
        for name, proc in self.processes.items():
            out[name] = [proc.pid, *_descendants(proc.pid)]
        return out

    def start_database(self) -> None:
        _psql(f"{PG_ADMIN}/postgres", f'CREATE DATABASE "{self.dbname}"')
        # Django sets the session's time zone when it differs; in transaction mode a SET would
        # stay on a server connection another client gets next, so the database's default is
        # the one Django wants and no SET is ever sent.
        _psql(f"{PG_ADMIN}/postgres", f"ALTER DATABASE \"{self.dbname}\" SET timezone TO 'UTC'")

    def start_pgbouncer(self) -> None:
        folder = self.root / "pgbouncer"
        if os.geteuid() == 0:  # PgBouncer refuses root: its files in a folder its user reaches
            folder = Path(tempfile.mkdtemp(prefix="congso-pgbouncer-"))
            (self.root / "pgbouncer").unlink(missing_ok=True)
            (self.root / "pgbouncer").symlink_to(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.pgbouncer_dir = folder
        host_port = PG_ADMIN.rsplit("@", 1)[-1]
        host, _, port = host_port.partition(":")
        (folder / "userlist.txt").write_text('"postgres" ""\n')
        (folder / "pgbouncer.ini").write_text(
            PGBOUNCER_INI.format(
                dbname=self.dbname,
                host=host,
                port=port or "5432",
                listen_port=self.pgbouncer_port,
                folder=folder,
            )
        )
        argv = [_bin("pgbouncer"), str(folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            shutil.chown(folder, "postgres", "postgres")
            for child in folder.iterdir():
                shutil.chown(child, "postgres", "postgres")
            argv = ["runuser", "-u", "postgres", "--", *argv]
        self._spawn("pgbouncer", argv)
        _wait_port(self.pgbouncer_port, "pgbouncer", self)

    def start_node(self, name: str) -> None:
        self._spawn(
            name,
            [PY, "-m", "gunicorn", "congso.wsgi:application", "--config",
             "congso/gunicorn.conf.py", "--bind", f"127.0.0.1:{self.ports[name]}",
             "--access-logfile", str(self.root / f"{name}-access.log")],
        )  # fmt: skip
        _wait_http(self.node_url(name) + "/healthz", name, self)

    def start_nginx(self) -> None:
        folder = self.root / "nginx"
        (folder / "tmp").mkdir(parents=True, exist_ok=True)
        upstreams = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;"
            for port in self.ports.values()
        )
        (folder / "nginx.conf").write_text(
            NGINX_CONF.format(
                user="user root;" if os.geteuid() == 0 else "",
                folder=folder,
                upstreams=upstreams,
                port=self.nginx_port,
                static=self.shared / "static",
            )
        )
        self._spawn(
            "nginx",
            [_bin("nginx"), "-p", str(folder), "-c", str(folder / "nginx.conf"),
             "-g", "daemon off;"],
        )  # fmt: skip
        _wait_http(self.url + "/healthz", "nginx", self)

    def start_worker(self, name: str = "worker") -> None:
        self._spawn(
            name,
            [PY, "-m", "celery", "-A", "congso", "worker", "-Q", self.queue, "--concurrency",
             "2", "--loglevel", "INFO", "-n", f"{name}.{self.dbname}@%h"],
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while "ready." not in self.log(name):
            if self.processes[name].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start: {self.log(name)}")
            time.sleep(0.3)

    def start_beat(self, name: str = "beat") -> None:
        self._spawn(
            name,
            [PY, "-m", "celery", "-A", "congso", "beat", "--loglevel", "INFO",
             "-s", str(self.root / f"{name}-schedule"), "--pidfile="],
        )  # fmt: skip

    def start(self) -> Self:
        if missing := missing_packages():
            raise RuntimeError(f"not installed: {', '.join(missing)} (run scripts/bootstrap)")
        self.root.mkdir(parents=True, exist_ok=True)
        (self.shared / "media").mkdir(parents=True, exist_ok=True)
        self.start_database()
        # Migrations go straight to PostgreSQL, once, before any node serves (docs/deployment.md).
        self.manage("migrate", "--no-input", "-v0", direct=True)
        self.manage("collectstatic", "--no-input", "-v0", direct=True)
        self.start_pgbouncer()
        for name in self.node_names:
            self.start_node(name)
        self.start_nginx()
        if self.worker:
            self.start_worker()
        for i in range(self.beats):
            self.start_beat("beat" if i == 0 else f"beat{i + 1}")
        return self

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to a process of the cluster and its children (``web1``, ``worker`` …)."""
        proc = self.processes.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self, *, drop: bool = True) -> None:
        for name in reversed(list(self.processes)):
            self.kill(name, signal.SIGTERM)
        if os.geteuid() == 0 and getattr(self, "pgbouncer_dir", None):
            shutil.rmtree(self.pgbouncer_dir, ignore_errors=True)
        if drop:
            subprocess.run(
                [
                    "dropdb",
                    "--if-exists",
                    "--force",
                    f"--maintenance-db={PG_ADMIN}/postgres",
                    self.dbname,
                ],
                capture_output=True,
                check=False,
            )

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    children = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        for child in children.read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _wait_port(port: int, name: str, cluster: Cluster, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        proc = cluster.processes.get(name)
        if (proc and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start: {cluster.log(name)}")
        time.sleep(0.2)


def _wait_http(url: str, name: str, cluster: Cluster, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers (503 "worker not seen yet" is an answer)
        except OSError:
            proc = cluster.processes.get(name)
            if (proc and proc.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer: {cluster.log(name)}") from None
            time.sleep(0.2)


PGBOUNCER_INI = """\
[databases]
{dbname} = host={host} port={port} dbname={dbname}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""

NGINX_CONF = """\
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;
    types {{ text/css css; application/javascript js; image/svg+xml svg; image/png png;
            font/woff2 woff2; }}
    upstream congso {{
{upstreams}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 50m;
        location /static/ {{ alias {static}/; expires 30d; }}
        location / {{
            proxy_pass http://congso;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_connect_timeout 2s;
            # A node that refuses the connection or dies before answering: the next one.
            # Never on 503 (a deliberate refusal) and never a POST already sent (it may
            # have been committed): nginx retries those only with non_idempotent.
            proxy_next_upstream error timeout http_502;
        }}
    }}
}}
"""


def main(argv: list[str]) -> int:
    """``scripts/cluster up [FOLDER]``: start the shape, print its addresses, run until ^C."""
    if not argv or argv[0] not in {"up", "check"}:
        print("usage: scripts/cluster up [FOLDER] | check", file=sys.stderr)
        return 2
    if argv[0] == "check":
        missing = missing_packages()
        print("missing: " + ", ".join(missing) if missing else "nginx and pgbouncer installed")
        return 1 if missing else 0
    root = Path(argv[1] if len(argv) > 1 else ROOT / "var" / "cluster")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the processes on TERM too
    with Cluster(root) as cluster:
        print(f"nginx        {cluster.url}")
        for name in cluster.node_names:
            print(f"{name:<12} {cluster.node_url(name)}")
        print(f"pgbouncer    127.0.0.1:{cluster.pgbouncer_port} ({cluster.dbname})")
        print(f"logs         {root}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
