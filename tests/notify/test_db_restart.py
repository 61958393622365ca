"""PostgreSQL restarted mid-run: while a worker drains SMS into Kannel, the database goes away
twice and comes back. Afterwards every message is delivered, none lost; duplicates are counted
through the delivery reports and printed (the goal is zero).

Everything that touches the database (the worker, the delivery-report web server, the
reconciliation loop) runs as its own process against a private PostgreSQL cluster
(``tests/notify/pgcluster.py``), a copy of the test database: only that cluster is restarted,
never the machine's shared server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from congso.contrib.kannel.box import free_port
from tests.core.test_celery import BROKERS, _database_url
from tests.notify.pgcluster import PrivatePostgres, wait_ready

TOTAL = 150

SEED = f"""
from django.db import transaction
from django.utils import timezone
from congso.core.worker import enqueue
from congso.notify.models import Message
with transaction.atomic():
    for n in range({TOTAL}):
        m = Message.objects.create(
            kind="received", channel="sms", recipient=f"09{{n:08d}}", body=f"Tin thu {{n}}",
            created_at=timezone.now(), attempt_limit=50,
        )
        enqueue("notify.send", message_id=m.pk)
"""

# Celery mode: a job retried after a failure waits in the table for the sweep (the beat runs it
# every 30 s in production); here a loop sweeps every second so the test stays short.
SWEEP = """
import time
from datetime import timedelta
from django.db import DatabaseError, connections
from congso.core import worker
while True:
    try:
        worker.sweep(older_than=timedelta(seconds=3))
    except DatabaseError:
        connections.close_all()
    time.sleep(1)
"""


def _count(url: str, sql: str) -> int | None:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(sql).fetchone()
            return int(row[0] or 0) if row else 0
    except psycopg.OperationalError:
        return None  # the database is down right now


@pytest.mark.postgres_only
@pytest.mark.services
@pytest.mark.parametrize("backend", ["embedded", "celery-rabbitmq"])
@pytest.mark.django_db
def test_postgres_restart_mid_run_loses_nothing(backend, kannel):
    assert connection.vendor == "postgresql"
    pg = PrivatePostgres().init()
    procs: list[subprocess.Popen[bytes]] = []
    queue = f"congso-notify-pg-{uuid.uuid4().hex[:8]}"
    logs = pg.root / "logs"
    logs.mkdir()
    try:
        url = pg.copy_database(_database_url(), "congso")
        web_port = free_port()
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="congso.settings.base",
            DATABASE_URL=url,
            CONGSO_ALLOWED_HOSTS="127.0.0.1",
            CONGSO_NOTIFY_KANNEL_URL=kannel.sendsms_url,
            CONGSO_NOTIFY_KANNEL_USER=kannel.username,
            CONGSO_NOTIFY_KANNEL_PASSWORD=kannel.password,
            CONGSO_NOTIFY_DLR_BASE_URL=f"http://127.0.0.1:{web_port}",
            CONGSO_NOTIFY_DLR_GRACE_SECONDS="3",
            CONGSO_NOTIFY_QUIET_HOURS="",
            CONGSO_WORKER_POLL_SECONDS="1",
            CONGSO_NOTIFY_MAX_ATTEMPTS="50",
            CONGSO_WORKER_MAX_ATTEMPTS="60",
        )
        if backend.startswith("celery"):
            env.update(CONGSO_BROKER_URL=BROKERS["rabbitmq"], CONGSO_CELERY_QUEUE=queue)

        def spawn(name: str, *args: str) -> None:
            out = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
            procs.append(
                subprocess.Popen(
                    [sys.executable, *args],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )

        web = ["-m", "gunicorn", "congso.wsgi", "-b", f"127.0.0.1:{web_port}", "-k", "gthread"]
        spawn("web", *web, "--threads", "8", "-w", "1")
        spawn("reconcile", "manage.py", "notify_reconcile", "--every", "1")
        if backend == "embedded":
            spawn("worker", "manage.py", "worker")
        else:
            celery = ["-m", "celery", "-A", "congso", "worker", "-P", "solo", "-Q", queue]
            spawn("worker", *celery, "--without-mingle", "--without-gossip", "--loglevel=WARNING")
            spawn("sweep", "manage.py", "shell", "-c", SWEEP)
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SEED],
            cwd=settings.BASE_DIR, env=env, check=True, capture_output=True,
        )  # fmt: skip

        delivered_sql = "SELECT count(*) FROM notify_message WHERE status = 'delivered'"
        restarts, outage_s = 0, 0.0
        deadline = time.monotonic() + 120
        delivered: int | None = 0
        while time.monotonic() < deadline:
            time.sleep(0.3)
            delivered = _count(url, delivered_sql)
            if delivered == TOTAL:
                break
            # Restart the database twice while the worker is draining: once early, once late.
            if delivered is not None and restarts < 2 and delivered >= (1 + restarts) * TOTAL // 3:
                began = time.monotonic()
                pg.stop()
                time.sleep(3)
                pg.start()
                outage_s += time.monotonic() - began
                restarts += 1
        wait_ready(url)
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT status, count(*), sum(duplicates), sum(attempts - 1) "
                "FROM notify_message GROUP BY status"
            ).fetchall()
            reports = conn.execute(
                "SELECT count(*) FROM notify_deliveryreport WHERE dlr_type = 1"
            ).fetchone()
        retried = sum(
            (logs / f"{name}.log").read_text(errors="replace").count("database unavailable")
            for name in ("worker", "reconcile")
        )
        by_status = {status: int(n) for status, n, _, _ in rows}
        duplicates = sum(int(d or 0) for _, _, d, _ in rows)
        resends = sum(int(r or 0) for _, _, _, r in rows)
        print(
            f"\n[{backend}] {by_status.get('delivered', 0)}/{TOTAL} delivered after {restarts} "
            f"PostgreSQL restart(s) ({outage_s:.1f} s down in all), {resends} resend(s), "
            f"{reports[0] if reports else 0} delivered DLRs, duplicates detected through "
            f"DLRs: {duplicates}; worker/reconciler reconnects: {retried}"
        )
        assert restarts == 2
        assert by_status == {"delivered": TOTAL}, (by_status, _tail(logs))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        pg.destroy()


def _tail(logs: os.PathLike[str]) -> str:
    from pathlib import Path

    return "\n".join(
        f"--- {path.name}\n" + path.read_text(errors="replace")[-1500:]
        for path in sorted(Path(logs).glob("*.log"))
    )
