"""An outgoing document from draft to numbered and dispatched, through the axis simulator, to a
department and a commune of the same instance; each receives, registers, assigns, processes and
replies; the sender sees 01 → 03 → 04 → 05 → 06 come back; a recall is requested and accepted."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from congso.core.errors import DomainError
from congso.eoffice import edxml, seals, services
from congso.eoffice.models import (
    Channel,
    Direction,
    Dispatch,
    Document,
    FileRole,
    OutboxItem,
    Package,
    State,
)
from congso.eoffice.services import Recipient, Upload
from tests.eoffice.conftest import SO, XA, World, pdf_bytes

pytestmark = pytest.mark.django_db


def issue(
    world: World, *, subject: str = "Về việc triển khai văn bản điện tử", **extra
) -> Document:
    office = world.ubnd
    draft = services.draft_create(
        actor=office.specialist,
        agency_id=office.agency.pk,
        doc_type_code="CV",
        subject=subject,
        main=Upload("cong-van.pdf", pdf_bytes(2)),
        attachments=[Upload("phu-luc.pdf", pdf_bytes())],
        signer_id=office.leader.pk,
        signer_position="Chủ tịch",
        signer_competence="KT.",
        recipients=[
            Recipient(name="Sở Nội vụ", code=SO),
            Recipient(name="UBND xã Một", code=XA),
            Recipient(name="Lưu: VT", channel=Channel.PAPER),
        ],
        to_places=["Như trên", "Lưu: VT"],
        place="Demo",
        notation_suffix="UBND-VP",
        page_count=2,
        **extra,
    )
    services.draft_submit(
        actor=office.specialist, document_id=draft.pk, reviewer_ids=[office.head.pk]
    )
    services.draft_review(actor=office.head, document_id=draft.pk, approve=True, comment="Đồng ý")
    services.document_sign(actor=office.leader, document_id=draft.pk)
    return services.document_issue(actor=office.clerk, document_id=draft.pk)


def incoming(world: World, code: str) -> Document:
    return Document.objects.get(agency=world.offices[code].agency, direction=Direction.INCOMING)


def test_a_document_goes_out_is_handled_and_answered(
    world: World, pump: Callable[[], None]
) -> None:
    document = issue(world)
    assert document.state == State.ISSUED
    assert document.number_notation == "01/UBND-VP"
    assert (
        document.document_id == f"{document.issuer_code},{document.issued_on:%Y/%m/%d},01/UBND-VP"
    )
    assert document.files.get(version=document.version, role=FileRole.MAIN).signed

    pump()
    dispatches = {d.recipient_code: d for d in document.dispatches.all()}
    assert dispatches[SO].delivery == Dispatch.Delivery.SENT
    assert dispatches[""].delivery == Dispatch.Delivery.MARKED
    assert dispatches[SO].status_code == edxml.ARRIVED

    for code in (SO, XA):
        office = world.offices[code]
        received = incoming(world, code)
        assert received.state == State.ARRIVED
        assert received.number_notation == "01/UBND-VP"
        assert received.signer_competence == "KT."
        assert received.files.filter(role=FileRole.MAIN).count() == 1
        outcome = services.incoming_register(actor=office.clerk, document_id=received.pk)
        assert outcome.document.register_number == 1 and not outcome.warnings
        services.incoming_assign(
            actor=office.leader,
            document_id=received.pk,
            lead_id=office.specialist.pk,
            co_ids=[office.head.pk],
            working_days=5,
        )
        services.incoming_comment(
            actor=office.specialist, document_id=received.pk, text="Đang soạn trả lời."
        )
        reply = services.draft_create(
            actor=office.specialist,
            agency_id=office.agency.pk,
            doc_type_code="BC",
            subject="Báo cáo triển khai văn bản điện tử",
            main=Upload("bao-cao.pdf", pdf_bytes()),
            signer_id=office.leader.pk,
            signer_position="Giám đốc",
            recipients=[Recipient(name="UBND tỉnh", code=document.issuer_code)],
            reply_to_id=received.pk,
        )
        services.draft_submit(actor=office.specialist, document_id=reply.pk, reviewer_ids=[])
        services.document_sign(actor=office.leader, document_id=reply.pk)
        reply = services.document_issue(actor=office.clerk, document_id=reply.pk)
        assert reply.code_notation == f"BC-{office.agency.short_name}"
        services.incoming_complete(
            actor=office.specialist, document_id=received.pk, reply_id=reply.pk
        )

    pump()
    for code in (SO, XA):
        dispatch = document.dispatches.get(recipient_code=code)
        received_codes = list(
            dispatch.status_events.filter(direction=Direction.INCOMING)
            .order_by("at", "pk")
            .values_list("code", flat=True)
        )
        assert received_codes == ["01", "03", "04", "05", "06"]
        assert dispatch.status_code == "06"
        assert "Đã trả lời bằng văn bản số" in dispatch.status_description
    # The replies arrived at the UBND, linked to the document they answer.
    replies = Document.objects.filter(agency=world.ubnd.agency, direction=Direction.INCOMING)
    assert replies.count() == 2
    assert {r.reply_to_id for r in replies} == {document.pk}
    # Every package that went out or came in validated and verified.
    anchors = seals.trust_anchors()
    for package in Package.objects.all():
        assert package.outcome in (Package.Outcome.ACCEPTED, Package.Outcome.DUPLICATE)
        edxml.read(bytes(package.data), ca_pem_file=anchors)


def test_a_recall_is_requested_and_accepted(world: World, pump: Callable[[], None]) -> None:
    document = issue(world)
    pump()
    services.document_recall(actor=world.ubnd.clerk, document_id=document.pk, reason="Sai sót")
    pump()
    for code in (SO, XA):
        received = incoming(world, code)
        with pytest.raises(DomainError) as refused:
            services.incoming_recall_answer(
                actor=world.ubnd.clerk, document_id=received.pk, accept=True
            )
        assert refused.value.code == "forbidden"
        services.incoming_recall_answer(
            actor=world.offices[code].clerk, document_id=received.pk, accept=True
        )
        assert Document.objects.get(pk=received.pk).state == State.WITHDRAWN
    pump()
    document.refresh_from_db()
    assert document.state == State.RECALLED
    assert set(
        document.dispatches.filter(channel=Channel.AXIS).values_list("status_code", flat=True)
    ) == {"15"}


def test_a_returned_document_tells_the_sender_why(world: World, pump: Callable[[], None]) -> None:
    document = issue(world)
    pump()
    received = incoming(world, SO)
    with pytest.raises(DomainError) as empty:
        services.incoming_return(actor=world.so.clerk, document_id=received.pk, reason=" ")
    assert empty.value.code == "reason_required"
    services.incoming_return(actor=world.so.clerk, document_id=received.pk, reason="Gửi nhầm nơi")
    pump()
    dispatch = document.dispatches.get(recipient_code=SO)
    assert (dispatch.status_code, dispatch.status_description) == ("02", "Gửi nhầm nơi")


def test_duplicate_delivery_is_taken_once(world: World, pump: Callable[[], None], on_axis) -> None:
    on_axis.faults("duplicate", "duplicate")
    issue(world)
    pump()
    for code in (SO, XA):
        assert (
            Document.objects.filter(
                agency=world.offices[code].agency, direction=Direction.INCOMING
            ).count()
            == 1
        )
    assert Package.objects.filter(
        direction=Direction.INCOMING, outcome=Package.Outcome.DUPLICATE
    ).exists()


def test_axis_failures_are_retried_then_shown(world: World, settings, on_axis) -> None:
    settings.EOFFICE_MAX_ATTEMPTS = 3
    on_axis.faults("5xx", "5xx", "5xx", "5xx")
    document = issue(world)
    item = OutboxItem.objects.get(dispatch__recipient_code=SO, package__kind="edoc")
    from congso.eoffice import exchange

    assert exchange.deliver(item.pk) == OutboxItem.Status.PENDING
    item.refresh_from_db()
    assert item.attempts == 1 and item.next_attempt_at is not None and "502" in item.last_error
    assert exchange.deliver(item.pk) == OutboxItem.Status.PENDING
    assert exchange.deliver(item.pk) == OutboxItem.Status.FAILED
    dispatch = document.dispatches.get(recipient_code=SO)
    assert dispatch.delivery == Dispatch.Delivery.FAILED
    # The clerk retries by hand; the axis is back.
    exchange.retry(actor=world.ubnd.clerk, outbox_id=item.pk)
    on_axis.reset()
    assert exchange.deliver(item.pk) == OutboxItem.Status.SENT


def test_a_timeout_is_retried_and_the_receiver_keeps_one_copy(
    world: World, settings, on_axis, pump: Callable[[], None]
) -> None:
    settings.DOCAXIS_TIMEOUT = 1
    on_axis.configure(timeout_seconds=2)
    on_axis.faults("timeout")
    issue(world)
    pump()
    assert (
        Document.objects.filter(agency=world.so.agency, direction=Direction.INCOMING).count() == 1
    )
    assert (
        Document.objects.filter(agency=world.xa.agency, direction=Direction.INCOMING).count() == 1
    )


def test_an_update_becomes_a_new_version_once_the_clerk_accepts(
    world: World, pump: Callable[[], None]
) -> None:
    from congso.eoffice.models import IncomingUpdate

    document = issue(world)
    pump()
    services.document_update(
        actor=world.ubnd.clerk,
        document_id=document.pk,
        changes={"subject": "Về việc triển khai văn bản điện tử (sửa đổi)"},
        reason="Sửa trích yếu",
    )
    pump()
    for code in (SO, XA):
        received = incoming(world, code)
        update = IncomingUpdate.objects.get(document=received)
        assert update.diff["subject"] == [
            "Về việc triển khai văn bản điện tử",
            "Về việc triển khai văn bản điện tử (sửa đổi)",
        ]
        assert "files" not in update.diff
        assert received.subject == "Về việc triển khai văn bản điện tử"  # not applied yet
        services.incoming_update_decide(
            actor=world.offices[code].clerk, update_id=update.pk, accept=code == SO
        )
    accepted = incoming(world, SO)
    assert (accepted.version, accepted.subject) == (
        2,
        "Về việc triển khai văn bản điện tử (sửa đổi)",
    )
    assert accepted.files.filter(version=2).count() == 2
    assert incoming(world, XA).version == 1
    pump()
    answers = {
        d.recipient_code: d.status_code for d in document.dispatches.filter(channel=Channel.AXIS)
    }
    assert answers == {SO: "15", XA: "16"}


def test_a_recall_of_a_document_already_done_is_refused(
    world: World, pump: Callable[[], None]
) -> None:
    document = issue(world)
    pump()
    office = world.so
    received = incoming(world, SO)
    services.incoming_register(actor=office.clerk, document_id=received.pk)
    services.incoming_assign(
        actor=office.leader, document_id=received.pk, lead_id=office.specialist.pk
    )
    services.incoming_complete(actor=office.specialist, document_id=received.pk)
    services.document_recall(actor=world.ubnd.clerk, document_id=document.pk, reason="Nhầm")
    pump()
    with pytest.raises(DomainError) as refused:
        services.incoming_recall_answer(actor=office.clerk, document_id=received.pk, accept=True)
    assert refused.value.code == "recall_after_done"
    services.incoming_recall_answer(actor=office.clerk, document_id=received.pk, accept=False)
    pump()
    assert document.dispatches.get(recipient_code=SO).status_code == "16"
    assert Document.objects.get(pk=document.pk).state == State.ISSUED


def test_a_forged_package_on_the_axis_is_kept_refused(
    world: World, pump: Callable[[], None], on_axis
) -> None:
    document = issue(world)
    pump()
    original = bytes(Package.objects.get(document=document, kind="edoc", direction="out").data)
    forged = original.replace(b"01/UBND-VP", b"02/UBND-VP")
    on_axis.inject(to=SO, data=forged)
    on_axis.inject(to=SO, data=b"<not-xml")
    pump()
    refused = Package.objects.filter(direction="in").exclude(
        outcome__in=[Package.Outcome.ACCEPTED, Package.Outcome.DUPLICATE]
    )
    assert sorted(refused.values_list("outcome", flat=True)) == ["malformed", "unsigned"]
    assert (
        Document.objects.filter(agency=world.so.agency, direction=Direction.INCOMING).count() == 1
    )
    assert on_axis.state()["packages"] and all(
        p["confirmed"] for p in on_axis.state()["packages"] if p["to"] == SO
    )


def test_a_wrong_axis_secret_fails_at_once_and_visibly(world: World, settings, on_axis) -> None:
    from congso.eoffice import exchange

    settings.DOCAXIS_SECRET = "not-the-secret"
    document = issue(world)
    item = OutboxItem.objects.get(dispatch__recipient_code=SO, package__kind="edoc")
    assert exchange.deliver(item.pk) == OutboxItem.Status.FAILED
    item.refresh_from_db()
    assert item.attempts == 1 and "401" in item.last_error
    assert document.dispatches.get(recipient_code=SO).delivery == Dispatch.Delivery.FAILED
    assert exchange.poll() == []  # the axis refuses to list for a wrong secret: nothing taken
