"""Every path of the lifecycle, with statuses, national codes, steps and deadlines.

The clock starts on Monday 02/03/2026 09:00; the procedure's limit is 3 working days, so a dossier
received then is due on Wednesday 04/03/2026 17:00. The process: reception (2 h), appraisal by a
specialist (12 h), signature by the leader (4 h, may complete), return at the desk (1 h).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.core.models import Job
from congso.dossiers import selectors, services
from congso.dossiers.models import (
    Channel,
    DossierEvent,
    DossierHistory,
    Rating,
    StepKind,
    StepStatus,
)
from congso.dossiers.workflow import NATIONAL_CODE, Status
from tests.dossiers.conftest import at, fresh, pdf, png, receive, submit, to_processing

#: What a leader writes when the result is ready (printed in the tracking book).
SUMMARY = "Đã đăng ký khai sinh, cấp Trích lục khai sinh số 15/2026."


def active_steps(dossier):
    return list(dossier.steps.filter(status=StepStatus.ACTIVE).order_by("pk"))


def check_status(dossier, status: Status, national: int) -> None:
    assert dossier.status == status
    assert dossier.national_status == national == NATIONAL_CODE[status]


def test_happy_path_online_to_return_and_rating(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    check_status(dossier, Status.SUBMITTED, 1)
    assert dossier.channel_national_code == 2
    assert dossier.received_at is None and dossier.appointment_at is None

    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(world, dossier)
    check_status(dossier, Status.RECEIVED, 2)
    assert dossier.received_at == at(2026, 3, 2, 9, 0)
    # 3 working days from Monday 09:00 (RULES.md §2): Thursday 09:00.
    assert dossier.appointment_at == dossier.due_at == at(2026, 3, 5, 9, 0)
    assert dossier.initial_appointment_at == at(2026, 3, 5, 9, 0)
    reception = dossier.steps.get(name="Tiếp nhận hồ sơ")
    # The reception step ran from the online submission (08:00) to the reception (09:00).
    assert reception.status == StepStatus.DONE
    assert reception.started_at == at(2026, 3, 2, 8, 0)
    assert reception.due_at == at(2026, 3, 2, 10, 0)
    assert reception.timeliness == "on_time"  # same day as its due time

    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    check_status(dossier, Status.PROCESSING, 4)
    (appraisal,) = active_steps(dossier)
    assert appraisal.name == "Thẩm định hồ sơ"
    assert appraisal.due_at == at(2026, 3, 3, 14, 30)  # 12 working hours from Monday 09:00

    clock.set(at(2026, 3, 3, 10, 0))
    dossier = services.dossier_forward(
        actor=world.specialist_a, dossier=dossier, note="Hồ sơ hợp lệ."
    )
    check_status(dossier, Status.PROCESSING, 4)
    appraisal.refresh_from_db()
    assert appraisal.status == StepStatus.DONE and appraisal.timeliness == "on_time"
    (signature,) = active_steps(dossier)
    assert (signature.name, signature.role) == ("Ký duyệt kết quả", "leader")
    assert signature.due_at == at(2026, 3, 3, 15, 30)  # 4 h from Tuesday 10:00

    clock.set(at(2026, 3, 3, 14, 0))
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary="Cấp Giấy khai sinh bản chính."
    )
    check_status(dossier, Status.PROCESSED, 9)
    assert dossier.ended_at == at(2026, 3, 3, 14, 0)
    assert dossier.timeliness == "early"  # Tuesday, before the due day (Thursday)

    clock.set(at(2026, 3, 3, 15, 0))
    dossier = services.dossier_return_result(
        actor=world.reception_a, dossier=dossier, method="desk"
    )
    check_status(dossier, Status.RETURNED, 10)
    assert dossier.return_method == "desk"
    assert dossier.steps.get(name="Trả kết quả").status == StepStatus.DONE
    assert dossier.timeliness == "early"  # frozen when processing ended

    rating = services.dossier_rate(
        actor=world.citizen_user, dossier=dossier, score=5, comment="Nhanh."
    )
    assert rating.score == 5
    with pytest.raises(Conflict) as again:
        services.dossier_rate(actor=world.citizen_user, dossier=fresh(dossier), score=1)
    assert again.value.code == "already_rated"
    assert Rating.objects.count() == 1

    actions = [row.action for row in selectors.history_of(dossier)]
    assert actions == [
        "submit",
        "receive",
        "start_processing",
        "forward",
        "complete",
        "return_result",
        "rate",
    ]
    assert DossierEvent.objects.filter(dossier=dossier).count() == len(actions)
    assert Job.objects.filter(name="dossiers.publish_event").count() == len(actions)
    assert fresh(dossier).version == len(actions)


def test_received_before_tet_after_15h(world, clock):
    clock.set(at(2026, 2, 13, 16, 0))
    dossier = submit(world)
    clock.set(at(2026, 2, 13, 16, 59))
    dossier = receive(world, dossier)
    assert dossier.code.startswith("000.00.51.H51-260213-")  # submission day
    assert dossier.clock_started_at == at(2026, 2, 13, 16, 59)
    # The 15:00 rule moves the papers, not the start: Mon 23, Tue 24, Wed 25 at 16:59.
    assert dossier.appointment_at == at(2026, 2, 25, 16, 59)


def test_in_person_and_postal_reception(world, clock):
    clock.set(at(2026, 3, 2, 10, 0))
    dossier = services.dossier_receive_in_person(
        actor=world.reception_a,
        procedure=world.procedure,
        competent_agency=world.commune_a,
        desk=world.desk_a,
        citizen=world.citizen,
        form_data={"ho_ten_tre": "Trần Thị Bình", "ngay_sinh": "2026-02-01"},
        files={"to-khai": [pdf()]},
    )
    check_status(dossier, Status.RECEIVED, 2)
    assert dossier.channel == Channel.IN_PERSON and dossier.channel_national_code == 1
    assert dossier.code == "000.00.51.H51-260302-0001"
    assert dossier.appointment_at == at(2026, 3, 5, 10, 0)
    assert dossier.submitted_by is None
    components = {c.code: c for c in dossier.components.all()}
    assert components["to-khai"].paper_received and components["to-khai"].digitised
    assert components["giay-chung-sinh"].paper_received
    assert not components["giay-chung-sinh"].digitised
    assert not components["giay-uy-quyen"].paper_received
    assert [row.action for row in dossier.history.all()] == ["receive"]
    assert dossier.version == 1
    # The applicant sees it through their account.
    assert selectors.dossier_for(world.citizen_user, dossier.code) == dossier

    postal = services.dossier_receive_in_person(
        actor=world.reception_a,
        procedure=world.procedure,
        competent_agency=world.commune_a,
        desk=world.desk_a,
        organisation=world.organisation,
        channel=Channel.POSTAL,
        form_data={"ho_ten_tre": "Lê Văn Cường", "ngay_sinh": "2026-02-02"},
        files={"to-khai": [pdf()]},
        paper_components=["to-khai", "giay-chung-sinh"],
    )
    assert postal.channel_national_code == 3
    assert postal.applicant_name == world.organisation.name
    assert postal.code.endswith("-0002")

    with pytest.raises(DomainError) as missing:
        services.dossier_receive_in_person(
            actor=world.reception_a,
            procedure=world.procedure,
            competent_agency=world.commune_a,
            desk=world.desk_a,
            citizen=world.citizen,
            form_data={"ho_ten_tre": "X", "ngay_sinh": "2026-02-02"},
            files={"to-khai": [pdf()]},
            paper_components=["to-khai"],
        )
    assert missing.value.code == "component_missing"
    assert missing.value.field == "files.giay-chung-sinh"

    with pytest.raises(PermissionDenied):
        services.dossier_receive_in_person(
            actor=world.specialist_a,
            procedure=world.procedure,
            competent_agency=world.commune_a,
            desk=world.desk_a,
            citizen=world.citizen,
            form_data={},
            files={},
        )


def test_refusal_at_reception(world, clock):
    dossier = submit(world)
    with pytest.raises(DomainError) as no_reason:
        services.dossier_not_accept(actor=world.reception_a, dossier=dossier, reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(PermissionDenied):
        services.dossier_not_accept(
            actor=world.reception_b, dossier=dossier, reason="Không thuộc thẩm quyền."
        )
    dossier = services.dossier_not_accept(
        actor=world.reception_a, dossier=dossier, reason="Không thuộc thẩm quyền của xã."
    )
    check_status(dossier, Status.NOT_ACCEPTED, 3)
    assert dossier.outcome_reason == "Không thuộc thẩm quyền của xã."
    assert dossier.timeliness == "" and dossier.ended_at is None
    with pytest.raises(Conflict) as terminal:
        receive(world, dossier)
    assert terminal.value.code == "invalid_transition"


def test_refusal_after_appraisal(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    clock.set(at(2026, 3, 5, 8, 30))  # due Thursday 09:00
    dossier = services.dossier_refuse(
        actor=world.specialist_a, dossier=dossier, reason="Không đủ điều kiện đăng ký."
    )
    check_status(dossier, Status.STOPPED, 8)
    assert dossier.timeliness == "on_time"  # ended on the due day, before the due instant
    assert not active_steps(dossier)
    row = dossier.history.get(action="refuse")
    assert row.step_name == "Thẩm định hồ sơ" and row.outcome == "on_time"


def test_supplement_restarts_the_clock_and_a_second_request_is_late(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(DomainError) as empty:
        services.dossier_request_supplement(
            actor=world.specialist_a, dossier=dossier, reason="Thiếu giấy tờ", missing_items=[]
        )
    assert empty.value.code == "missing_items_required"

    clock.set(at(2026, 3, 3, 9, 0))
    dossier = services.dossier_request_supplement(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Giấy chứng sinh không rõ.",
        missing_items=[
            {"component": "giay-chung-sinh", "note": "Chụp lại bản rõ nét."},
            {"field": "ho_ten_tre", "label": "Họ tên của trẻ"},
        ],
    )
    check_status(dossier, Status.SUPPLEMENT_REQUESTED, 5)
    assert dossier.supplement_count == 1
    assert not active_steps(dossier)
    request = dossier.supplements.get()
    assert [item["label"] for item in request.items] == ["Giấy chứng sinh", "Họ tên của trẻ"]

    with pytest.raises(DomainError) as incomplete:
        services.dossier_supplement(
            actor=world.citizen_user, dossier=dossier, files={"giay-chung-sinh": [png()]}
        )
    assert incomplete.value.code == "supplement_incomplete"
    assert incomplete.value.field == "form_data.ho_ten_tre"

    clock.set(at(2026, 3, 5, 10, 0))  # Thursday: the clock restarts from zero
    dossier = services.dossier_supplement(
        actor=world.citizen_user,
        dossier=dossier,
        files={"giay-chung-sinh": [png("ro-net.png")]},
        form_data={"ho_ten_tre": "Nguyễn Văn Anh"},
    )
    check_status(dossier, Status.RECEIVED, 2)
    assert dossier.clock_started_at == at(2026, 3, 5, 10, 0)
    assert dossier.appointment_at == dossier.due_at == at(2026, 3, 10, 10, 0)
    assert dossier.initial_appointment_at == at(2026, 3, 5, 9, 0)
    assert dossier.form_data["ho_ten_tre"] == "Nguyễn Văn Anh"
    versions = list(
        dossier.components.get(code="giay-chung-sinh")
        .attachments.order_by("version")
        .values_list("version", "original_name")
    )
    assert versions == [(1, "giay-chung-sinh.png"), (2, "ro-net.png")]
    assert fresh(dossier).supplements.get().fulfilled_at == at(2026, 3, 5, 10, 0)

    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    (appraisal,) = active_steps(dossier)
    assert appraisal.name == "Thẩm định hồ sơ"

    # A second request (still within 3 working days of the complete dossier) …
    clock.set(at(2026, 3, 6, 9, 0))
    dossier = services.dossier_request_supplement(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Thiếu văn bản ủy quyền.",
        missing_items=[{"component": "giay-uy-quyen"}],
    )
    assert dossier.supplement_count == 2
    assert selectors.dossiers_for(world.leader_a, overdue=True).filter(pk=dossier.pk).exists()
    clock.set(at(2026, 3, 6, 10, 0))
    dossier = services.dossier_supplement(
        actor=world.citizen_user,
        dossier=dossier,
        files={"giay-uy-quyen": [pdf("uy-quyen.pdf", b"%PDF-1.4\n%%EOF\n")]},
    )
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary=SUMMARY
    )
    # … makes it late even though it ended days before its appointment.
    assert dossier.timeliness == "late"


def test_supplement_request_only_within_three_working_days(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    clock.set(at(2026, 3, 5, 9, 1))  # 3 working days from Monday 09:00 ended Thursday 09:00
    with pytest.raises(DomainError) as too_late:
        services.dossier_request_supplement(
            actor=world.specialist_a,
            dossier=dossier,
            reason="Thiếu",
            missing_items=[{"component": "giay-chung-sinh"}],
        )
    assert too_late.value.code == "supplement_window_passed"
    assert too_late.value.status == 409


def test_supplement_before_reception_goes_back_to_the_queue(world, clock):
    dossier = submit(world)
    dossier = services.dossier_request_supplement(
        actor=world.reception_a,
        dossier=dossier,
        reason="Thiếu giấy chứng sinh bản rõ.",
        missing_items=[{"component": "giay-chung-sinh"}],
    )
    check_status(dossier, Status.SUPPLEMENT_REQUESTED, 5)
    assert dossier.supplement_count == 0  # not received yet: not counted
    dossier = services.dossier_supplement(
        actor=world.citizen_user, dossier=dossier, files={"giay-chung-sinh": [png()]}
    )
    check_status(dossier, Status.SUBMITTED, 1)
    assert dossier.history.order_by("-pk").first().action == "resubmit"


def test_consultation_in_parallel_with_its_own_deadline(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    assert not selectors.dossiers_for(world.specialist_stp).exists()
    dossier = services.dossier_consult(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Xin ý kiến về quốc tịch của trẻ.",
        consultations=[services.ParallelRequest(agency=world.department, hours=Decimal(8))],
    )
    consultation = dossier.steps.get(kind=StepKind.CONSULTATION)
    assert consultation.status == StepStatus.ACTIVE
    assert consultation.due_at == at(2026, 3, 3, 9, 0)  # 8 working hours from Mon 09:00
    assert consultation.parent.name == "Thẩm định hồ sơ"
    # The consulted agency now sees the dossier.
    assert selectors.dossiers_for(world.specialist_stp).filter(pk=dossier.pk).exists()

    with pytest.raises(Conflict) as waiting:
        services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    assert waiting.value.code == "consultation_open"
    with pytest.raises(PermissionDenied):
        services.dossier_answer_consultation(
            actor=world.specialist_b, dossier=dossier, note="Ý kiến"
        )

    clock.set(at(2026, 3, 3, 10, 0))
    dossier = services.dossier_answer_consultation(
        actor=world.specialist_stp, dossier=dossier, note="Đồng ý, trẻ có quốc tịch Việt Nam."
    )
    consultation.refresh_from_db()
    assert consultation.status == StepStatus.DONE
    assert consultation.timeliness == "late"  # answered an hour after its deadline
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    assert [step.name for step in active_steps(dossier)] == ["Ký duyệt kết quả"]


def test_interagency_transfer_with_a_lead(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(DomainError) as no_lead:
        services.dossier_transfer(
            actor=world.specialist_a,
            dossier=dossier,
            reason="Liên thông",
            transfers=[
                services.ParallelRequest(agency=world.department, hours=Decimal(4)),
                services.ParallelRequest(agency=world.commune_b, hours=Decimal(4)),
            ],
        )
    assert no_lead.value.code == "lead_required"
    dossier = services.dossier_transfer(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Liên thông khai sinh – thường trú.",
        transfers=[
            services.ParallelRequest(agency=world.department, hours=Decimal(6), is_lead=True),
            services.ParallelRequest(agency=world.commune_b, hours=Decimal(4)),
        ],
    )
    lead, other = active_steps(dossier)
    assert lead.kind == other.kind == StepKind.INTERAGENCY
    assert lead.is_lead and not other.is_lead
    assert lead.due_at == at(2026, 3, 2, 16, 30)  # 6 working hours from Monday 09:00
    assert other.due_at == at(2026, 3, 2, 14, 30)  # 4 working hours
    assert selectors.dossiers_for(world.specialist_b).filter(pk=dossier.pk).exists()

    with pytest.raises(Conflict) as waits:
        services.dossier_forward(actor=world.specialist_stp, dossier=dossier)
    assert waits.value.code == "lead_waits"
    clock.set(at(2026, 3, 2, 14, 0))
    dossier = services.dossier_forward(
        actor=world.specialist_b, dossier=dossier, note="Đã đăng ký thường trú."
    )
    clock.set(at(2026, 3, 2, 16, 0))
    dossier = services.dossier_forward(actor=world.specialist_stp, dossier=dossier)
    # The internal process continues: the leader of the competent agency signs.
    assert [step.name for step in active_steps(dossier)] == ["Ký duyệt kết quả"]
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary=SUMMARY
    )
    check_status(dossier, Status.PROCESSED, 9)
    other.refresh_from_db()
    assert other.timeliness == "on_time"


def test_transfer_at_the_end_of_the_process_is_completed_by_the_lead_leader(world, clock):
    world.process.steps.filter(order=3).update(allowed_actions=[])
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    dossier = services.dossier_transfer(
        actor=world.leader_a,
        dossier=dossier,
        reason="Chuyển cấp tỉnh giải quyết.",
        transfers=[services.ParallelRequest(agency=world.department, hours=Decimal(4))],
    )
    with pytest.raises(DomainError) as last:
        services.dossier_forward(actor=world.specialist_stp, dossier=dossier)
    assert last.value.code == "last_step"
    with pytest.raises(PermissionDenied) as needs_leader:
        services.dossier_complete(
            actor=world.specialist_stp, dossier=dossier, result_summary=SUMMARY
        )
    assert needs_leader.value.code == "leader_required"
    dossier = services.dossier_complete(
        actor=world.leader_stp, dossier=dossier, result_summary=SUMMARY
    )
    check_status(dossier, Status.PROCESSED, 9)


def test_send_back_to_the_previous_step(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(DomainError) as first:
        services.dossier_send_back(actor=world.specialist_a, dossier=dossier, reason="Sai")
    assert first.value.code == "no_previous_step"
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    clock.set(at(2026, 3, 2, 15, 0))
    dossier = services.dossier_send_back(
        actor=world.leader_a, dossier=dossier, reason="Kiểm tra lại ngày sinh."
    )
    check_status(dossier, Status.PROCESSING, 4)
    (again,) = active_steps(dossier)
    assert again.name == "Thẩm định hồ sơ" and again.request_note == "Kiểm tra lại ngày sinh."
    assert dossier.steps.filter(name="Thẩm định hồ sơ").count() == 2
    assert dossier.steps.get(name="Ký duyệt kết quả").status == StepStatus.SENT_BACK


def test_who_may_act_on_a_step(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(PermissionDenied):
        services.dossier_forward(actor=world.reception_a, dossier=dossier)
    with pytest.raises(PermissionDenied):
        services.dossier_forward(actor=world.specialist_b, dossier=dossier)
    with pytest.raises(PermissionDenied) as leader:
        services.dossier_complete(actor=world.specialist_a, dossier=dossier, result_summary=SUMMARY)
    assert leader.value.code == "leader_required"
    with pytest.raises(DomainError) as remaining:
        services.dossier_complete(actor=world.leader_a, dossier=dossier, result_summary=SUMMARY)
    assert remaining.value.code == "steps_remaining"
    with pytest.raises(PermissionDenied):
        services.dossier_receive(actor=world.specialist_a, dossier=submit(world))
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    with pytest.raises(PermissionDenied) as not_allowed:
        services.dossier_consult(
            actor=world.leader_a,
            dossier=dossier,
            reason="x",
            consultations=[services.ParallelRequest(agency=world.department, hours=Decimal(1))],
        )
    assert not_allowed.value.code == "action_not_allowed_at_step"


def test_assignment_of_the_next_step(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(world, submit(world))
    with pytest.raises(DomainError) as wrong:
        services.dossier_start_processing(
            actor=world.reception_a, dossier=dossier, assignee=world.specialist_b
        )
    assert wrong.value.code == "assignee_invalid"
    dossier = services.dossier_start_processing(
        actor=world.reception_a, dossier=fresh(dossier), assignee=world.specialist_a
    )
    (step,) = active_steps(dossier)
    assert step.assignee == world.specialist_a


def test_apology_once_and_not_on_the_due_day(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))  # due Thu 05/03 09:00
    clock.set(at(2026, 3, 3, 16, 0))
    dossier = services.dossier_apologise(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Cần xác minh thêm tại nơi sinh.",
        new_appointment_at=at(2026, 3, 6, 17, 0),
    )
    check_status(dossier, Status.PROCESSING, 4)
    assert dossier.appointment_at == at(2026, 3, 6, 17, 0)
    assert dossier.rescheduled_from == at(2026, 3, 5, 9, 0)
    assert dossier.due_at == at(2026, 3, 5, 9, 0)  # the legal due time does not move
    with pytest.raises(Conflict) as twice:
        services.dossier_apologise(
            actor=world.leader_a,
            dossier=dossier,
            reason="Lần hai",
            new_appointment_at=at(2026, 3, 10, 17, 0),
        )
    assert twice.value.code == "already_rescheduled"
    # Finished after the legal due time but before the new appointment: still late.
    clock.set(at(2026, 3, 5, 10, 0))
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary=SUMMARY
    )
    assert dossier.timeliness == "late"
    assert dossier.history.get(action="apologise").due_at == at(2026, 3, 6, 17, 0)


def test_apology_refused_less_than_one_working_day_before(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))  # due Thu 05/03 09:00
    clock.set(at(2026, 3, 4, 10, 0))  # 7 working hours left
    with pytest.raises(DomainError) as late:
        services.dossier_apologise(
            actor=world.leader_a,
            dossier=dossier,
            reason="Chậm",
            new_appointment_at=at(2026, 3, 6, 17, 0),
        )
    assert late.value.code == "apology_too_late"
    assert "01 ngày làm việc" in late.value.message
    clock.set(at(2026, 3, 3, 9, 0))
    with pytest.raises(DomainError) as earlier:
        services.dossier_apologise(
            actor=world.leader_a,
            dossier=dossier,
            reason="Chậm",
            new_appointment_at=at(2026, 3, 4, 12, 0),
        )
    assert earlier.value.code == "new_appointment_not_later"
    for moment, code in (
        (at(2026, 3, 7, 10, 0), "new_appointment_not_working_day"),  # Saturday
        (datetime(9999, 1, 4, 10, 0, tzinfo=UTC), "calendar_out_of_range"),
    ):
        with pytest.raises(DomainError) as bad:
            services.dossier_apologise(
                actor=world.leader_a, dossier=dossier, reason="Chậm", new_appointment_at=moment
            )
        assert (bad.value.code, bad.value.field) == (code, "new_appointment_at")
    with pytest.raises(PermissionDenied):
        services.dossier_apologise(
            actor=world.reception_b,
            dossier=dossier,
            reason="Chậm",
            new_appointment_at=at(2026, 3, 6, 17, 0),
        )


def test_withdrawal_confirmed(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(PermissionDenied):
        services.dossier_request_withdrawal(
            actor=world.other_user, dossier=dossier, reason="Không cần nữa"
        )
    dossier = services.dossier_request_withdrawal(
        actor=world.citizen_user, dossier=dossier, reason="Không cần nữa."
    )
    check_status(dossier, Status.WITHDRAWAL_REQUESTED, 7)
    with pytest.raises(Conflict):
        services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    clock.set(at(2026, 3, 2, 10, 0))
    dossier = services.dossier_confirm_withdrawal(actor=world.reception_a, dossier=dossier)
    check_status(dossier, Status.WITHDRAWN, 8)
    assert dossier.ended_at == at(2026, 3, 2, 10, 0)
    assert not active_steps(dossier)


def test_withdrawal_declined_returns_to_the_previous_state(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    dossier = services.dossier_request_withdrawal(
        actor=world.citizen_user, dossier=dossier, reason="Đổi ý."
    )
    dossier = services.dossier_decline_withdrawal(
        actor=world.reception_a, dossier=dossier, reason="Hồ sơ đã được ký duyệt."
    )
    check_status(dossier, Status.PROCESSING, 4)
    assert dossier.status_before_withdrawal == ""
    assert [step.name for step in active_steps(dossier)] == ["Thẩm định hồ sơ"]


def test_payment_pauses_the_clock(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    clock.set(at(2026, 3, 2, 10, 0))
    dossier = services.dossier_request_payment(
        actor=world.specialist_a, dossier=dossier, reason="Lệ phí 8.000 đồng.", amount_vnd=8000
    )
    check_status(dossier, Status.PAYMENT_REQUESTED, 6)
    with pytest.raises(Conflict):
        services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    clock.set(at(2026, 3, 3, 10, 0))  # 8 working hours later
    dossier = services.dossier_confirm_payment(actor=None, dossier=dossier, note="Cổng thanh toán")
    check_status(dossier, Status.PROCESSING, 4)
    assert dossier.paused_seconds == 8 * 3600
    assert dossier.due_at == dossier.appointment_at == at(2026, 3, 6, 9, 0)
    (step,) = active_steps(dossier)
    assert step.due_at == at(2026, 3, 4, 14, 30)  # Tue 14:30 + 8 h
    # Finishing on Friday before 09:00 is now on time.
    clock.set(at(2026, 3, 6, 8, 30))
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary=SUMMARY
    )
    assert dossier.timeliness == "on_time"


def test_confirming_payment_needs_the_desk_or_the_step_holder(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    dossier = services.dossier_request_payment(
        actor=world.specialist_a, dossier=dossier, reason="Lệ phí"
    )
    with pytest.raises(PermissionDenied):
        services.dossier_confirm_payment(actor=world.specialist_b, dossier=dossier)
    dossier = services.dossier_confirm_payment(actor=world.reception_a, dossier=dossier)
    assert dossier.status == Status.PROCESSING


def test_fallback_plan_without_an_internal_process(world, clock):
    world.process.delete()
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    (step,) = active_steps(dossier)
    assert step.name == services.FALLBACK_STEP_NAME
    assert step.hours == Decimal("24.00")  # the whole legal limit: 3 days × 8 h
    with pytest.raises(DomainError) as last:
        services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    assert last.value.code == "last_step"
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary=SUMMARY
    )
    assert dossier.status == Status.PROCESSED


def test_components_marked_verified_and_digitised_are_audited(world, clock):
    from congso.audit.models import AuditEvent

    dossier = receive(world, submit(world))
    component = services.dossier_component_mark(
        actor=world.reception_a, dossier=dossier, component_code="to-khai", verified=True
    )
    assert component.verified and component.verified_by == world.reception_a
    component = services.dossier_component_mark(
        actor=world.reception_a,
        dossier=fresh(dossier),
        component_code="giay-uy-quyen",
        scan=pdf("scan.pdf", b"%PDF-1.7\n%%EOF"),
    )
    assert component.digitised and component.attachments.count() == 1
    events = AuditEvent.objects.filter(action="dossiers.mark_component")
    assert events.count() == 2
    with pytest.raises(PermissionDenied):
        services.dossier_component_mark(
            actor=world.specialist_b,
            dossier=fresh(dossier),
            component_code="to-khai",
            digitised=True,
        )
    assert DossierHistory.objects.filter(dossier=dossier, action="mark_component").count() == 2


def test_tracking_book_of_a_desk(world, clock):
    import datetime

    clock.set(at(2026, 3, 2, 9, 0))
    first = receive(world, submit(world))
    submit(world)  # not received: not in the book
    clock.set(at(2026, 3, 3, 9, 0))
    second = receive(world, submit(world))
    book = selectors.desk_book(
        world.desk_a, start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 3)
    )
    assert list(book) == [first, second]
    only_monday = selectors.desk_book(
        world.desk_a, start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 2)
    )
    assert list(only_monday) == [first]
    assert not selectors.desk_book(
        world.desk_b, start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 3)
    ).exists()


@pytest.mark.parametrize("summary", ["", "   ", "-", "…\n"])
def test_completion_without_a_result_summary_is_refused(world, clock, summary):
    dossier = to_processing(world, clock, at(2026, 3, 2, 8, 0))
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    version = fresh(dossier).version
    with pytest.raises(DomainError) as refused:
        services.dossier_complete(actor=world.leader_a, dossier=dossier, result_summary=summary)
    assert refused.value.code == "result_summary_required"
    assert refused.value.field == "result_summary"
    assert "Cần nhập kết quả giải quyết" in refused.value.message
    # Nothing moved: same state, same version, no history row.
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSING and dossier.version == version
    assert not dossier.history.filter(action="complete").exists()
    done = services.dossier_complete(actor=world.leader_a, dossier=dossier, result_summary=SUMMARY)
    assert done.status == Status.PROCESSED and done.result_summary == SUMMARY
