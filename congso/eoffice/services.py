"""The one write path of the e-office: outgoing drafts through the circuit to issue and dispatch,
incoming documents from arrival to done. Every function is atomic and audited; the exchange
side (packages, outbox, status codes) is :mod:`congso.eoffice.exchange`.

Outgoing: ``draft`` →(submit)→ ``in_review`` →(every visa)→ ``approved`` →(leader signs)→
``signed`` →(clerk numbers and issues)→ ``issued`` (→ ``recalled`` once every recipient
accepted the recall). A send-back returns the draft to ``draft``.

Incoming: ``arrived`` →(clerk registers)→ ``registered`` →(leader assigns)→ ``assigned`` →
(handler starts)→ ``processing`` →(lead completes, with a reply or for information)→ ``done``;
``arrived`` →(clerk returns, with a reason)→ ``returned``; a recall accepted → ``withdrawn``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from congso.audit.services import record
from congso.calendar.selectors import get_calendar
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.dossiers.attachments import PDF, StoredFiles, check, upload_name
from congso.eoffice import edxml, exchange, registers, seals, signature
from congso.eoffice.models import (
    Approval,
    Assignment,
    AssignmentRole,
    AxisAgency,
    Channel,
    Comment,
    Competence,
    Confidentiality,
    Decision,
    Direction,
    Dispatch,
    Document,
    DocumentFile,
    DocumentType,
    DocumentVersion,
    ExternalSigning,
    FileRole,
    IncomingUpdate,
    State,
    StatusEvent,
    Urgency,
)
from congso.org.identity import validate_agency_code
from congso.org.models import Agency, Role
from congso.org.permissions import current_roles, is_superuser
from congso.signing import pades

#: The largest main file or attachment (bytes).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Fields of a draft the author may change (a new version each time).
DRAFT_FIELDS = (
    "subject",
    "content",
    "place",
    "notation_suffix",
    "signer_position",
    "signer_competence",
    "to_places",
    "urgency",
    "confidentiality",
    "reply_due",
    "page_count",
    "steering_type",
)
VERSION_FIELDS = (
    *DRAFT_FIELDS,
    "code_number",
    "code_notation",
    "issuer_code",
    "issuer_name",
    "issued_on",
    "signer_name",
    "doc_type_id",
)


@dataclass(frozen=True)
class Upload:
    """A file given to a service: a Django upload, or bytes with a name."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Recipient:
    """A recipient of an outgoing document: an agency identifier on the axis, or a name with
    the paper or e-mail channel."""

    name: str
    code: str = ""
    channel: str = Channel.AXIS


@dataclass
class Outcome:
    document: Document
    warnings: list[str] = field(default_factory=list)


# --- Helpers ------------------------------------------------------------------------------------


def _has_role(actor: Any, agency_id: int, roles: Sequence[str]) -> bool:
    if is_superuser(actor):
        return True
    return current_roles(actor, tuple(roles)).filter(agency_id=agency_id).exists()


def _require_role(actor: Any, agency_id: int, roles: Sequence[str], what: str) -> None:
    if not _has_role(actor, agency_id, roles):
        raise PermissionDenied("forbidden", f"Bạn không có quyền {what} của cơ quan này.")


def _locked(document_id: int, *, direction: str | None = None) -> Document:
    queryset = Document.objects.select_for_update().select_related("agency", "doc_type")
    if direction is not None:
        queryset = queryset.filter(direction=direction)
    try:
        return queryset.get(pk=document_id)
    except Document.DoesNotExist:
        raise NotFound("not_found", "Không tìm thấy văn bản.") from None


def _require_state(document: Document, *states: str) -> None:
    if document.state not in states:
        raise Conflict(
            "invalid_state",
            f"Văn bản đang ở trạng thái «{document.get_state_display()}», "
            "không thực hiện được thao tác này.",
        )


def _snapshot(document: Document) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in VERSION_FIELDS:
        value = getattr(document, name)
        data[name] = value.isoformat() if isinstance(value, date) else value
    return data


def _audit(actor: Any, action: str, document: Document, **after: Any) -> None:
    record(
        actor=actor,
        action=f"eoffice.{action}",
        target=document,
        after={"state": document.state, **after},
    )


