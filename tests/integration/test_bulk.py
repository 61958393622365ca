"""Many dossiers through their lifecycle while the simulated platform injects faults: the
portal ends up holding each exactly as congso does, field by field — nothing lost, nothing
doubled, statuses and handling lines in order.

``CONGSO_SYNC_BULK`` dossiers (default 100: on the shared 2-core test machine the lifecycle
itself — not the sync — costs ~0.4 s a dossier, so 1,000 would take ~7 minutes;
``bench/portal_sync_bench.py`` runs this test with 1,000).
``CONGSO_SYNC_BULK_REPORT``: a file the test writes its figures to (the bench reads it).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from congso.dossiers import services
from congso.dossiers.models import Dossier
from congso.integration import payloads, sync
from congso.integration.models import LgspCall, SyncItem
from tests.dossiers.conftest import at, receive, submit
from tests.integration.conftest import lifecycle

pytestmark = pytest.mark.django_db

COUNT = int(os.environ.get("CONGSO_SYNC_BULK", "100"))


def _drive(world, index: int) -> Dossier:
    dossier = submit(world)
    if index % 5 == 1:  # refused at the desk
        return services.dossier_not_accept(
            actor=world.reception_a, dossier=dossier, reason="Hồ sơ không thuộc thẩm quyền."
        )
    if index % 7 == 2:  # still being processed
        dossier = receive(world, dossier)
        return services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    return lifecycle(world, dossier)


def _statuses(items: list[SyncItem]) -> list[int]:
    seen: list[int] = []
    for item in items:
        code = item.dossier_payload["TrangThaiHoSo"]
        if not seen or seen[-1] != code:
            seen.append(code)
    return seen


def test_many_dossiers_with_faults_end_up_exactly_on_the_portal(world, clock, portal):
    portal.configure(
        fault_rate=0.2, seed=7, random_faults=["5xx", "wrong_code", "duplicate", "expire_session"]
    )
    started = time.monotonic()
    sync_seconds = 0.0
    dossiers = []
    for index in range(COUNT):
        clock.set(at(2026, 3, 2, 8, 0))
        dossiers.append(_drive(world, index))
        if index % 10 == 9:
            begun = time.monotonic()
            sync.send_due(limit=15)  # the worker runs while dossiers move
            sync_seconds += time.monotonic() - begun
            if index % 50 == 49:
                portal.faults("timeout")  # an answer that comes too late, now and then
    lifecycle_seconds = time.monotonic() - started - sync_seconds
    started = time.monotonic()
    for _ in range(50):
        sync.send_due()
        if not SyncItem.objects.filter(state=SyncItem.State.PENDING).exists():
            break
    sync_seconds += time.monotonic() - started

    assert not SyncItem.objects.exclude(state__in=sync.DONE).exists()
    held = portal.dossiers()
    assert len(held) == COUNT  # nothing lost, nothing extra
    for driven in dossiers:
        dossier = Dossier.objects.get(pk=driven.pk)
        items = list(SyncItem.objects.filter(dossier=dossier).order_by("seq"))
        there = held[dossier.code]
        now = payloads.dossier_payload(
            dossier, status_code=payloads.national_code(dossier.status, at(2026, 3, 2).date())
        )
        assert {k: there[k] for k in now} == now, dossier.code
        assert set(there) - set(now) == {"TienDo", "LichSuTrangThai"}
        assert there["TienDo"] == [item.progress_payload for item in items], dossier.code
        assert there["LichSuTrangThai"] == _statuses(items), dossier.code
        assert [item.seq for item in items] == list(range(1, dossier.history.count() + 1))
    counters = portal.state()["counters"]
    assert counters["fault:5xx"] and counters["fault:duplicate"] and counters["fault:wrong_code"]
    assert counters.get("invalid", 0) == 0
    report = os.environ.get("CONGSO_SYNC_BULK_REPORT")
    if report:
        Path(report).write_text(
            json.dumps(
                {
                    "dossiers": COUNT,
                    "items": SyncItem.objects.count(),
                    "lgsp_calls": LgspCall.objects.count(),
                    "faults": {k: v for k, v in counters.items() if k.startswith("fault:")},
                    "lifecycle_seconds": round(lifecycle_seconds, 2),
                    "sync_seconds": round(sync_seconds, 2),
                }
            ),
            encoding="utf-8",
        )
