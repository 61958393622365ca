"""The handling work of issue 16: sub-assignments, the daily reminders (idempotent, in
Vietnamese, through notify), the dashboard figures in working days, and an official document
raised from a dossier's appraisal step whose reply arrives (through the exchange, routed inside
the instance) and shows on the dossier page and on both documents' pages."""

from __future__ import annotations

import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from congso.dossiers import services as dossier_services
from congso.dossiers.models import StepStatus
from congso.eoffice import reminders, selectors, services
from congso.eoffice.models import (
    Direction,
    Document,
    DossierLink,
    Reminder,
    State,
    SubAssignment,
)
from congso.eoffice.services import Recipient, Upload
from congso.indicators.eoffice_panel import dashboard_panel
from congso.indicators.filters import Selection
from congso.notify.models import EventKind, Message
from congso.org.models import Department, Role, RoleAssignment
from congso.signing.models import SignatureRole, SignerProfile
from tests.dossiers.conftest import build_world, online_files, receive
from tests.eoffice.conftest import pdf_bytes, run_jobs

pytestmark = pytest.mark.django_db


def _role(user: Any, role: str, agency: Any, **extra: Any) -> Any:
    RoleAssignment.objects.create(
        user=user, role=role, agency=agency, valid_from=datetime.date(2020, 1, 1), **extra
    )
    return user


@pytest.fixture
def office(db: None, leader_p12: Path) -> Any:
    return build_office(leader_p12)


