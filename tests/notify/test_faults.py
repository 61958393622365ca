"""Crashes: a worker killed with SIGKILL at random points, Kannel stopped and restarted.
Afterwards every message is delivered; duplicates are detected through the DLRs and printed."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congso.core import worker
from congso.core.worker import enqueue
from congso.notify import services
from congso.notify.models import DeliveryReport, Message
from tests.core.test_celery import BROKERS, _database_url, _publishing_to
from tests.notify.conftest import wait_for

S = Message.Status


def _message(n: int, **extra: Any) -> Message:
    return Message.objects.create(
        kind="received", channel="sms", recipient=f"09{n:08d}", body=f"Tin thu {n}",
        created_at=timezone.now(), **extra,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_message_left_sending_is_settled_by_its_dlr_not_resent(settings, gateways):
    settings.NOTIFY_DLR_GRACE_SECONDS = 0
    reported = _message(1, status=S.SENDING, attempts=1, sending_at=timezone.now())
    DeliveryReport.objects.create(
        message=reported, attempt=1, dlr_type=8, answer="ACK/", received_at=timezone.now()
    )
    silent = _message(2, status=S.SENDING, attempts=1, sending_at=timezone.now())
    counts = services.messages_reconcile()
    assert counts == {"settled": 1, "resent": 1, "requeued": 0, "no_report": 0}
    reported.refresh_from_db()
    assert reported.status == S.SENT and reported.attempts == 1
    assert wait_for(lambda: Message.objects.get(pk=silent.pk).status == S.DELIVERED)
    assert Message.objects.get(pk=silent.pk).attempts == 2

    # Both attempts reported delivered: one duplicate, counted on the message.
    key = str(silent.key)
    services.delivery_report_record(key=key, attempt=1, dlr_type=1, answer="")
    assert Message.objects.get(pk=silent.pk).duplicates == 1


def _spawn_worker(env: dict[str, str], backend: str, queue: str) -> subprocess.Popen[bytes]:
    if backend == "embedded":
        args = [sys.executable, "manage.py", "worker"]
    else:
        args = [
            sys.executable, "-m", "celery", "-A", "congso", "worker", "-P", "solo",
            "--without-mingle", "--without-gossip", "--loglevel=WARNING", "-Q", queue,
        ]  # fmt: skip
    return subprocess.Popen(
        args, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


@pytest.mark.postgres_only
@pytest.mark.services
@pytest.mark.parametrize("backend", ["embedded", "celery-redis", "celery-rabbitmq"])
@pytest.mark.django_db(transaction=True)
def test_sigkill_and_kannel_restart_lose_nothing(backend, settings, gateways, kannel):
    total = 200
    queue = f"congso-notify-{os.getpid()}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="congso.settings.base",
        DATABASE_URL=_database_url(),
        CONGSO_NOTIFY_KANNEL_URL=kannel.sendsms_url,
        CONGSO_NOTIFY_KANNEL_USER=kannel.username,
        CONGSO_NOTIFY_KANNEL_PASSWORD=kannel.password,
        CONGSO_NOTIFY_DLR_BASE_URL=settings.NOTIFY_DLR_BASE_URL,
        CONGSO_NOTIFY_QUIET_HOURS="",
        CONGSO_WORKER_POLL_SECONDS="1",
        CONGSO_NOTIFY_MAX_ATTEMPTS="50",
        CONGSO_WORKER_MAX_ATTEMPTS="60",
    )
    broker = BROKERS[backend.removeprefix("celery-")] if backend != "embedded" else ""
    if broker:
        env.update(CONGSO_BROKER_URL=broker, CONGSO_CELERY_QUEUE=queue)
    settings.NOTIFY_DLR_GRACE_SECONDS = 3
    rng = random.Random(5)
    publishing = _publishing_to(broker, queue) if broker else contextlib.nullcontext()
    kills = restarts = 0
    with publishing:
        with transaction.atomic():
            for n in range(total):
                enqueue("notify.send", message_id=_message(n, attempt_limit=50).pk)
        proc = _spawn_worker(env, backend, queue)
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                time.sleep(rng.uniform(0.2, 1.0))
                if Message.objects.filter(status=S.DELIVERED).count() == total:
                    break
                if kills < 8:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    if kills == 4:
                        kannel.stop()
                        time.sleep(1)
                        kannel.start()
                        restarts += 1
                    proc = _spawn_worker(env, backend, queue)
                services.messages_reconcile()
                if broker:
                    worker.sweep(older_than=timedelta(seconds=5))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    delivered = Message.objects.filter(status=S.DELIVERED).count()
    duplicates = sum(Message.objects.values_list("duplicates", flat=True))
    resends = sum(m.attempts - 1 for m in Message.objects.all())
    print(
        f"\n[{backend}] {delivered}/{total} delivered, {kills} SIGKILLs, {restarts} Kannel "
        f"restart(s), {resends} resend(s), duplicates detected through DLRs: {duplicates}"
    )
    assert delivered == total, list(
        Message.objects.exclude(status=S.DELIVERED).values("pk", "status", "last_error")[:5]
    )