def doc_type(code: str, *, on: date | None = None) -> DocumentType:
    day = on or timezone.localdate()
    found = (
        DocumentType.objects.filter(code=code, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    if found is None:
        raise DomainError("unknown_doc_type", f"Không có loại văn bản {code}.", field="doc_type")
    return found


def _check_file(upload: Upload, *, role: str) -> tuple[ContentFile[bytes], Any]:
    content = ContentFile(upload.data, name=upload_name(upload))
    checked = check(
        content,
        name=upload_name(upload),
        slot_code=role,
        slot_name="văn bản chính" if role == FileRole.MAIN else "tài liệu kèm theo",
        allowed_types=[PDF] if role == FileRole.MAIN else None,
        max_size_bytes=MAX_FILE_BYTES,
    )
    return content, checked


def _store_files(
    document: Document,
    version: int,
    *,
    main: Upload,
    attachments: Sequence[Upload],
    stored: StoredFiles,
    signed: bool = False,
) -> None:
    for role, upload in [(FileRole.MAIN, main), *((FileRole.ATTACHMENT, a) for a in attachments)]:
        content, checked = _check_file(upload, role=role)
        row = DocumentFile(
            document=document,
            version=version,
            role=role,
            name=checked.name,
            mime_type=checked.mime_type,
            size=checked.size,
            sha256=checked.sha256,
            signed=signed and role == FileRole.MAIN,
        )
        row.file.save(checked.name, File(content, name=checked.name), save=False)
        stored.names.append(row.file.name)
        row.save()


def _copy_files(document: Document, source_version: int, version: int, stored: StoredFiles) -> None:
    for row in list(document.files.filter(version=source_version)):
        with row.file.open("rb") as handle:
            data = handle.read()
        copy = DocumentFile(
            document=document,
            version=version,
            role=row.role,
            name=row.name,
            mime_type=row.mime_type,
            size=row.size,
            sha256=row.sha256,
            signed=row.signed,
        )
        copy.file.save(row.name, ContentFile(data, name=row.name), save=False)
        stored.names.append(copy.file.name)
        copy.save()


def _new_version(document: Document, actor: Any, note: str = "") -> None:
    DocumentVersion.objects.create(
        document=document,
        number=document.version,
        data=_snapshot(document),
        note=note[:500],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _atomic_with_files(fn: Any) -> Any:
    """Run ``fn(stored)`` in a transaction; files written by a failed call are deleted."""
    stored = StoredFiles()
    try:
        with transaction.atomic():
            return fn(stored)
    except BaseException:
        stored.discard()
        raise


def main_file(document: Document) -> DocumentFile:
    found = document.files.filter(version=document.version, role=FileRole.MAIN).first()
    if found is None:
        raise DomainError("no_main_file", "Văn bản chưa có tệp văn bản chính (PDF).")
    return found


# --- Outgoing: drafts ---------------------------------------------------------------------------


def draft_create(
    *,
    actor: Any,
    agency_id: int,
    doc_type_code: str,
    subject: str,
    main: Upload,
    attachments: Sequence[Upload] = (),
    signer_id: int,
    signer_position: str,
    signer_competence: str = "",
    recipients: Sequence[Recipient] = (),
    to_places: Sequence[str] = (),
    place: str = "",
    notation_suffix: str = "",
    content: str = "",
    urgency: int = Urgency.NORMAL,
    confidentiality: int = Confidentiality.NORMAL,
    reply_due: date | None = None,
    page_count: int | None = None,
    reply_to_id: int | None = None,
    replaces_id: int | None = None,
) -> Document:
    """A new outgoing draft (version 1) of ``agency_id``, written by a specialist, department
    head, leader or clerk of it. No number: that is given at issue."""
    agency = Agency.objects.filter(pk=agency_id, active=True).first()
    if agency is None:
        raise NotFound("not_found", "Không tìm thấy cơ quan.", field="agency")
    _require_role(
        actor,
        agency.pk,
        (Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER, Role.CLERK),
        "soạn văn bản",
    )
    if not subject.strip():
        raise DomainError("subject_required", "Văn bản phải có trích yếu.", field="subject")
    if signer_competence not in Competence.values:
        raise DomainError(
            "invalid_competence", "Thẩm quyền ký không hợp lệ.", field="signer_competence"
        )
    signer = get_user_model().objects.filter(pk=signer_id, is_active=True).first()
    if signer is None or not _has_role(signer, agency.pk, (Role.LEADER,)):
        raise DomainError(
            "invalid_signer", "Người ký phải là lãnh đạo của cơ quan ban hành.", field="signer"
        )
    kind = doc_type(doc_type_code)
    linked = {}
    for name, pk in (("reply_to", reply_to_id), ("replaces", replaces_id)):
        if pk is not None:
            target = Document.objects.restrict(actor).filter(pk=pk).first()
            if target is None:
                raise NotFound("not_found", "Không tìm thấy văn bản được liên kết.", field=name)
            linked[name] = target
    _check_recipients(recipients)

    def run(stored: StoredFiles) -> Document:
        document = Document.objects.create(
            agency=agency,
            direction=Direction.OUTGOING,
            state=State.DRAFT,
            doc_type=kind,
            notation_suffix=notation_suffix or agency.short_name,
            issuer_code=agency.code,
            issuer_name=agency.name,
            place=place,
            subject=subject.strip(),
            content=content,
            signer=signer,
            signer_name=signer.get_full_name() or signer.get_username(),
            signer_position=signer_position,
            signer_competence=signer_competence,
            to_places=list(to_places),
            urgency=urgency,
            confidentiality=confidentiality,
            reply_due=reply_due,
            page_count=page_count,
            created_by=actor,
            **linked,
        )
        for recipient in recipients:
            Dispatch.objects.create(
                document=document,
                recipient_code=recipient.code,
                recipient_name=recipient.name,
                channel=recipient.channel,
            )
        _store_files(document, 1, main=main, attachments=attachments, stored=stored)
        _new_version(document, actor, "Dự thảo đầu tiên")
        _audit(actor, "draft.create", document, subject=document.subject)
        return document

    result: Document = _atomic_with_files(run)
    return result


def _reachable(code: str) -> bool:
    """An agency of this instance, or one the axis's directory lists as active (before the
    first synchronisation, with no directory yet, every well-formed identifier is taken)."""
    if Agency.objects.filter(code=code, active=True).exists():
        return True
    if not AxisAgency.objects.exists():
        return True
    return AxisAgency.objects.filter(code=code, active=True).exists()


def _check_recipients(recipients: Sequence[Recipient]) -> None:
    seen = set()
    for recipient in recipients:
        if recipient.channel not in Channel.values:
            raise DomainError("invalid_recipient", "Cách gửi không hợp lệ.", field="recipients")
        if recipient.channel == Channel.AXIS:
            try:
                validate_agency_code(recipient.code)
            except DomainError:
                raise DomainError(
                    "invalid_recipient",
                    f"Mã định danh nơi nhận «{recipient.code}» không hợp lệ.",
                    field="recipients",
                ) from None
            if not _reachable(recipient.code):
                raise DomainError(
                    "invalid_recipient",
                    f"Nơi nhận {recipient.code} không có trong danh bạ trục liên thông.",
                    field="recipients",
                )
            if recipient.code in seen:
                raise DomainError(
                    "invalid_recipient",
                    f"Nơi nhận {recipient.code} được ghi hai lần.",
                    field="recipients",
                )
            seen.add(recipient.code)
        elif not recipient.name.strip():
            raise DomainError("invalid_recipient", "Nơi nhận phải có tên.", field="recipients")


def draft_update(
    *,
    actor: Any,
    document_id: int,
    changes: dict[str, Any],
    main: Upload | None = None,
    attachments: Sequence[Upload] | None = None,
    note: str = "",
) -> Document:
    """A new version of a draft: changed fields and/or files (the others carried over)."""

    def run(stored: StoredFiles) -> Document:
        document = _locked(document_id, direction=Direction.OUTGOING)
        _require_state(document, State.DRAFT)
        if document.created_by_id != getattr(actor, "pk", None):
            _require_role(actor, document.agency_id, (Role.LEADER, Role.CLERK), "sửa dự thảo")
        unknown = set(changes) - set(DRAFT_FIELDS)
        if unknown:
            raise DomainError(
                "invalid_field", f"Không sửa được trường {', '.join(sorted(unknown))}."
            )
        for name, value in changes.items():
            setattr(document, name, value)
        if not document.subject.strip():
            raise DomainError("subject_required", "Văn bản phải có trích yếu.", field="subject")
        previous = document.version
        document.version = previous + 1
        document.save()
        if main is None and attachments is None:
            _copy_files(document, previous, document.version, stored)
        else:
            old_main = document.files.get(version=previous, role=FileRole.MAIN)
            with old_main.file.open("rb") as handle:
                kept_main = Upload(old_main.name, handle.read())
            _store_files(
                document,
                document.version,
                main=main or kept_main,
                attachments=attachments or (),
                stored=stored,
            )
        _new_version(document, actor, note)
        _audit(actor, "draft.update", document, version=document.version)
        return document

    result: Document = _atomic_with_files(run)
    return result


@transaction.atomic
def draft_submit(*, actor: Any, document_id: int, reviewer_ids: Sequence[int]) -> Document:
    """Send a draft round the circuit: each reviewer in order gives a visa (or sends it back);
    with no reviewer it goes straight to the signer."""
    document = _locked(document_id, direction=Direction.OUTGOING)
    _require_state(document, State.DRAFT)
    if document.created_by_id != getattr(actor, "pk", None):
        _require_role(actor, document.agency_id, (Role.LEADER, Role.CLERK), "trình dự thảo")
    users = get_user_model().objects.in_bulk(list(reviewer_ids))
    if len(set(reviewer_ids)) != len(reviewer_ids) or set(users) != set(reviewer_ids):
        raise DomainError("invalid_reviewer", "Danh sách người duyệt không hợp lệ.")
    for user in users.values():
        if not _has_role(
            user, document.agency_id, (Role.DEPARTMENT_HEAD, Role.LEADER, Role.SPECIALIST)
        ):
            raise DomainError(
                "invalid_reviewer", f"{user.get_username()} không thuộc cơ quan ban hành."
            )
    last_round = document.approvals.aggregate(top=Max("round"))["top"] or 0
    for position, reviewer_id in enumerate(reviewer_ids, start=1):
        Approval.objects.create(
            document=document, round=last_round + 1, position=position, reviewer=users[reviewer_id]
        )
    document.state = State.IN_REVIEW if reviewer_ids else State.APPROVED
    document.save(update_fields=["state", "updated_at"])
    _audit(actor, "draft.submit", document, reviewers=list(reviewer_ids))
    return document


@transaction.atomic
def draft_review(*, actor: Any, document_id: int, approve: bool, comment: str = "") -> Document:
    """The current reviewer's visa (``approve``) or send-back (a comment is required)."""
    document = _locked(document_id, direction=Direction.OUTGOING)
    _require_state(document, State.IN_REVIEW)
    step = (
        document.approvals.filter(decision=Decision.PENDING).order_by("round", "position").first()
    )
    if step is None or step.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied("not_your_turn", "Chưa đến lượt bạn cho ý kiến về dự thảo này.")
    if not approve and not comment.strip():
        raise DomainError(
            "comment_required", "Trả lại dự thảo phải kèm ý kiến cần sửa.", field="comment"
        )
    step.decision = Decision.APPROVED if approve else Decision.SENT_BACK
    step.comment = comment
    step.decided_at = timezone.now()
    step.save()
    if not approve:
        document.approvals.filter(round=step.round, decision=Decision.PENDING).delete()
        document.state = State.DRAFT
    elif not document.approvals.filter(decision=Decision.PENDING).exists():
        document.state = State.APPROVED
    document.save(update_fields=["state", "updated_at"])
    if comment:
        Comment.objects.create(document=document, author=actor, text=comment)
    _audit(actor, "draft.review", document, approve=approve, comment=comment)
    return document


def document_sign(*, actor: Any, document_id: int) -> Document:
    """The leader named as signer signs the main file (PAdES, through ``congso.signing``)."""

    def run(stored: StoredFiles) -> Document:
        document = _locked(document_id, direction=Direction.OUTGOING)
        _require_signer(document, actor)
        main = main_file(document)
        with main.file.open("rb") as handle:
            pdf = handle.read()
        signed_pdf = signature.sign_pdf(
            pdf, leader=actor, agency=document.agency, reason=document.subject[:200]
        )
        return _signed(actor, document, main, signed_pdf, stored, "document.sign")

    result: Document = _atomic_with_files(run)
    return result


def _require_signer(document: Document, actor: Any) -> None:
    _require_state(document, State.APPROVED)
    if document.signer_id != getattr(actor, "pk", None):
        raise PermissionDenied("not_the_signer", "Chỉ người ký được giao mới ký được văn bản.")
    _require_role(actor, document.agency_id, (Role.LEADER,), "ký văn bản")


def _signed(
    actor: Any,
    document: Document,
    main: DocumentFile,
    signed_pdf: bytes,
    stored: StoredFiles,
    action: str,
    **audit: Any,
) -> Document:
    main.file.delete(save=False)
    main.file.save(main.name, ContentFile(signed_pdf, name=main.name), save=False)
    stored.names.append(main.file.name)
    main.size = len(signed_pdf)
    main.sha256 = signature.sha256(signed_pdf)
    main.signed = True
    main.save()
    document.state = State.SIGNED
    document.save(update_fields=["state", "updated_at"])
    _audit(actor, action, document, sha256=main.sha256, **audit)
    return document


def document_external_prepare(*, actor: Any, document_id: int) -> ExternalSigning:
    """Hash-only signing, step 1: the leader named as signer, with an *external* approval
    profile (the key on his token or at a remote signing service, never on the server), gets
    the bytes to sign; the prepared file waits in an :class:`ExternalSigning` session."""
    with transaction.atomic():
        document = _locked(document_id, direction=Direction.OUTGOING)
        _require_signer(document, actor)
        profile = signature.approval_profile(actor, document.agency, external=True)
        main = main_file(document)
        with main.file.open("rb") as handle:
            pdf = handle.read()
        prepared = signature.prepare_external(pdf, profile=profile, reason=document.subject[:200])
        session = ExternalSigning.objects.create(
            document=document,
            profile=profile,
            prepared=prepared.pdf,
            region_start=prepared.region_start,
            region_end=prepared.region_end,
            digest=prepared.digest.hex(),
            based_on_sha256=main.sha256,
            created_at=timezone.now(),
        )
        _audit(actor, "document.external_prepare", document, session=session.pk)
    return session


def external_prepared(session: ExternalSigning) -> pades.Prepared:
    return pades.Prepared(
        pdf=bytes(session.prepared),
        region_start=session.region_start,
        region_end=session.region_end,
        digest=bytes.fromhex(session.digest),
    )


def document_external_finish(*, actor: Any, token: str, signature_cms: bytes) -> Document:
    """Hash-only signing, step 2: the detached CMS from the device is embedded once it is
    proven to be the enrolled certificate's key over these bytes (a forged or foreign CMS is
    ``bad_signature``/``not_enrolled_signer``, the stored file unchanged); the document is then
    signed exactly as :func:`document_sign` leaves it."""

    def run(stored: StoredFiles) -> Document:
        session = (
            ExternalSigning.objects.select_for_update()
            .filter(token=token, profile__user_id=getattr(actor, "pk", 0) or 0)
            .first()
        )
        if session is None:
            raise NotFound("session_not_found", "Không có phiên ký này.")
        if session.finished_at is not None:
            raise Conflict("session_finished", "Phiên ký này đã hoàn tất.")
        document = _locked(session.document_id, direction=Direction.OUTGOING)
        _require_signer(document, actor)
        main = main_file(document)
        if main.sha256 != session.based_on_sha256:
            raise Conflict(
                "document_changed", "Văn bản đã thay đổi từ khi chuẩn bị ký; hãy chuẩn bị lại."
            )
        signed_pdf = signature.finish_external(
            external_prepared(session), signature_cms, profile=session.profile
        )
        session.finished_at = timezone.now()
        session.save(update_fields=["finished_at"])
        return _signed(
            actor, document, main, signed_pdf, stored, "document.sign", external=session.pk
        )

    result: Document = _atomic_with_files(run)
    return result


def _notation(document: Document) -> str:
    suffix = document.notation_suffix or document.agency.short_name
    if not suffix:
        raise DomainError(
            "no_notation",
            "Cơ quan chưa có tên viết tắt để ghi ký hiệu văn bản.",
            field="notation_suffix",
        )
    abbreviation = document.doc_type.abbreviation
    return f"{abbreviation}-{suffix}" if abbreviation else suffix


@transaction.atomic
def document_issue(*, actor: Any, document_id: int, issued_on: date | None = None) -> Document:
    """The clerk numbers the signed document in the outgoing register and issues it: the number
    (one yearly sequence per agency, confidential ones in their own), the notation, the QCVN
    102 DocumentId; then each recipient is dispatched (axis packages queued)."""
    document = _locked(document_id, direction=Direction.OUTGOING)
    _require_state(document, State.SIGNED)
    _require_role(actor, document.agency_id, (Role.CLERK,), "cấp số, ban hành văn bản")
    day = issued_on or timezone.localdate()
    number = registers.next_number(
        agency_code=document.agency.code,
        direction=Direction.OUTGOING,
        day=day,
        confidential=document.confidential,
    )
    document.register_year = day.year
    document.register_number = number
    document.registered_at = timezone.now()
    document.code_number = registers.format_number(number)
    document.code_notation = _notation(document)
    document.issued_on = day
    document.document_id = edxml.document_id(document.issuer_code, day, document.number_notation)
    document.state = State.ISSUED
    document.save()
    DocumentVersion.objects.filter(document=document, number=document.version).update(
        data=_snapshot(document), note="Ban hành"
    )
    _audit(actor, "document.issue", document, number=document.number_notation)
    for dispatch in document.dispatches.all():
        if dispatch.channel == Channel.AXIS:
            exchange.queue_document(document, dispatch, actor=actor)
        else:
            dispatch.delivery = Dispatch.Delivery.MARKED
            dispatch.sent_at = timezone.now()
            dispatch.save(update_fields=["delivery", "sent_at"])
    return document


@transaction.atomic
def document_recall(*, actor: Any, document_id: int, reason: str) -> Document:
    """Ask every axis recipient to give the document back (status 13)."""
    document = _locked(document_id, direction=Direction.OUTGOING)
    _require_state(document, State.ISSUED)
    _require_role(actor, document.agency_id, (Role.CLERK,), "thu hồi văn bản")
    if not reason.strip():
        raise DomainError("reason_required", "Thu hồi văn bản phải có lý do.", field="reason")
    for dispatch in document.dispatches.filter(channel=Channel.AXIS):
        exchange.queue_status(
            document,
            edxml.RECALL_REQUESTED,
            reason,
            actor=actor,
            recipient=dispatch.recipient_code,
            dispatch=dispatch,
        )
    _audit(actor, "document.recall", document, reason=reason)
    return document


@transaction.atomic
def document_revoke(*, actor: Any, document_id: int, reason: str) -> Document:
    """The clerk annuls an issued document (thu hồi, hủy bỏ): a new version marked recalled,
    sent to every axis recipient as a revocation (BussinessDocType 1); each recipient's clerk
    accepts it (15, their record is withdrawn) or refuses it (16)."""
    stored = StoredFiles()
    try:
        document = _locked(document_id, direction=Direction.OUTGOING)
        _require_state(document, State.ISSUED)
        _require_role(actor, document.agency_id, (Role.CLERK,), "thu hồi, hủy bỏ văn bản")
        if not reason.strip():
            raise DomainError("reason_required", "Hủy bỏ văn bản phải có lý do.", field="reason")
        previous = document.version
        document.version = previous + 1
        document.state = State.RECALLED
        document.save()
        _copy_files(document, previous, document.version, stored)
        _new_version(document, actor, reason)
        _audit(actor, "document.revoke", document, reason=reason)
        exchange.queue_update(document, actor=actor, reason=reason, business_type=edxml.REVOKE)
    except BaseException:
        stored.discard()
        raise
    return document


#: What the issuer may correct on an issued document (sent as an update, BussinessDocType 2).
UPDATE_FIELDS = ("subject", "content", "to_places", "reply_due", "page_count", "urgency")


@transaction.atomic
def document_update(
    *, actor: Any, document_id: int, changes: dict[str, Any], reason: str
) -> Document:
    """The clerk corrects the metadata of an issued document (a new version, the signed files
    kept) and sends it to every axis recipient as an update."""
    stored = StoredFiles()
    try:
        document = _locked(document_id, direction=Direction.OUTGOING)
        _require_state(document, State.ISSUED)
        _require_role(actor, document.agency_id, (Role.CLERK,), "cập nhật văn bản đã ban hành")
        if not reason.strip():
            raise DomainError("reason_required", "Cập nhật văn bản phải có lý do.", field="reason")
        unknown = set(changes) - set(UPDATE_FIELDS)
        if unknown or not changes:
            raise DomainError(
                "invalid_field", f"Không cập nhật được trường {', '.join(sorted(unknown))}."
            )
        for name, value in changes.items():
            setattr(document, name, value)
        previous = document.version
        document.version = previous + 1
        document.save()
        _copy_files(document, previous, document.version, stored)
        _new_version(document, actor, reason)
        _audit(actor, "document.update", document, changes=sorted(changes), reason=reason)
        exchange.queue_update(document, actor=actor, reason=reason)
    except BaseException:
        stored.discard()
        raise
    return document


def incoming_update_decide(
    *, actor: Any, update_id: int, accept: bool, document_id: int | None = None
) -> Document:
    """The clerk accepts an update received for an incoming record (it becomes the next
    version, status 15) or refuses it (16)."""

    def run(stored: StoredFiles) -> Document:
        update = (
            IncomingUpdate.objects.select_for_update()
            .select_related("package")
            .filter(pk=update_id)
            .first()
        )
        if update is None or (document_id is not None and update.document_id != document_id):
            raise NotFound("not_found", "Không tìm thấy bản cập nhật.")
        document = _incoming(update.document_id)
        _require_role(actor, document.agency_id, (Role.CLERK,), "cập nhật văn bản đến")
        if update.decision != IncomingUpdate.Decision.PENDING:
            raise Conflict("invalid_state", "Bản cập nhật này đã được xử lý.")
        variant = f"u{update.pk}"
        if not accept:
            update.decision = IncomingUpdate.Decision.REFUSED
        elif update.business_type == edxml.REVOKE:
            # The issuer annulled the document: the record's next version says so, the files
            # kept for the record; nothing more is handled on it.
            previous = document.version
            document.state = State.WITHDRAWN
            document.version = previous + 1
            document.save()
            _copy_files(document, previous, document.version, stored)
            _new_version(document, actor, update.reason or "Nơi ban hành thu hồi văn bản")
            update.decision = IncomingUpdate.Decision.APPLIED
        else:
            parsed = edxml.read(bytes(update.package.data), ca_pem_file=seals.trust_anchors())
            assert parsed.document is not None
            proposed = parsed.document
            update.diff = exchange.update_diff(document, proposed)
            for field_name, attribute in exchange.UPDATABLE.items():
                value = getattr(proposed, attribute)
                setattr(document, field_name, list(value) if field_name == "to_places" else value)
            document.urgency = min(document.urgency, 3)
            document.version += 1
            document.save()
            main, *others = proposed.attachments
            _store_files(
                document,
                document.version,
                main=Upload(main.name, main.data),
                attachments=[Upload(a.name, a.data) for a in others],
                stored=stored,
            )
            default = (
                "Văn bản thay thế từ nơi gửi"
                if update.business_type == edxml.REPLACE
                else "Cập nhật từ nơi gửi"
            )
            _new_version(document, actor, update.reason or default)
            update.decision = IncomingUpdate.Decision.APPLIED
        update.decided_by = actor
        update.decided_at = timezone.now()
        update.save()
        _audit(actor, "incoming.update_decide", document, accept=accept, diff=update.diff)
        exchange.queue_status(
            document,
            edxml.RECALL_ACCEPTED if accept else edxml.RECALL_REFUSED,
            "Đồng ý cập nhật." if accept else "Từ chối cập nhật.",
            actor=actor,
            variant=variant,
        )
        return document

    result: Document = _atomic_with_files(run)
    return result


# --- Incoming -----------------------------------------------------------------------------------


def incoming_create(
    *,
    actor: Any,
    agency_id: int,
    doc_type_code: str,
    issuer_code: str,
    issuer_name: str,
    code_number: str,
    code_notation: str,
    issued_on: date,
    subject: str,
    main: Upload,
    attachments: Sequence[Upload] = (),
    signer_name: str = "",
    signer_position: str = "",
    urgency: int = Urgency.NORMAL,
    confidentiality: int = Confidentiality.NORMAL,
    reply_due: date | None = None,
    page_count: int | None = None,
) -> Document:
    """An incoming document that came on paper (scanned) or by e-mail, entered by the clerk:
    it waits in ``arrived`` for registration like one from the axis (it has no DocumentId, so
    no status goes back)."""
    agency = Agency.objects.filter(pk=agency_id, active=True).first()
    if agency is None:
        raise NotFound("not_found", "Không tìm thấy cơ quan.", field="agency")
    _require_role(actor, agency.pk, (Role.CLERK,), "nhập văn bản đến")
    if not subject.strip():
        raise DomainError("subject_required", "Văn bản phải có trích yếu.", field="subject")
    if not (code_number.strip() and code_notation.strip() and issuer_name.strip()):
        raise DomainError("invalid_field", "Văn bản đến phải có số, ký hiệu và cơ quan ban hành.")
    kind = doc_type(doc_type_code, on=issued_on)

    def run(stored: StoredFiles) -> Document:
        document = Document.objects.create(
            agency=agency,
            direction=Direction.INCOMING,
            state=State.ARRIVED,
            doc_type=kind,
            code_number=code_number.strip(),
            code_notation=code_notation.strip(),
            issuer_code=issuer_code.strip(),
            issuer_name=issuer_name.strip(),
            issued_on=issued_on,
            subject=subject.strip(),
            signer_name=signer_name,
            signer_position=signer_position,
            urgency=urgency,
            confidentiality=confidentiality,
            reply_due=reply_due,
            page_count=page_count,
            created_by=actor,
        )
        _store_files(document, 1, main=main, attachments=attachments, stored=stored)
        _new_version(document, actor, "Văn bản giấy / thư điện tử")
        _audit(actor, "incoming.create", document, number=document.number_notation)
        return document

    result: Document = _atomic_with_files(run)
    return result


def _incoming(document_id: int) -> Document:
    return _locked(document_id, direction=Direction.INCOMING)


@transaction.atomic
def incoming_register(*, actor: Any, document_id: int) -> Outcome:
    """The clerk enters an arrived document in the incoming register (status 03). Warns when
    the same issuer, number and notation is already in the register."""
    document = _incoming(document_id)
    _require_state(document, State.ARRIVED)
    _require_role(actor, document.agency_id, (Role.CLERK,), "vào sổ văn bản đến")
    now = timezone.now()
    day = timezone.localdate(now)
    document.register_number = registers.next_number(
        agency_code=document.agency.code,
        direction=Direction.INCOMING,
        day=day,
        confidential=document.confidential,
    )
    document.register_year = day.year
    document.registered_at = now
    warnings = []
    earlier = (
        Document.objects.filter(
            agency_id=document.agency_id,
            direction=Direction.INCOMING,
            issuer_code=document.issuer_code,
            code_number=document.code_number,
            code_notation=document.code_notation,
            register_number__isnull=False,
        )
        .exclude(pk=document.pk)
        .order_by("registered_at")
        .first()
    )
    if earlier is not None:
        document.duplicate_of = earlier
        warnings.append(
            f"Văn bản số {document.number_notation} của {document.issuer_name} đã vào sổ đến "
            f"số {earlier.register_number}/{earlier.register_year}."
        )
    document.state = State.REGISTERED
    document.save()
    _audit(actor, "incoming.register", document, register_number=document.register_number)
    exchange.queue_status(document, edxml.REGISTERED, "Đã vào sổ văn bản đến.", actor=actor)
    return Outcome(document, warnings)


@transaction.atomic
def incoming_return(*, actor: Any, document_id: int, reason: str) -> Document:
    """The clerk refuses an arrived document (status 02 with the reason)."""
    document = _incoming(document_id)
    _require_state(document, State.ARRIVED)
    _require_role(actor, document.agency_id, (Role.CLERK,), "trả lại văn bản đến")
    reason = reason.strip()
    if not reason or len(reason) > 1000:
        raise DomainError(
            "reason_required", "Trả lại văn bản phải có lý do (tối đa 1.000 ký tự).", field="reason"
        )
    document.state = State.RETURNED
    document.return_reason = reason
    document.save(update_fields=["state", "return_reason", "updated_at"])
    _audit(actor, "incoming.return", document, reason=reason)
    exchange.queue_status(document, edxml.REFUSED, reason, actor=actor)
    return document


@transaction.atomic
def incoming_assign(
    *,
    actor: Any,
    document_id: int,
    lead_id: int,
    co_ids: Sequence[int] = (),
    info_ids: Sequence[int] = (),
    working_days: int | None = None,
) -> Document:
    """The leader assigns a lead handler, co-processors and readers, with a deadline in working
    days of the agency's calendar (status 04)."""
    document = _incoming(document_id)
    _require_state(document, State.REGISTERED)
    _require_role(actor, document.agency_id, (Role.LEADER,), "phân công xử lý văn bản")
    wanted = [(lead_id, AssignmentRole.LEAD)]
    wanted += [(pk, AssignmentRole.CO) for pk in co_ids]
    wanted += [(pk, AssignmentRole.INFO) for pk in info_ids]
    ids = [pk for pk, _ in wanted]
    if len(set(ids)) != len(ids):
        raise DomainError("invalid_assignee", "Một người chỉ được phân công một vai trò.")
    users = get_user_model().objects.in_bulk(ids)
    for pk, _role in wanted:
        user = users.get(pk)
        if user is None or not _has_role(
            user,
            document.agency_id,
            (Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER, Role.CLERK),
        ):
            raise DomainError(
                "invalid_assignee", "Người được phân công phải là cán bộ của cơ quan nhận."
            )
    for pk, role in wanted:
        Assignment.objects.create(document=document, user=users[pk], role=role, assigned_by=actor)
    if working_days is not None:
        if working_days < 1:
            raise DomainError(
                "invalid_deadline", "Hạn xử lý phải từ 1 ngày làm việc.", field="working_days"
            )
        agency = document.agency
        province = agency.province.code if agency.province_id else None  # type: ignore[union-attr]
        calendar = get_calendar(province, agency_code=agency.code)
        document.due_at = calendar.add_working_days(timezone.now(), working_days)
    elif document.reply_due is not None:
        document.due_at = timezone.make_aware(
            datetime.combine(document.reply_due, datetime.max.time())
        )
    document.state = State.ASSIGNED
    document.save(update_fields=["state", "due_at", "updated_at"])
    lead = users[lead_id]
    _audit(actor, "incoming.assign", document, lead=lead.pk, co=list(co_ids))
    exchange.queue_status(
        document,
        edxml.ASSIGNED,
        f"Đã phân công {lead.get_full_name() or lead.get_username()} chủ trì xử lý.",
        actor=actor,
    )
    return document


def _require_handler(document: Document, actor: Any, *, lead_only: bool = False) -> None:
    roles = [AssignmentRole.LEAD] if lead_only else [AssignmentRole.LEAD, AssignmentRole.CO]
    if not document.assignments.filter(user_id=actor.pk, role__in=roles).exists():
        raise PermissionDenied("not_assigned", "Bạn không được phân công xử lý văn bản này.")


@transaction.atomic
def incoming_comment(*, actor: Any, document_id: int, text: str) -> Document:
    """A handler's processing note; the first one starts processing (status 05)."""
    document = _incoming(document_id)
    _require_state(document, State.ASSIGNED, State.PROCESSING)
    _require_handler(document, actor)
    if not text.strip():
        raise DomainError("comment_required", "Ý kiến xử lý không được để trống.", field="text")
    Comment.objects.create(document=document, author=actor, text=text.strip())
    if document.state == State.ASSIGNED:
        document.state = State.PROCESSING
        document.save(update_fields=["state", "updated_at"])
        exchange.queue_status(document, edxml.PROCESSING, "Đang xử lý.", actor=actor)
    _audit(actor, "incoming.comment", document)
    return document


@transaction.atomic
def incoming_complete(
    *, actor: Any, document_id: int, reply_id: int | None = None, note: str = ""
) -> Document:
    """The lead handler closes the document: with the issued reply (an outgoing document that
    answers it) or for information only (status 06)."""
    document = _incoming(document_id)
    _require_state(document, State.ASSIGNED, State.PROCESSING)
    _require_handler(document, actor, lead_only=True)
    description = note.strip() or "Đã xử lý xong."
    if reply_id is not None:
        reply = Document.objects.filter(
            pk=reply_id, direction=Direction.OUTGOING, reply_to=document, state=State.ISSUED
        ).first()
        if reply is None:
            raise DomainError(
                "invalid_reply",
                "Văn bản trả lời phải là văn bản đi đã ban hành, trả lời văn bản này.",
                field="reply",
            )
        description = f"Đã trả lời bằng văn bản số {reply.number_notation}."
    else:
        document.for_information = True
    document.state = State.DONE
    document.done_at = timezone.now()
    document.save(update_fields=["state", "done_at", "for_information", "updated_at"])
    _audit(actor, "incoming.complete", document, reply=reply_id)
    exchange.queue_status(document, edxml.DONE, description, actor=actor)
    return document


@transaction.atomic
def incoming_recall_answer(*, actor: Any, document_id: int, accept: bool) -> Document:
    """The clerk answers the sender's recall request: accepted (15, the record is withdrawn) or
    refused (16). A document already done cannot be given back."""
    document = _incoming(document_id)
    requested = document.status_events.filter(
        direction=Direction.INCOMING, code=edxml.RECALL_REQUESTED
    ).exists()
    answered = document.status_events.filter(
        direction=Direction.OUTGOING, code__in=[edxml.RECALL_ACCEPTED, edxml.RECALL_REFUSED]
    ).exists()
    if not requested or answered:
        raise Conflict("no_recall_request", "Không có yêu cầu thu hồi nào đang chờ trả lời.")
    _require_role(actor, document.agency_id, (Role.CLERK,), "trả lời yêu cầu thu hồi")
    if accept:
        if document.state == State.DONE:
            raise Conflict(
                "recall_after_done",
                "Văn bản đã xử lý xong, không thể trả lại; hãy từ chối yêu cầu thu hồi.",
            )
        document.state = State.WITHDRAWN
        document.save(update_fields=["state", "updated_at"])
        exchange.queue_status(document, edxml.RECALL_ACCEPTED, "Đồng ý thu hồi.", actor=actor)
    else:
        exchange.queue_status(document, edxml.RECALL_REFUSED, "Từ chối thu hồi.", actor=actor)
    _audit(actor, "incoming.recall_answer", document, accept=accept)
    return document


def status_history(document: Document) -> list[StatusEvent]:
    return list(document.status_events.order_by("at", "pk"))


@transaction.atomic
def document_replace(
    *,
    actor: Any,
    document_id: int,
    main: Upload,
    attachments: Sequence[Upload] = (),
    changes: dict[str, Any] | None = None,
    reason: str,
) -> Document:
    """The signer replaces an issued document's files (văn bản thay thế): they sign the new
    main file (PAdES, their own key, as at first signature), it becomes the next version with
    any corrected metadata, and goes to every axis recipient as a replacement
    (BussinessDocType 3). Each recipient's clerk accepts it (their record's next version,
    with the diff, status 15) or refuses it (16), as for an update."""
    stored = StoredFiles()
    changes = dict(changes or {})
    try:
        document = _locked(document_id, direction=Direction.OUTGOING)
        _require_state(document, State.ISSUED)
        if document.signer_id != getattr(actor, "pk", None):
            raise PermissionDenied(
                "not_the_signer", "Chỉ người ký văn bản mới ký được văn bản thay thế."
            )
        _require_role(actor, document.agency_id, (Role.LEADER,), "ký văn bản thay thế")
        if not reason.strip():
            raise DomainError("reason_required", "Thay thế văn bản phải có lý do.", field="reason")
        unknown = set(changes) - set(UPDATE_FIELDS)
        if unknown:
            raise DomainError(
                "invalid_field", f"Không cập nhật được trường {', '.join(sorted(unknown))}."
            )
        # The new files are checked like any upload before anything is signed or written.
        _check_file(main, role=FileRole.MAIN)
        for upload in attachments:
            _check_file(upload, role=FileRole.ATTACHMENT)
        signed_pdf = signature.sign_pdf(
            main.data, leader=actor, agency=document.agency, reason=reason.strip()[:200]
        )
        for name, value in changes.items():
            setattr(document, name, value)
        document.version += 1
        document.save()
        _store_files(
            document,
            document.version,
            main=Upload(main.name, signed_pdf),
            attachments=attachments,
            stored=stored,
            signed=True,
        )
        _new_version(document, actor, reason)
        _audit(
            actor,
            "document.replace",
            document,
            changes=sorted(changes),
            reason=reason,
            sha256=signature.sha256(signed_pdf),
        )
        exchange.queue_update(
            document, actor=actor, reason=reason.strip(), business_type=edxml.REPLACE
        )
    except BaseException:
        stored.discard()
        raise
    return document
