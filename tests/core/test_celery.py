"""The same background work on Celery, with a real worker process on Redis and on RabbitMQ."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from congso.core import worker
from congso.core.models import Job, WorkerHeartbeat

BROKERS = {
    "redis": os.environ.get("CONGSO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "rabbitmq": os.environ.get("CONGSO_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
ROOT = Path(settings.BASE_DIR)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or "postgres"
    return (
        f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _wait(predicate, seconds: float = 90.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll until ``predicate`` holds: a deadline against a hang, not a measure (the worker's
    start-up alone takes tens of seconds when both passes of the suite and the cluster test
    share the two cores); it returns as soon as the condition holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@contextmanager
def _publishing_to(broker: str, queue: str) -> Iterator[None]:
    """Point this process's Celery app at ``broker`` (dropping pooled connections both ways)."""
    from congso.celery import app

    app.conf.broker_url = broker
    app.conf.task_default_queue = queue
    app._after_fork()
    try:
        with override_settings(WORKER_BACKEND="celery"):
            yield
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
        app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
        app._after_fork()


@pytest.fixture(params=sorted(BROKERS))
def celery_worker(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    broker = BROKERS[request.param]
    queue = f"congso-test-{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="congso.settings.base",
        DATABASE_URL=_database_url(),
        CONGSO_BROKER_URL=broker,
        CONGSO_CELERY_QUEUE=queue,
    )
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "congso", "worker", "-P", "solo",
            "--without-mingle", "--without-gossip", "--loglevel=WARNING", "-Q", queue,
        ],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield broker, queue
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_job_runs_on_a_celery_worker(celery_worker: tuple[str, str]) -> None:
    broker, queue = celery_worker
    from congso.celery import app

    with _publishing_to(broker, queue):
        old = timezone.now() - timedelta(days=10)
        stale = Job.objects.create(name="core.purge_finished_jobs", status="done", finished_at=old)
        with transaction.atomic():
            job = worker.enqueue("core.purge_finished_jobs", days=1)
        assert _wait(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE), (
            f"job not run by the celery worker on {broker}"
        )
        assert not Job.objects.filter(pk=stale.pk).exists()

        # The beat-scheduled heartbeat reaches the database through the broker and the worker.
        app.send_task("congso.heartbeat", queue=queue)
        assert _wait(
            lambda: WorkerHeartbeat.objects.filter(
                backend="celery", name__startswith="celery:"
            ).exists()
        )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_sweep_republishes_a_job_whose_message_was_lost(celery_worker: tuple[str, str]) -> None:
    broker, queue = celery_worker
    with _publishing_to(broker, queue):
        # Written while the broker "was down": the row exists, no message was ever sent.
        job = Job.objects.create(
            name="core.purge_finished_jobs",
            payload={"days": 30},
            run_after=timezone.now() - timedelta(minutes=5),
        )
        assert worker.sweep() >= 1
        assert _wait(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE)