def build_office(leader_p12: Path) -> Any:
    """The dossier tests' world (commune A, the Department of Justice) with their e-office
    officers: clerks, signing leaders with a PAdES key, e-mail addresses for the reminders."""
    world = build_world()
    for agency, leader in ((world.commune_a, world.leader_a), (world.department, world.leader_stp)):
        SignerProfile.objects.create(
            user=leader,
            agency=agency,
            role=SignatureRole.APPROVAL,
            backend="soft_token",
            display_name=leader.get_full_name(),
            title="Chủ tịch",
            config={"p12_path": str(leader_p12)},
        )
    world.clerk_a = _role(
        User.objects.create_user(username="vanthu.a", password="x", full_name="Trần Thị Thư"),
        Role.CLERK,
        world.commune_a,
    )
    world.clerk_stp = _role(
        User.objects.create_user(username="vanthu.stp", password="x", full_name="Đỗ Văn Sổ"),
        Role.CLERK,
        world.department,
    )
    world.helper_stp = _role(
        User.objects.create_user(
            username="chuyenvien2.stp",
            password="x",
            full_name="Hoàng Thị Giúp",
            email="giup@stp.demo.gov.vn",
        ),
        Role.SPECIALIST,
        world.department,
    )
    for user, email in (
        (world.specialist_stp, "chuyenvien@stp.demo.gov.vn"),
        (world.leader_stp, "lanhdao@stp.demo.gov.vn"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    return world


def _incoming(world: Any, *, subject: str = "Về việc rà soát thủ tục hộ tịch") -> Document:
    """A paper document entered, registered and assigned at the Department: the specialist
    leads with a 5 working days deadline."""
    document = services.incoming_create(
        actor=world.clerk_stp,
        agency_id=world.department.pk,
        doc_type_code="CV",
        issuer_code="000.00.00.H51",
        issuer_name="Ủy ban nhân dân tỉnh Quảng Ngãi",
        code_number="321",
        code_notation="UBND-NC",
        issued_on=timezone.localdate(),
        subject=subject,
        main=Upload("cong-van-den.pdf", pdf_bytes()),
    )
    services.incoming_register(actor=world.clerk_stp, document_id=document.pk)
    return services.incoming_assign(
        actor=world.leader_stp,
        document_id=document.pk,
        lead_id=world.specialist_stp.pk,
        working_days=5,
    )


# --- Sub-assignments -----------------------------------------------------------------------------


def test_the_lead_gives_a_part_to_an_officer_of_the_unit(office: Any) -> None:
    document = _incoming(office)
    sub = services.subassign_create(
        actor=office.specialist_stp,
        document_id=document.pk,
        user_id=office.helper_stp.pk,
        task="Tổng hợp số liệu đăng ký khai sinh quý III",
        working_days=2,
    )
    document.refresh_from_db()
    assert document.state == State.PROCESSING
    assert sub.due_at < document.due_at  # type: ignore[operator]
    # The helper now sees the document and reports; the lead reads the result.
    assert selectors.document_for(office.helper_stp, document.pk) == document
    done = services.subassign_report(
        actor=office.helper_stp, subassignment_id=sub.pk, result="Đã tổng hợp, 412 trường hợp."
    )
    assert done.status == SubAssignment.Status.DONE and done.done_at is not None
    actions = sorted(
        AuditEvent.objects.filter(action__startswith="eoffice.incoming.subassign").values_list(
            "action", flat=True
        )
    )
    assert actions == ["eoffice.incoming.subassign", "eoffice.incoming.subassign_report"]


def test_sub_assignment_bad_input_is_refused_and_nothing_written(office: Any) -> None:
    document = _incoming(office)
    cases = [
        # Not the lead.
        (office.helper_stp, office.specialist_stp.pk, "Việc", 1, "not_assigned"),
        # An officer of another agency.
        (office.specialist_stp, office.specialist_a.pk, "Việc", 1, "invalid_assignee"),
        # Oneself.
        (office.specialist_stp, office.specialist_stp.pk, "Việc", 1, "invalid_assignee"),
        # No task.
        (office.specialist_stp, office.helper_stp.pk, "   ", 1, "task_required"),
        # Past the document's own deadline (5 working days).
        (office.specialist_stp, office.helper_stp.pk, "Việc", 30, "invalid_deadline"),
        (office.specialist_stp, office.helper_stp.pk, "Việc", 0, "invalid_deadline"),
    ]
    for actor, user_id, task, days, code in cases:
        with pytest.raises(DomainError) as caught:
            services.subassign_create(
                actor=actor, document_id=document.pk, user_id=user_id, task=task, working_days=days
            )
        assert caught.value.code == code, (code, caught.value.message)
    assert not SubAssignment.objects.exists()
    # Only the officer given the part reports it, once.
    sub = services.subassign_create(
        actor=office.specialist_stp,
        document_id=document.pk,
        user_id=office.helper_stp.pk,
        task="Việc",
        working_days=1,
    )
    with pytest.raises(DomainError) as caught:
        services.subassign_report(actor=office.specialist_stp, subassignment_id=sub.pk, result="x")
    assert caught.value.code == "not_assigned"
    services.subassign_report(actor=office.helper_stp, subassignment_id=sub.pk, result="Xong")
    with pytest.raises(DomainError) as caught:
        services.subassign_report(actor=office.helper_stp, subassignment_id=sub.pk, result="Lại")
    assert caught.value.code == "invalid_state"


def test_a_unit_with_departments_sub_assigns_inside_the_lead_s_department(office: Any) -> None:
    civil = Department.objects.create(agency=office.department, name="Phòng Hành chính tư pháp")
    other = Department.objects.create(agency=office.department, name="Phòng Bổ trợ tư pháp")
    RoleAssignment.objects.filter(user=office.specialist_stp).update(department=civil)
    RoleAssignment.objects.filter(user=office.helper_stp).update(department=other)
    document = _incoming(office)
    with pytest.raises(DomainError) as caught:
        services.subassign_create(
            actor=office.specialist_stp,
            document_id=document.pk,
            user_id=office.helper_stp.pk,
            task="Việc",
            working_days=1,
        )
    assert caught.value.code == "invalid_assignee"
    RoleAssignment.objects.filter(user=office.helper_stp).update(department=civil)
    services.subassign_create(
        actor=office.specialist_stp,
        document_id=document.pk,
        user_id=office.helper_stp.pk,
        task="Việc",
        working_days=1,
    )


# --- Reminders -----------------------------------------------------------------------------------


def _make_overdue(document: Document, *, days: int = 1) -> None:
    Document.objects.filter(pk=document.pk).update(due_at=timezone.now() - timedelta(days=days))


def test_daily_reminders_go_once_a_day_to_each_person_and_unit_head(office: Any) -> None:
    late = _incoming(office, subject="Về việc báo cáo công tác hộ tịch năm 2026")
    _make_overdue(late)
    soon = _incoming(office, subject="Về việc góp ý dự thảo quy chế phối hợp")
    later = _incoming(office, subject="Về việc kế hoạch năm sau")  # 5 working days: not listed
    sub = services.subassign_create(
        actor=office.specialist_stp,
        document_id=soon.pk,
        user_id=office.helper_stp.pk,
        task="Chuẩn bị ý kiến góp ý",
        working_days=1,
    )
    Document.objects.filter(pk=soon.pk).update(
        due_at=selectors.end_of_tomorrow() - timedelta(hours=3)
    )
    SubAssignment.objects.filter(pk=sub.pk).update(due_at=timezone.now() - timedelta(hours=2))

    sent = reminders.run(force=True)
    assert sent == {"person": 2, "digest": 1}
    person = Reminder.objects.get(user=office.specialist_stp, kind=Reminder.Kind.PERSON)
    assert (person.overdue, person.due_soon) == (1, 1)
    message = person.message
    assert message is not None and message.kind == EventKind.EOFFICE_REMINDER
    assert message.channel == "email" and message.recipient == "chuyenvien@stp.demo.gov.vn"
    assert "1 quá hạn" in message.subject and "1 đến hạn ngày mai" in message.subject
    assert "ĐÃ QUÁ HẠN (1)" in message.body and "báo cáo công tác hộ tịch" in message.body
    assert "góp ý dự thảo quy chế" in message.body and "kế hoạch năm sau" not in message.body
    helper = Reminder.objects.get(user=office.helper_stp)
    assert helper.message is not None and "Chuẩn bị ý kiến góp ý" in helper.message.body
    assert "Được giao việc" in helper.message.body
    digest = Reminder.objects.get(kind=Reminder.Kind.DIGEST)
    assert digest.user == office.leader_stp and digest.agency == office.department
    assert digest.message is not None and "Sở Tư pháp: 2 văn bản quá hạn" in digest.message.subject
    assert "Hoàng Thị Giúp" in digest.message.body, digest.message.body
    listed = selectors.deadlines(until=selectors.end_of_tomorrow())
    assert later.pk not in {d.document.pk for d in listed}

    # Idempotent: a second run the same day sends nothing more.
    assert reminders.run(force=True) == {"person": 0, "digest": 0}
    assert Message.objects.filter(kind=EventKind.EOFFICE_REMINDER).count() == 3
    assert Reminder.objects.count() == 3
    assert AuditEvent.objects.filter(action="eoffice.reminder.person").count() == 2


def test_reminders_wait_for_the_morning_and_come_back_the_next_day(office: Any) -> None:
    late = _incoming(office)
    _make_overdue(late, days=3)
    local = timezone.localtime()
    early = local.replace(hour=5, minute=0)
    assert reminders.run(now=early) == {"person": 0, "digest": 0}
    morning = local.replace(hour=8, minute=0)
    assert reminders.run(now=morning)["person"] == 1
    assert reminders.run(now=morning + timedelta(hours=3))["person"] == 0
    assert reminders.run(now=morning + timedelta(days=1))["person"] == 1
    days = set(Reminder.objects.filter(kind="person").values_list("day", flat=True))
    assert len(days) == 2


def test_a_person_without_contact_is_recorded_once_without_message(office: Any) -> None:
    document = _incoming(office)
    _make_overdue(document)
    office.specialist_stp.email = ""
    office.specialist_stp.save(update_fields=["email"])
    reminders.run(force=True)
    person = Reminder.objects.get(kind="person")
    assert person.message is None
    event = AuditEvent.objects.get(action="eoffice.reminder.person")
    assert "chưa có thư điện tử" in event.after["problem"]
    assert reminders.run(force=True)["person"] == 0


def test_the_periodic_task_is_declared() -> None:
    from congso.core.worker import PERIODIC

    assert "eoffice.reminders" in PERIODIC


# --- The dashboard -------------------------------------------------------------------------------


def test_the_panel_counts_states_overdue_and_working_days(office: Any) -> None:
    done = _incoming(office, subject="Đã xử lý")
    late = _incoming(office, subject="Quá hạn")
    _make_overdue(late)
    services.incoming_complete(actor=office.specialist_stp, document_id=done.pk)
    # Registered on Monday 9:00, done on Thursday 9:00 of a plain week: 3 working days.
    monday = timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 0))
    Document.objects.filter(pk=done.pk).update(
        registered_at=monday, done_at=monday + timedelta(days=3)
    )
    today = timezone.localdate()
    selection = Selection(
        start=datetime.date(2026, 11, 1), end=today, agency_id=None, field_id=None
    )
    panel = dashboard_panel(office.leader_stp, [office.department.pk], selection)
    assert panel is not None
    figures = panel.context["figures"]
    assert figures.handled == 1 and figures.average_days == 3.0
    assert panel.context["average"] == "3,0"
    assert figures.overdue == 1
    assert {state: n for state, _, n in figures.incoming} == {"done": 1, "assigned": 1}
    # Another scope sees none of it.
    other = dashboard_panel(office.leader_a, [office.commune_a.pk], selection)
    assert other is not None and other.context["figures"].overdue == 0
    assert other.context["received"] == 0


