"""The nightly reconciliation against the simulated portal."""

from __future__ import annotations

import datetime

import pytest

from congso.integration import reconcile, sync
from congso.integration.models import ReconciliationDifference, SyncItem
from tests.dossiers.conftest import at, submit
from tests.integration.conftest import lifecycle

pytestmark = pytest.mark.django_db


def test_differences_and_synced_within_five_minutes(world, clock, portal, settings):
    clock.set(at(2026, 3, 2, 9, 0))
    a = lifecycle(world, submit(world))
    b = submit(world)
    c = submit(world)
    d = submit(world)
    # a and b go at once; c's item waits 10 minutes (the platform was down); d never goes.
    SyncItem.objects.filter(dossier=c).update(next_attempt_at=at(2026, 3, 2, 9, 10))
    SyncItem.objects.filter(dossier=d).update(next_attempt_at=at(2026, 3, 9))
    sync.send_due()
    clock.set(at(2026, 3, 2, 9, 10))
    sync.send_due()
    portal.tamper(b.code, TrangThaiHoSo=4, ChuHoSo="Người khác")
    portal.tamper(c.code, delete=True)

    clock.set(at(2026, 3, 3, 1, 0))
    run = reconcile.run()
    assert run.day == datetime.date(2026, 3, 2)
    assert run.dossiers == 4 and run.differences == 3 and run.error == ""
    # 6 items of a, one each for b, c, d: a's and b's within 5 minutes, c late, d unsent.
    assert (run.synced_within_5_min, run.changes) == (7, 9)
    assert run.percent_within_5_min == 77.8
    rows = {(r.dossier_code, r.field): r for r in ReconciliationDifference.objects.filter(run=run)}
    assert set(rows) == {
        (b.code, "TrangThaiHoSo"),
        (b.code, "ChuHoSo"),
        (c.code, "_ton_tai"),
        (d.code, "_chua_gui"),
        (d.code, "_ton_tai"),
    }
    assert (
        rows[b.code, "TrangThaiHoSo"].local_value,
        rows[b.code, "TrangThaiHoSo"].portal_value,
    ) == (
        "1",
        "4",
    )
    assert a.code not in {code for code, _ in rows}


def test_unreachable_portal_is_reported(world, clock, portal, settings):
    clock.set(at(2026, 3, 2, 9, 0))
    submit(world)
    settings.LGSP_URL = "http://127.0.0.1:9"  # nothing listens there
    clock.set(at(2026, 3, 3, 1, 0))
    run = reconcile.run()
    assert "Không tra cứu được cổng" in run.error
