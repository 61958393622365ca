"""The fee engine: lines per procedure version (phí / lệ phí), tiers by case, exemptions and
reductions as data with their effective dates, frozen on the dossier when assessed; when to pay
(submission, reception, result) and what an unpaid fee blocks (docs/payments.md "Fee engine")."""

from __future__ import annotations

import datetime

import pytest

from congso.audit.models import AuditEvent
from congso.core.errors import Conflict
from congso.dossiers import services as dossiers
from congso.dossiers.workflow import Status
from congso.payments import fees, services
from congso.payments.models import DueStage, FeeAssessment, FeeRule, FeeSchedule, IntentStatus
from tests.dossiers.conftest import at, clock, fresh, media, receive, submit, world  # noqa: F401

DAY = datetime.date(2026, 3, 2)
ONLINE_HALF = fees.Rule(
    pk=1,
    name="Giảm 50% lệ phí khi nộp trực tuyến",
    effect=fees.PERCENT,
    value=50,
    legal_basis="Thông tư giảm lệ phí nộp trực tuyến (ví dụ)",
    effective_from=datetime.date(2026, 1, 1),
    effective_to=datetime.date(2026, 12, 31),
    kind=fees.CHARGE,
    channel="online",
)
LINES = [
    fees.BaseLine("Lệ phí cấp mới", 15001, fees.CHARGE, case="Cấp mới"),
    fees.BaseLine("Lệ phí cấp lại", 7000, fees.CHARGE, case="Cấp lại"),
    fees.BaseLine("Phí thẩm định", 20000, fees.FEE),
]


def _assess(rules, *, channel="online", case="Cấp mới", day=DAY):
    return fees.assess(
        LINES, rules, procedure_code="1.001193", channel=channel, case=case, day=day, by_case=True
    )


def test_tiers_by_case_and_a_reduction_in_force_rounded_for_the_payer():
    lines = _assess([ONLINE_HALF])
    assert [(x["name"], x["base_vnd"], x["amount_vnd"]) for x in lines] == [
        ("Lệ phí cấp mới", 15001, 7500),  # half of 15 001, rounded down
        ("Phí thẩm định", 20000, 20000),  # a fee (phí), not a charge: not reduced
    ]
    assert lines[0]["adjustment"]["legal_basis"].startswith("Thông tư")
    assert lines[0]["adjustment"]["minus_vnd"] == 7501
    again = _assess([ONLINE_HALF], case="cap lai")  # accents and case do not matter
    assert [x["name"] for x in again] == ["Lệ phí cấp lại", "Phí thẩm định"]


def test_effective_dates_channel_and_the_most_favourable_rule():
    assert _assess([ONLINE_HALF], channel="in_person")[0]["amount_vnd"] == 15001
    assert _assess([ONLINE_HALF], day=datetime.date(2027, 1, 1))[0]["amount_vnd"] == 15001
    assert _assess([ONLINE_HALF], day=datetime.date(2025, 12, 31))[0]["adjustment"] is None
    exempt = fees.Rule(
        pk=2,
        name="Miễn cho hộ nghèo",
        effect=fees.EXEMPT,
        value=0,
        legal_basis="Nghị quyết HĐND tỉnh (ví dụ)",
        effective_from=datetime.date(2026, 1, 1),
        case="Cấp mới",
    )
    minus = fees.Rule(
        pk=3,
        name="Giảm 1.000 đồng",
        effect=fees.AMOUNT,
        value=1000,
        legal_basis="x",
        effective_from=datetime.date(2026, 1, 1),
        procedure_code="9.999999",  # another procedure: never applies
    )
    lines = _assess([ONLINE_HALF, exempt, minus])
    assert [(x["amount_vnd"], x["adjustment"]["rule"]) for x in lines] == [(0, 2), (0, 2)]


def test_catalogue_lines_are_the_base_when_the_schedule_has_none():
    catalogue = [
        {"name": "Lệ phí đăng ký", "amount_vnd": 8000, "condition": None, "legal_basis": "TT 1"},
        {"name": "Phí (không có mức)", "amount_vnd": None},
    ]
    (line,) = fees.base_lines([], catalogue)
    assert (line.kind, line.amount_vnd, line.legal_basis) == (fees.CHARGE, 8000, "TT 1")


