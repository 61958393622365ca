"""The webhooks with a real worker process (``manage.py worker``), killed with SIGKILL while it
delivers, and a receiver that goes down meanwhile: every event arrives, verified, once (a
repeat after the kill carries the same id and is dropped by the receiver)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from congso.dossiers.models import DossierEvent
from congso.integration import webhooks
from tests.core.test_celery import _database_url
from tests.dossiers.conftest import build_world, submit
from tests.integration.conftest import lifecycle
from tests.integration.receiver import Receiver


def _wait(predicate: Callable[[], bool], seconds: float = 120.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _spawn(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.django_db(transaction=True)
def test_real_worker_killed_and_receiver_down_every_event_once():
    world = build_world()
    partner = world.monitor
    partner.user_permissions.add(Permission.objects.get(codename="add_subscription"))
    partner = type(partner).objects.get(pk=partner.pk)
    receiver = Receiver()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="congso.settings.base",
        DATABASE_URL=_database_url(),
        CONGSO_WORKER_POLL_SECONDS="1",
        CONGSO_WEBHOOK_POLL_SECONDS="1",
        CONGSO_WEBHOOK_BACKOFF_SECONDS="1",
        CONGSO_WEBHOOK_MAX_ATTEMPTS="100",
    )
    env.pop("CONGSO_LGSP_URL", None)
    proc = None
    try:
        _, receiver.secret = webhooks.subscribe(
            actor=partner, name="Đối tác", callback_url=receiver.url
        )
        first = [lifecycle(world, submit(world)) for _ in range(3)]
        proc = _spawn(env)
        assert _wait(lambda: len(receiver.accepted) >= 4)
        proc.send_signal(signal.SIGKILL)  # mid-delivery
        proc.wait()
        receiver.down = True
        second = [lifecycle(world, submit(world)) for _ in range(2)]
        proc = _spawn(env)
        assert _wait(lambda: receiver.refused_while_down >= 3)
        receiver.down = False
        expected = {
            f"dossier-event-{pk}"
            for pk in DossierEvent.objects.filter(dossier__in=first + second).values_list(
                "pk", flat=True
            )
        }
        assert len(expected) == 30
        assert _wait(lambda: {e["id"] for e in receiver.accepted} == expected)
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        receiver.close()
    assert len(receiver.accepted) == 30 and receiver.forged == 0
    print(f"repeats dropped by the receiver: {receiver.duplicates}")