# --- A dossier step raises a document; the reply comes back ---------------------------------------


def _pump() -> None:
    from congso.eoffice import exchange
    from congso.eoffice.models import OutboxItem

    for _ in range(20):
        busy = run_jobs()
        for item in OutboxItem.objects.filter(status=OutboxItem.Status.PENDING):
            exchange.deliver(item.pk)
            busy += 1
        if not busy:
            return
    raise AssertionError("the exchange did not settle")


def _sign_and_issue(draft: Document, leader: Any, clerk: Any, author: Any) -> Document:
    services.draft_submit(actor=author, document_id=draft.pk, reviewer_ids=[])
    services.document_sign(actor=leader, document_id=draft.pk)
    return services.document_issue(actor=clerk, document_id=draft.pk)


def _appraisal(world: Any) -> Any:
    dossier = dossier_services.dossier_submit_online(
        actor=world.citizen_user,
        procedure=world.procedure,
        competent_agency=world.commune_a,
        form_data={"ho_ten_tre": "Nguyễn Văn An", "ngay_sinh": "2026-01-20"},
        files=online_files(),
    )
    dossier = receive(world, dossier)
    dossier = dossier_services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    step = dossier.steps.get(status=StepStatus.ACTIVE)
    return dossier, step


def test_a_consultation_letter_from_a_dossier_step_and_its_reply(
    office: Any, settings: Any
) -> None:
    settings.EOFFICE_INTERNAL_ROUTING = True
    settings.OFFICER_2FA_REQUIRED = False
    dossier, step = _appraisal(office)
    letter = services.dossier_draft_create(
        actor=office.specialist_a,
        dossier_id=dossier.pk,
        step_id=step.pk,
        agency_id=office.commune_a.pk,
        doc_type_code="CV",
        subject=f"V/v xin ý kiến về hồ sơ {dossier.code}",
        main=Upload("xin-y-kien.pdf", pdf_bytes()),
        signer_id=office.leader_a.pk,
        signer_position="Chủ tịch",
        recipients=[Recipient(name="Sở Tư pháp", code=office.department.code)],
        to_places=["Như trên", "Lưu: VT"],
        notation_suffix="UBND",
    )
    link = DossierLink.objects.get(document=letter)
    assert (link.dossier, link.step) == (dossier, step)
    assert AuditEvent.objects.filter(action="eoffice.dossier_link.create").count() == 1
    _sign_and_issue(letter, office.leader_a, office.clerk_a, office.specialist_a)
    _pump()
    # The Department receives, registers, assigns and answers.
    received = Document.objects.get(agency=office.department, direction=Direction.INCOMING)
    services.incoming_register(actor=office.clerk_stp, document_id=received.pk)
    services.incoming_assign(
        actor=office.leader_stp,
        document_id=received.pk,
        lead_id=office.specialist_stp.pk,
        working_days=3,
    )
    answer = services.draft_create(
        actor=office.specialist_stp,
        agency_id=office.department.pk,
        doc_type_code="CV",
        subject="V/v trả lời ý kiến về hồ sơ khai sinh",
        main=Upload("tra-loi.pdf", pdf_bytes()),
        signer_id=office.leader_stp.pk,
        signer_position="Giám đốc",
        recipients=[Recipient(name="UBND xã A", code=office.commune_a.code)],
        notation_suffix="STP-HCTP",
        reply_to_id=received.pk,
    )
    answer = _sign_and_issue(answer, office.leader_stp, office.clerk_stp, office.specialist_stp)
    _pump()
    reply = Document.objects.get(agency=office.commune_a, direction=Direction.INCOMING)
    assert reply.reply_to_id == letter.pk

    items = selectors.dossier_documents(office.specialist_a, dossier.pk)
    assert [(i.document.pk, [r.pk for r in i.replies]) for i in items] == [(letter.pk, [reply.pk])]
    assert selectors.dossier_of(letter) == link and selectors.dossier_of(reply) == link
    # Someone who may not see the documents sees no link (the reception officer of commune B).
    assert selectors.dossier_documents(office.reception_b, dossier.pk) == []

    client = Client()
    client.force_login(office.specialist_a)
    response = client.get(f"/can-bo/ho-so/{dossier.code}/")
    assert response.status_code == 200, response
    page = response.content.decode()
    assert "Văn bản điện tử của hồ sơ" in page
    assert f"/can-bo/van-ban/{letter.pk}/" in page and f"/can-bo/van-ban/{reply.pk}/" in page
    assert answer.number_notation in page
    for document in (letter, reply):
        detail = client.get(f"/can-bo/van-ban/{document.pk}/").content.decode()
        assert f"/can-bo/ho-so/{dossier.code}/" in detail
        assert step.name in detail


