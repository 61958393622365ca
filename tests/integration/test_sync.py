"""The national-portal sync through the LGSP simulator (a separate process), faults included."""

from __future__ import annotations

import datetime

import pytest

from congso.catalog.models import Procedure
from congso.dossiers.workflow import NATIONAL_CODE, TRANSITIONS, Status
from congso.integration import lgsp, mapping, payloads, sync
from congso.integration.models import LgspCall, PortalRecord, StatusMapping, SyncItem
from tests.dossiers.conftest import at, fresh, submit
from tests.integration.conftest import lifecycle

pytestmark = pytest.mark.django_db


def drain() -> None:
    while sync.send_due():
        pass


def test_lifecycle_lands_on_the_portal_field_by_field(world, clock, portal):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = lifecycle(world, submit(world))
    items = list(SyncItem.objects.filter(dossier=dossier).order_by("seq"))
    assert [i.action for i in items] == [
        "submit",
        "receive",
        "start_processing",
        "forward",
        "complete",
        "return_result",
    ]
    assert all(i.state == SyncItem.State.PENDING for i in items)

    drain()
    held = portal.dossiers()[dossier.code]
    dossier = fresh(dossier)
    expected = payloads.dossier_payload(dossier, status_code=10)
    assert {k: held[k] for k in expected} == expected
    assert held["MaTTHC"] == "1.001193" and held["KenhThucHien"] == 2
    assert held["NgayTiepNhan"] == payloads.instant(dossier.received_at)
    assert held["NgayHenTra"] == payloads.instant(dossier.appointment_at)
    assert held["LichSuTrangThai"] == [1, 2, 4, 9, 10]
    assert [line["TrangThai"] for line in held["TienDo"]] == [1, 2, 4, 4, 9, 10]
    assert [line["NguoiXuLy"] for line in held["TienDo"]][:2] == ["congdan.mot", "motcua.a"]
    forward = held["TienDo"][3]
    assert forward["NoiDungXuLy"] == f"{TRANSITIONS['forward'].label_vi} – Thẩm định hồ sơ"
    assert forward["NguoiXuLy"] == "chuyenvien.a" and forward["PhongBanXuLy"] == "UBND xã A"
    appraisal = dossier.steps.get(name="Thẩm định hồ sơ")
    assert forward["NgayBatDau"] == payloads.instant(appraisal.started_at)
    assert forward["NgayKetThucTheoQuyDinh"] == payloads.instant(appraisal.due_at) != ""
    states = set(SyncItem.objects.filter(dossier=dossier).values_list("state", flat=True))
    assert states <= {SyncItem.State.SENT, SyncItem.State.SKIPPED}
    # Every call has its own message id in the request log.
    calls = LgspCall.objects.filter(subject=dossier.code)
    assert calls.count() == len(set(calls.values_list("message_id", flat=True))) > 6
    assert set(calls.values_list("outcome", flat=True)) == {LgspCall.Outcome.OK}


def test_unchanged_dossier_payload_is_not_resent(world, clock, portal):
    dossier = submit(world)
    dossier = fresh(lifecycle(world, dossier))
    drain()
    creates = LgspCall.objects.filter(service=sync.CREATE, subject=dossier.code).count()
    progress = LgspCall.objects.filter(service=sync.PROGRESS, subject=dossier.code).count()
    # forward changes nothing of the dossier itself: its payload hash skips the resend.
    assert progress == 6 and creates == 5


def test_faults_are_retried_without_loss_or_doubling(world, clock, portal):
    dossier = submit(world)
    portal.faults("5xx", "timeout", "wrong_code", "duplicate", "expire_session", "timeout")
    dossier = lifecycle(world, dossier)
    for _ in range(30):
        drain()
        if not SyncItem.objects.filter(state=SyncItem.State.PENDING).exists():
            break
    held = portal.dossiers()[dossier.code]
    assert held["LichSuTrangThai"] == [1, 2, 4, 9, 10]
    assert len(held["TienDo"]) == 6
    assert [line["ThoiDiemXuLy"] for line in held["TienDo"]] == [
        i.progress_payload["ThoiDiemXuLy"] for i in SyncItem.objects.filter(dossier=dossier)
    ]
    outcomes = set(LgspCall.objects.values_list("outcome", flat=True))
    assert {LgspCall.Outcome.UNAVAILABLE, LgspCall.Outcome.TIMEOUT, LgspCall.Outcome.REFUSED} <= (
        outcomes
    )
    counters = portal.state()["counters"]
    assert counters["fault:timeout"] == 2 and counters["fault:duplicate"] == 1


