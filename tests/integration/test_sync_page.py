"""The officers' sync page (/can-bo/dong-bo/) and the dashboard's "% synced within 5 minutes":
per-dossier state, dead letters with their reason, *sync again* (audited, by leaders and
administrators of the dossier's agency only), the reconciliation's differences, mapping
confirmation; the dashboard block through indicators' panel hook."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from congso.audit.models import AuditEvent
from congso.catalog.models import Procedure
from congso.integration import mapping, reconcile, sync
from congso.integration.models import ProcedureMapping, SyncItem
from tests.dossiers.conftest import at, submit
from tests.integration.conftest import lifecycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_second_factor")]


@pytest.fixture
def no_second_factor(settings):
    settings.OFFICER_2FA_REQUIRED = False


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sync_page_dead_letter_sync_again_and_differences(world, clock, portal, settings):
    settings.SYNC_MAX_ATTEMPTS = 2
    clock.set(at(2026, 3, 2, 9, 0))
    good = lifecycle(world, submit(world))
    sync.send_due()
    bad = submit(world)
    portal.faults("5xx", "5xx")
    sync.send_due()
    (dead,) = SyncItem.objects.filter(dossier=bad)
    assert dead.state == SyncItem.State.DEAD and "Dừng sau 2 lần gửi" in dead.last_error
    portal.tamper(good.code, ChuHoSo="Người khác")
    clock.set(at(2026, 3, 3, 1, 0))
    reconcile.run()

    url = reverse("integration:sync")
    page = _client(world.monitor).get(url).content.decode()
    assert bad.code in page and "Dừng sau 2 lần gửi" in page  # the dead letter, its reason
    assert "Người khác" in page and "Chủ hồ sơ" in page  # the difference, the field's label
    assert "Đồng bộ lại</button>" not in page  # a monitor watches, does not act
    one = _client(world.monitor).get(url, {"ma": good.code}).content.decode()
    assert "đã đồng bộ đầy đủ" in one and one.count("Đã đồng bộ") >= 6

    monitor_post = _client(world.monitor).post(reverse("integration:sync_again", args=[bad.code]))
    assert monitor_post.status_code == 403
    # Leader of the other commune: not their dossier.
    other = _client(world.leader_b).post(reverse("integration:sync_again", args=[bad.code]))
    assert other.status_code == 404
    leader = _client(world.leader_a)
    assert "Đồng bộ lại</button>" in leader.get(url).content.decode()
    answer = leader.post(reverse("integration:sync_again", args=[bad.code]))
    assert answer.status_code == 302 and "da=dong-bo-lai" in answer["Location"]
    dead.refresh_from_db()
    assert dead.state == SyncItem.State.PENDING and dead.attempts == 0
    event = AuditEvent.objects.get(action="integration.sync_again")
    assert event.actor_id == world.leader_a.pk
    sync.send_due()
    assert bad.code in portal.dossiers()
    assert "Đã đưa hồ sơ trở lại hàng đợi" in leader.get(answer["Location"]).content.decode()


def test_mapping_confirmed_on_the_page_by_a_province_administrator(world, clock, portal):
    local = Procedure.objects.create(
        code="DP.51.0007",
        national_code=False,
        name="Đăng ký khai sinh cho trẻ em",
        search_text="dang ky khai sinh cho tre em dp.51.0007",
        field=world.procedure.field,
        levels=["commune"],
        applicant_types=["citizen"],
    )
    (suggestion,) = mapping.suggest([local])
    page = _client(world.monitor).get(reverse("integration:sync")).content.decode()
    assert "DP.51.0007" in page and "Xác nhận mã" not in page
    admin = type(world.monitor).objects.create_superuser(username="qt.tinh", password="x")
    client = _client(admin)
    assert "Xác nhận mã 1.001193" in client.get(reverse("integration:sync")).content.decode()
    assert client.post(reverse("integration:confirm", args=[suggestion.pk])).status_code == 302
    assert ProcedureMapping.objects.get(pk=suggestion.pk).confirmed_by_id == admin.pk
    assert mapping.national_code_of(local) == "1.001193"


def test_dashboard_shows_synced_within_five_minutes(world, clock, portal):
    clock.set(at(2026, 3, 2, 9, 0))
    lifecycle(world, submit(world))  # 6 changes, sent at once
    late = submit(world)
    SyncItem.objects.filter(dossier=late).update(next_attempt_at=at(2026, 3, 2, 9, 10))
    sync.send_due()
    clock.set(at(2026, 3, 2, 9, 10))
    sync.send_due()
    page = (
        _client(world.monitor)
        .get(reverse("indicators:dashboard"), {"tu": "2026-03-01", "den": "2026-03-02"})
        .content.decode()
    )
    assert "Đồng bộ Cổng Dịch vụ công quốc gia" in page
    assert "85,7 %" in page and "(6/7)" in page  # Vietnamese decimal comma