def test_a_dossier_draft_refuses_a_foreign_agency_or_an_ended_step(office: Any) -> None:
    dossier, step = _appraisal(office)
    draft = {
        "doc_type_code": "CV",
        "subject": "Xin ý kiến",
        "main": Upload("x.pdf", pdf_bytes()),
        "signer_id": office.leader_stp.pk,
        "signer_position": "Giám đốc",
    }
    with pytest.raises(DomainError) as caught:
        services.dossier_draft_create(
            actor=office.specialist_stp,
            dossier_id=dossier.pk,
            step_id=step.pk,
            agency_id=office.department.pk,
            **draft,
        )
    # The Department's specialist may not see commune A's dossier at all.
    assert caught.value.code in {"not_found", "invalid_link"}
    step.status = StepStatus.DONE
    step.save(update_fields=["status"])
    with pytest.raises(DomainError) as caught:
        services.dossier_draft_create(
            actor=office.specialist_a,
            dossier_id=dossier.pk,
            step_id=step.pk,
            agency_id=office.commune_a.pk,
            **{**draft, "signer_id": office.leader_a.pk},
        )
    assert caught.value.code == "invalid_state"
    assert not Document.objects.exists() and not DossierLink.objects.exists()


# --- The API -------------------------------------------------------------------------------------