def test_order_is_kept_per_dossier_behind_a_failing_item(world, clock, portal, settings):
    settings.SYNC_MAX_ATTEMPTS = 2
    dossier = submit(world)
    portal.faults("5xx", "5xx")  # the lookup of the first item, twice: a dead letter
    dossier = lifecycle(world, dossier)
    drain()
    first, *rest = SyncItem.objects.filter(dossier=dossier).order_by("seq")
    assert first.state == SyncItem.State.DEAD
    assert "Dừng sau 2 lần gửi" in first.last_error and "HTTP 502" in first.last_error
    assert all(i.state == SyncItem.State.PENDING and i.attempts == 0 for i in rest)
    assert dossier.code not in portal.dossiers()

    assert sync.sync_again(actor=world.monitor, items=[first]) == 1
    drain()
    held = portal.dossiers()[dossier.code]
    assert held["LichSuTrangThai"] == [1, 2, 4, 9, 10] and len(held["TienDo"]) == 6


def test_circuit_breaker_opens_and_fails_fast(world, clock, portal, settings):
    settings.LGSP_BREAKER_FAILURES = 2
    settings.LGSP_BREAKER_SECONDS = 3600
    submit(world)
    portal.faults("5xx", "5xx", "5xx")
    drain()
    (item,) = SyncItem.objects.all()
    assert item.state == SyncItem.State.PENDING and item.attempts == 2
    with pytest.raises(lgsp.LgspError) as refused:
        lgsp.call(sync.LOOKUP, {"MaHoSo": item.dossier_code}, province="51")
    assert refused.value.code == "circuit_open"
    assert LgspCall.objects.filter(outcome=LgspCall.Outcome.CIRCUIT_OPEN).exists()
    assert portal.state()["counters"]["calls"] == 2  # the third call never left


def test_procedure_without_national_code_is_refused_clearly(world, clock, portal):
    world.procedure.national_code = False
    world.procedure.code = "DP.51.0007"
    world.procedure.save()
    dossier = submit(world)
    (item,) = SyncItem.objects.filter(dossier=dossier)
    assert item.state == SyncItem.State.REFUSED
    assert "chưa có mã thủ tục quốc gia" in item.last_error and "DP.51.0007" in item.last_error
    drain()
    assert portal.dossiers() == {}

    world.procedure.national_code = True
    world.procedure.code = "1.001193"
    world.procedure.save()
    assert sync.sync_again(actor=world.monitor, items=[item]) == 1
    drain()
    assert portal.dossiers()[dossier.code]["MaTTHC"] == "1.001193"


def test_status_mapping_is_a_dated_table(world, clock, portal):
    StatusMapping.objects.create(
        local_status=Status.RECEIVED, national_code=3, effective_from=datetime.date(2026, 3, 5)
    )
    clock.set(at(2026, 3, 4, 9, 0))
    assert payloads.national_code(Status.RECEIVED, datetime.date(2026, 3, 4)) == 2
    assert payloads.national_code(Status.RECEIVED, datetime.date(2026, 3, 5)) == 3
    assert NATIONAL_CODE[Status.RECEIVED] == 2


def test_portal_already_holding_the_change_is_not_doubled(world, clock, portal):
    dossier = submit(world)
    drain()
    # Our record of the portal is lost (a restored database): the next change looks first.
    PortalRecord.objects.all().delete()
    SyncItem.objects.filter(dossier=dossier).update(
        state=SyncItem.State.PENDING, next_attempt_at=at(2026, 3, 2, 9, 0)
    )
    drain()
    held = portal.dossiers()[dossier.code]
    assert len(held["TienDo"]) == 1
    assert SyncItem.objects.get(dossier=dossier).state == SyncItem.State.SKIPPED


def test_local_procedure_synced_once_its_suggested_mapping_is_confirmed(world, clock, portal):
    local = Procedure.objects.create(
        code="DP.51.0007",
        national_code=False,
        name="Đăng ký khai sinh cho trẻ em",
        search_text="dang ky khai sinh cho tre em dp.51.0007",
        field=world.procedure.field,
        levels=["commune"],
        applicant_types=["citizen"],
    )
    Procedure.objects.create(
        code="1.004873",
        name="Thủ tục cấp giấy phép xây dựng",
        search_text="thu tuc cap giay phep xay dung 1.004873",
        field=world.procedure.field,
        levels=["province"],
        applicant_types=["citizen"],
    )
    (suggestion,) = mapping.suggest([local])
    assert suggestion.national_code == "1.001193" and suggestion.similarity >= mapping.THRESHOLD
    assert mapping.national_code_of(local) is None  # not confirmed yet

    world.version.procedure = local
    world.version.save()
    dossier = submit(world, procedure=local)
    (item,) = SyncItem.objects.filter(dossier=dossier)
    assert item.state == SyncItem.State.REFUSED and "chưa được ánh xạ" in item.last_error

    mapping.confirm(actor=world.monitor, mapping=suggestion)
    assert sync.sync_again(actor=world.monitor, items=[item]) == 1
    drain()
    assert portal.dossiers()[dossier.code]["MaTTHC"] == "1.001193"