@pytest.fixture
def online_reduction(db):
    return FeeRule.objects.create(
        name="Giảm 50% lệ phí khi nộp hồ sơ trực tuyến",
        kind="le_phi",
        channel="online",
        effect=FeeRule.Effect.PERCENT,
        value=50,
        legal_basis="Thông tư giảm lệ phí nộp trực tuyến (ví dụ, cần đối chiếu văn bản)",
        effective_from=datetime.date(2026, 1, 1),
        effective_to=datetime.date(2026, 12, 31),
    )


def _schedule(world, due, **extra):  # noqa: F811
    return FeeSchedule.objects.create(
        procedure_version=world.version,
        due=due,
        lines=[
            {"kind": "le_phi", "name": "Lệ phí đăng ký khai sinh", "amount_vnd": 10000},
            {"kind": "phi", "name": "Phí cấp bản sao trích lục", "amount_vnd": 3000},
        ],
        **extra,
    )


def test_paid_at_submission_before_reception_frozen_on_the_dossier(
    world,  # noqa: F811
    clock,  # noqa: F811
    online_reduction,
):
    clock.set(at(2026, 3, 2, 8, 0))
    _schedule(world, DueStage.SUBMISSION, pay_within_days=2)
    dossier = submit(world)
    (assessment,) = FeeAssessment.objects.filter(dossier=dossier)
    assert assessment.stage == DueStage.SUBMISSION and assessment.total_vnd == 5000 + 3000
    assert assessment.due_by == at(2026, 3, 4, 8, 0)
    assert AuditEvent.objects.filter(action="payments.fee_assessed").exists()
    # The reduction ends (or changes) later: what was frozen stays.
    online_reduction.effective_to = datetime.date(2026, 3, 1)
    online_reduction.save()
    due = services.fee_request(fresh(dossier))
    assert due is not None and due.total == 8000 and due.stage == DueStage.SUBMISSION
    with pytest.raises(Conflict) as refused:
        receive(world, dossier)
    assert refused.value.code == "fee_unpaid"
    assert fresh(dossier).status == Status.SUBMITTED
    intent = services.payment_record_counter(
        actor=world.reception_a, dossier=fresh(dossier), method="cash"
    )
    assert intent.status == IntentStatus.PAID and intent.amount_vnd == 8000
    assert intent.receipt.lines[0]["adjustment"]["name"].startswith("Giảm 50%")
    assessment.refresh_from_db()
    assert assessment.paid_at is not None
    assert receive(world, fresh(dossier)).status == Status.RECEIVED
    assert services.fee_request(fresh(dossier)) is None


def test_paid_at_reception_blocks_the_result_not_the_processing(
    world,  # noqa: F811
    clock,  # noqa: F811
):
    clock.set(at(2026, 3, 2, 8, 0))
    _schedule(world, DueStage.RECEPTION)
    dossier = receive(world, submit(world))  # no reduction in force: full amounts
    assert services.fee_request(dossier).total == 13000
    dossier = dossiers.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    dossier = dossiers.dossier_forward(actor=world.specialist_a, dossier=dossier, note="Hợp lệ.")
    assert dossier.status == Status.PROCESSING
    with pytest.raises(Conflict) as refused:
        dossiers.dossier_complete(actor=world.leader_a, dossier=dossier, result_summary="Cấp.")
    assert refused.value.code == "fee_unpaid"
    services.payment_record_counter(actor=world.reception_a, dossier=fresh(dossier), method="card")
    done = dossiers.dossier_complete(
        actor=world.leader_a, dossier=fresh(dossier), result_summary="Cấp Giấy khai sinh."
    )
    assert done.status == Status.PROCESSED


def test_the_officers_request_status_6_is_assessed_by_the_engine(
    world,  # noqa: F811
    clock,  # noqa: F811
    online_reduction,
):
    clock.set(at(2026, 3, 2, 8, 0))
    world.version.fees = [{"name": "Lệ phí đăng ký khai sinh", "amount_vnd": 8000}]
    world.version.save()
    dossier = dossiers.dossier_start_processing(
        actor=world.reception_a, dossier=receive(world, submit(world))
    )
    assert not FeeAssessment.objects.filter(dossier=dossier).exists()  # due before the result
    dossier = dossiers.dossier_request_payment(
        actor=world.specialist_a, dossier=dossier, reason="Lệ phí đăng ký khai sinh"
    )
    (assessment,) = FeeAssessment.objects.filter(dossier=dossier)
    assert (assessment.stage, assessment.total_vnd) == (DueStage.RESULT, 4000)
    services.payment_record_counter(actor=world.reception_a, dossier=fresh(dossier), method="cash")
    assert fresh(dossier).status == Status.PROCESSING  # confirm_payment, national status 4