def test_the_api_sub_assigns_lists_deadlines_and_raises_a_document_from_a_dossier(
    office: Any,
) -> None:
    from tests.eoffice.test_api import call, file

    client = Client()
    document = _incoming(office)
    bad = call(
        client,
        office.specialist_stp,
        f"/documents/{document.pk}/subassignments",
        {"user": office.specialist_a.pk, "task": "Việc", "working_days": 1},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_assignee"
    made = call(
        client,
        office.specialist_stp,
        f"/documents/{document.pk}/subassignments",
        {"user": office.helper_stp.pk, "task": "Tổng hợp số liệu", "working_days": 1},
    )
    assert made.status_code == 201, made.json()
    sub = made.json()
    assert sub["status"] == "open" and sub["user"] == office.helper_stp.pk
    SubAssignment.objects.filter(pk=sub["id"]).update(due_at=timezone.now() - timedelta(hours=1))
    mine = call(client, office.helper_stp, "/deadlines").json()
    assert [(d["document"], d["role"], d["overdue"]) for d in mine] == [(document.pk, "sub", True)]
    assert (
        call(client, office.leader_a, f"/documents/{document.pk}/subassignments").status_code == 404
    )
    reported = call(
        client, office.helper_stp, f"/subassignments/{sub['id']}/report", {"result": "Xong"}
    )
    assert reported.status_code == 200 and reported.json()["status"] == "done"

    dossier, step = _appraisal(office)
    draft = {
        "agency": office.commune_a.pk,
        "doc_type": "CV",
        "subject": f"V/v xin ý kiến về hồ sơ {dossier.code}",
        "main": file("xin-y-kien.pdf", pdf_bytes()),
        "signer": office.leader_a.pk,
        "signer_position": "Chủ tịch",
        "step": step.pk,
    }
    unseen = call(client, office.specialist_stp, f"/dossiers/{dossier.code}/documents", draft)
    assert unseen.status_code == 404 and unseen.json()["code"] == "not_found"
    created = call(client, office.specialist_a, f"/dossiers/{dossier.code}/documents", draft)
    assert created.status_code == 201, created.json()
    listed = call(client, office.specialist_a, f"/dossiers/{dossier.code}/documents").json()
    assert [(i["document"]["id"], i["step"], i["replies"]) for i in listed] == [
        (created.json()["id"], step.pk, [])
    ]
    again = call(
        client,
        office.specialist_a,
        f"/documents/{created.json()['id']}/dossier-link",
        {"dossier": dossier.code},
    )
    assert again.status_code == 409 and again.json()["code"] == "already_linked"
