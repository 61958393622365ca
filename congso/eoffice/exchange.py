"""The exchange of edXML packages over the document axis: what goes out (an outbox row per
recipient, drained by the ``eoffice.deliver`` task with back-off and a cap) and what comes in
(``eoffice.poll`` takes the packages waiting on the axis, keeps each one byte for byte, checks
it — schema, XML-DSig, the signer's agency — and applies it or refuses it visibly).

The back-end is the exchange registry's ``docaxis`` (``congso/contrib/docaxis``): it carries
bytes, knows nothing of documents. Idempotency: an outbox key per (DocumentId, recipient,
business type) or (DocumentId, sender, recipient, status code); an incoming document is kept
once per (agency, DocumentId); a status once per (recipient, code, timestamp)."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.core import worker
from congso.core.errors import DomainError
from congso.dossiers.attachments import PDF, StoredFiles, check, clean_name
from congso.eoffice import edxml, seals
from congso.eoffice.models import (
    AxisAgency,
    Channel,
    Direction,
    Dispatch,
    Document,
    DocumentFile,
    DocumentType,
    DocumentVersion,
    FileRole,
    IncomingUpdate,
    OutboxItem,
    Package,
    PackageKind,
    State,
    StatusEvent,
)
from congso.exchange.base import Envelope, ExchangeBackend, ExchangeError
from congso.exchange.registry import registry
from congso.org.models import Agency

log = logging.getLogger(__name__)

BACKEND = "docaxis"
KINDS = {PackageKind.EDOC: "edxml.edoc", PackageKind.STATUS: "edxml.status"}
#: The incoming package's largest file (bytes).
MAX_FILE_BYTES = 50 * 1024 * 1024


def backend() -> ExchangeBackend:
    try:
        chosen = registry.get(BACKEND)
    except LookupError:
        raise DomainError(
            "exchange_unavailable", "Chưa cài đặt kết nối trục liên thông văn bản.", status=503
        ) from None
    return chosen


def registry_ready() -> bool:
    """Whether the axis back-end is installed and configured."""
    return BACKEND in registry and registry.get(BACKEND).is_enabled()


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _organ(agency: Agency | None, code: str, name: str = "") -> edxml.Organ:
    if agency is not None:
        return edxml.Organ(organ_id=agency.code, name=agency.name)
    return edxml.Organ(organ_id=code, name=name or code)


def _files(document: Document) -> list[DocumentFile]:
    return list(document.files.filter(version=document.version).order_by("role", "pk"))


def _package_for(
    document: Document, recipients: list[Dispatch], business_type: int, reason: str = ""
) -> bytes:
    attachments = []
    for index, row in enumerate(sorted(_files(document), key=lambda f: f.role != FileRole.MAIN)):
        with row.file.open("rb") as handle:
            data = handle.read()
        attachments.append(
            edxml.Attachment(
                content_id=f"file{index + 1}",
                name=row.name,
                content_type=row.mime_type,
                data=data,
                description=row.get_role_display(),
            )
        )
    local = Agency.objects.in_bulk([d.recipient_code for d in recipients], field_name="code")
    reply = document.reply_to
    response_for: tuple[edxml.ResponseFor, ...] = ()
    if reply is not None and reply.document_id and reply.issued_on is not None:
        response_for = (
            edxml.ResponseFor(
                organ_id=reply.issuer_code,
                code=reply.number_notation,
                promulgation_date=reply.issued_on,
                document_id=reply.document_id,
            ),
        )
    assert document.issued_on is not None
    package = edxml.DocumentPackage(
        sender=_organ(document.agency, document.agency.code),
        recipients=tuple(
            _organ(local.get(d.recipient_code), d.recipient_code, d.recipient_name)
            for d in recipients
        ),
        code_number=document.code_number,
        code_notation=document.code_notation,
        promulgation_place=document.place or document.agency.name,
        promulgation_date=document.issued_on,
        type_code=document.doc_type.code,
        type_name=document.doc_type.name,
        subject=document.subject,
        content=document.content,
        steering_type=document.steering_type,
        signer_competence=document.signer_competence,
        signer_position=document.signer_position,
        signer_name=document.signer_name,
        due_date=document.reply_due,
        to_places=tuple(document.to_places),
        priority=document.urgency,
        confidentiality=document.confidentiality,
        page_amount=document.page_count,
        response_for=response_for,
        attachments=tuple(attachments),
        timestamp=timezone.now(),
        business_type=business_type,
        business_reason=reason,
    )
    return edxml.sign(edxml.build_document(package), seals.seal_for(document.agency.code))


def _outbox(
    *,
    key: str,
    package: Package,
    recipient: str,
    dispatch: Dispatch | None = None,
) -> OutboxItem | None:
    if OutboxItem.objects.filter(key=key).exists():
        return None
    item = OutboxItem.objects.create(
        key=key, package=package, dispatch=dispatch, recipient_code=recipient
    )
    worker.enqueue("eoffice.deliver", outbox_id=item.pk)
    return item


def queue_document(
    document: Document, dispatch: Dispatch, *, actor: Any, business_type: int = edxml.NEW
) -> OutboxItem | None:
    """Queue the signed package of an issued document for one recipient (in the caller's
    transaction); nothing when that (DocumentId, recipient, business type) is already queued.
    The package is built once per document and business type, for all its axis recipients."""
    package = Package.objects.filter(
        direction=Direction.OUTGOING,
        kind=PackageKind.EDOC,
        document=document,
        business_type=business_type,
    ).first()
    if package is None:
        recipients = list(document.dispatches.filter(channel=Channel.AXIS).order_by("pk"))
        data = _package_for(document, recipients, business_type)
        package = Package.objects.create(
            direction=Direction.OUTGOING,
            kind=PackageKind.EDOC,
            document_key=document.document_id,
            business_type=business_type,
            from_code=document.agency.code,
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            outcome=Package.Outcome.ACCEPTED,
            document=document,
        )
        record(actor=actor, action="eoffice.package.build", target=package)
    key = f"edoc|{document.document_id}|{dispatch.recipient_code}|{business_type}"
    return _outbox(key=key, package=package, recipient=dispatch.recipient_code, dispatch=dispatch)


def queue_update(
    document: Document, *, actor: Any, reason: str, business_type: int = edxml.UPDATE
) -> list[OutboxItem]:
    """Send the document's current version to every axis recipient as an update
    (BussinessDocType 2) or a revocation (1); each version is its own send."""
    recipients = list(document.dispatches.filter(channel=Channel.AXIS).order_by("pk"))
    data = _package_for(document, recipients, business_type, reason)
    package = Package.objects.create(
        direction=Direction.OUTGOING,
        kind=PackageKind.EDOC,
        document_key=document.document_id,
        business_type=business_type,
        from_code=document.agency.code,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        outcome=Package.Outcome.ACCEPTED,
        document=document,
    )
    record(actor=actor, action="eoffice.package.build", target=package)
    items = []
    for dispatch in recipients:
        code = dispatch.recipient_code
        key = f"edoc|{document.document_id}|{code}|{business_type}|v{document.version}"
        item = _outbox(key=key, package=package, recipient=code, dispatch=dispatch)
        if item is not None:
            items.append(item)
    return items


def queue_status(
    document: Document,
    code: str,
    description: str,
    *,
    actor: Any,
    recipient: str = "",
    dispatch: Dispatch | None = None,
    variant: str = "",
) -> OutboxItem | None:
    """Record a status of ``document`` and queue its status package: to the issuer for an
    incoming document, to ``recipient`` for our own (a recall request). A paper document that
    came without a DocumentId gets the event only."""
    now = timezone.now()
    staff = getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "")
    StatusEvent.objects.create(
        document=document,
        dispatch=dispatch,
        direction=Direction.OUTGOING,
        code=code,
        description=description,
        staff=staff or "Hệ thống",
        at=now,
    )
    if not document.document_id or document.issued_on is None:
        return None
    to = recipient or document.issuer_code
    status = edxml.StatusPackage(
        response_for=edxml.ResponseFor(
            organ_id=document.issuer_code,
            code=document.number_notation,
            promulgation_date=document.issued_on,
            document_id=document.document_id,
        ),
        sender=_organ(document.agency, document.agency.code),
        status_code=code,
        description=description,
        timestamp=now,
        staff_name=staff or document.agency.name,
    )
    data = edxml.sign(edxml.build_status(status), seals.seal_for(document.agency.code))
    package = Package.objects.create(
        direction=Direction.OUTGOING,
        kind=PackageKind.STATUS,
        document_key=document.document_id,
        status_code=code,
        from_code=document.agency.code,
        to_code=to,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        outcome=Package.Outcome.ACCEPTED,
        document=document,
    )
    key = f"status|{document.document_id}|{document.agency.code}|{to}|{code}"
    if variant:  # an answer to one of several requests (e.g. each update)
        key += f"|{variant}"
    return _outbox(key=key, package=package, recipient=to, dispatch=dispatch)


# --- Delivery -------------------------------------------------------------------------------------


def deliver(outbox_id: int) -> str:
    """Hand one queued package to the axis. A transient failure is retried later (a new job,
    with back-off) until ``EOFFICE_MAX_ATTEMPTS``; then, or on a permanent refusal, the row is
    marked failed, the dispatch shows it and the failure is audited. Returns the row's status."""
    with transaction.atomic():
        item = (
            OutboxItem.objects.select_for_update(of=("self",))
            .select_related("package", "dispatch")
            .filter(pk=outbox_id)
            .first()
        )
        if item is None or item.status != OutboxItem.Status.PENDING:
            return item.status if item is not None else "missing"
        package = item.package
        envelope = Envelope(
            message_id=item.key,
            kind=KINDS[PackageKind(package.kind)],
            party=item.recipient_code,
            payload=bytes(package.data),
            content_type="application/xml",
            created_at=item.created_at,
        )
        item.attempts += 1
        if internal(item.recipient_code):
            # A recipient served by this instance: handed over here, without the axis (the
            # same checks as a package from the axis: schema, signature, content).
            _mark_sent(item, package, f"internal:{item.key}"[:100])
            receive(bytes(package.data), remote_id=f"internal:{item.key}")
            return item.status
        try:
            receipt = backend().send(envelope)
        except (ExchangeError, DomainError) as exc:
            permanent = getattr(exc, "permanent", False) or isinstance(exc, DomainError)
            item.last_error = str(exc)[:2000]
            if permanent or item.attempts >= settings.EOFFICE_MAX_ATTEMPTS:
                item.status = OutboxItem.Status.FAILED
                item.next_attempt_at = None
                if item.dispatch is not None and package.kind == PackageKind.EDOC:
                    item.dispatch.delivery = Dispatch.Delivery.FAILED
                    item.dispatch.save(update_fields=["delivery"])
                record(
                    actor=None,
                    action="eoffice.outbox.failed",
                    target=item,
                    after={"attempts": item.attempts, "error": item.last_error},
                )
            else:
                delay = backoff(item.attempts)
                item.next_attempt_at = timezone.now() + delay
                worker.enqueue("eoffice.deliver", delay=delay, outbox_id=item.pk)
            item.save()
            return item.status
        _mark_sent(item, package, receipt.remote_ref[:100])
        return item.status


def _mark_sent(item: OutboxItem, package: Package, ref: str) -> None:
    item.status = OutboxItem.Status.SENT
    item.sent_at = timezone.now()
    item.remote_ref = ref
    item.last_error = ""
    item.save()
    package.remote_id = package.remote_id or ref
    package.save(update_fields=["remote_id"])
    if item.dispatch is not None and package.kind == PackageKind.EDOC:
        item.dispatch.delivery = Dispatch.Delivery.SENT
        item.dispatch.sent_at = item.sent_at
        item.dispatch.save(update_fields=["delivery", "sent_at"])
    record(actor=None, action="eoffice.outbox.sent", target=item, after={"ref": item.remote_ref})


def internal(code: str) -> bool:
    """Whether ``code`` is an active agency of this instance, reached without the axis
    (``CONGSO_EOFFICE_INTERNAL_ROUTING``)."""
    return bool(
        settings.EOFFICE_INTERNAL_ROUTING and Agency.objects.filter(code=code, active=True).exists()
    )


def sync_directory() -> int:
    """Bring the agency directory (:class:`AxisAgency`) in line with the axis's: new and
    changed entries written, the ones the axis no longer lists marked inactive. Returns how
    many entries changed. An axis without a directory changes nothing."""
    listing = getattr(backend(), "directory", None)
    if listing is None:
        return 0
    entries = {}
    for item in listing():
        code = str(item.get("code", "")).strip()
        if code:
            entries[code] = {
                "name": str(item.get("name") or code)[:255],
                "parent_code": str(item.get("parent") or "")[:13],
                "active": bool(item.get("active", True)),
            }
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        known = {row.code: row for row in AxisAgency.objects.select_for_update()}
        for code, fields in entries.items():
            row = known.get(code)
            if row is None:
                AxisAgency.objects.create(code=code, synced_at=now, **fields)
                changed += 1
            elif any(getattr(row, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(row, name, value)
                row.synced_at = now
                row.save()
                changed += 1
        gone = [c for c, row in known.items() if c not in entries and row.active]
        changed += AxisAgency.objects.filter(code__in=gone).update(active=False, synced_at=now)
        if changed:
            record(actor=None, action="eoffice.directory.sync", after={"changed": changed})
    return changed


def retry(*, actor: Any, outbox_id: int) -> OutboxItem:
    """Put a failed package back in the queue (the clerk's manual retry), audited."""
    with transaction.atomic():
        item = OutboxItem.objects.select_for_update().filter(pk=outbox_id).first()
        if item is None or item.status != OutboxItem.Status.FAILED:
            raise DomainError("not_failed", "Chỉ gửi lại được gói tin đã gửi lỗi.", status=409)
        item.status = OutboxItem.Status.PENDING
        item.attempts = 0
        item.save(update_fields=["status", "attempts"])
        if item.dispatch is not None:
            item.dispatch.delivery = Dispatch.Delivery.PENDING
            item.dispatch.save(update_fields=["delivery"])
        worker.enqueue("eoffice.deliver", outbox_id=item.pk)
        record(actor=actor, action="eoffice.outbox.retry", target=item)
    return item


# --- Reception ------------------------------------------------------------------------------


def poll() -> list[Package]:
    """Take every package waiting on the axis for this system, keep and apply each, then
    acknowledge it (a package is acknowledged only after it is stored: a crash in between
    brings it back, and it is recognised)."""
    chosen = backend()
    received = []
    for envelope in chosen.poll(None):
        data = envelope.payload if isinstance(envelope.payload, bytes) else b""
        received.append(receive(data, remote_id=envelope.message_id))
        chosen.acknowledge(envelope)
    return received


def _refuse(package: Package, outcome: str, problem: str) -> Package:
    package.outcome = outcome
    package.problem = problem[:4000]
    package.save(update_fields=["outcome", "problem"])
    record(
        actor=None,
        action="eoffice.package.refused",
        target=package,
        after={"outcome": outcome, "problem": package.problem},
    )
    return package


def receive(data: bytes, *, remote_id: str = "") -> Package:
    """Keep one received package and apply it (atomic). Never raises for a bad package: the
    row says what was wrong."""
    with transaction.atomic():
        if remote_id:
            seen = Package.objects.filter(direction=Direction.INCOMING, remote_id=remote_id).first()
            if seen is not None:
                return seen
        package = Package.objects.create(
            direction=Direction.INCOMING,
            kind=PackageKind.EDOC,
            remote_id=remote_id[:100],
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            outcome=Package.Outcome.ACCEPTED,
        )
        try:
            parsed = edxml.read(data, ca_pem_file=seals.trust_anchors())
        except edxml.PackageError as exc:
            return _refuse(package, exc.outcome, exc.message)
        if parsed.status is not None:
            return _apply_status(package, parsed.status)
        assert parsed.document is not None
        return _apply_document(package, parsed.document)


def _check_incoming_file(attachment: edxml.Attachment, *, main: bool) -> Any:
    content = ContentFile(attachment.data, name=clean_name(attachment.name))
    checked = check(
        content,
        name=clean_name(attachment.name),
        slot_code="main" if main else "attachment",
        slot_name="văn bản chính" if main else "tài liệu kèm theo",
        allowed_types=[PDF] if main else None,
        max_size_bytes=MAX_FILE_BYTES,
    )
    return content, checked


def _apply_document(package: Package, doc: edxml.DocumentPackage) -> Package:
    package.document_key = doc.document_id
    package.business_type = doc.business_type
    package.from_code = doc.sender.organ_id
    codes = [r.organ_id for r in doc.recipients]
    agencies = list(Agency.objects.filter(code__in=codes, active=True).order_by("code"))
    package.to_code = ",".join(a.code for a in agencies)[:13]
    package.save(update_fields=["document_key", "business_type", "from_code", "to_code"])
    if not agencies:
        return _refuse(
            package,
            Package.Outcome.UNKNOWN_RECIPIENT,
            "Không nơi nhận nào của gói tin thuộc hệ thống này: " + ", ".join(codes),
        )
    if doc.business_type in (edxml.UPDATE, edxml.REPLACE, edxml.REVOKE):
        return _queue_incoming_update(package, agencies, doc)
    kind = (
        DocumentType.objects.filter(code=doc.type_code).order_by("-effective_from").first()
        or DocumentType.objects.filter(name__iexact=doc.type_name).first()
    )
    if kind is None:
        return _refuse(
            package, Package.Outcome.MALFORMED, f"Loại văn bản {doc.type_code} không xác định."
        )
    created = 0
    for agency in agencies:
        if (
            Document.objects.filter(
                agency=agency, direction=Direction.INCOMING, document_id=doc.document_id
            )
            .exclude(state=State.RETURNED)
            .exists()
        ):
            continue
        stored = StoredFiles()
        try:
            with transaction.atomic():
                document = _create_incoming(agency, kind, doc, stored)
        except DomainError as exc:
            stored.discard()
            _refuse_content(package, agency, doc, str(exc.message))
            continue
        package.document = document
        package.save(update_fields=["document"])
        created += 1
    if not created and package.outcome == Package.Outcome.ACCEPTED:
        package.outcome = Package.Outcome.DUPLICATE
        package.save(update_fields=["outcome"])
    return package


#: What an update may change on an incoming record, as the package reads it.
UPDATABLE = {
    "subject": "subject",
    "content": "content",
    "to_places": "to_places",
    "reply_due": "due_date",
    "page_count": "page_amount",
    "signer_name": "signer_name",
    "signer_position": "signer_position",
    "signer_competence": "signer_competence",
    "urgency": "priority",
}


def update_diff(document: Document, doc: edxml.DocumentPackage) -> dict[str, list[Any]]:
    """Field → [current, proposed] for what the update changes (files by SHA-256)."""
    diff: dict[str, list[Any]] = {}
    for field_name, attribute in UPDATABLE.items():
        old, new = getattr(document, field_name), getattr(doc, attribute)
        if field_name == "to_places":
            old, new = list(old), list(new)
        if old != new:
            diff[field_name] = [
                old.isoformat() if hasattr(old, "isoformat") else old,
                new.isoformat() if hasattr(new, "isoformat") else new,
            ]
    old_files = sorted(f.sha256 for f in document.files.filter(version=document.version))
    new_files = sorted(a.sha256 for a in doc.attachments)
    if old_files != new_files:
        diff["files"] = [old_files, new_files]
    return diff


#: What a revocation makes of the record, once the clerk accepts it.
REVOKED_LABEL = "Bị nơi ban hành thu hồi, hủy bỏ"


def revoke_diff(document: Document) -> dict[str, list[Any]]:
    return {"state": [document.get_state_display(), REVOKED_LABEL]}


def _queue_incoming_update(
    package: Package, agencies: list[Agency], doc: edxml.DocumentPackage
) -> Package:
    records = list(
        Document.objects.filter(
            agency__in=agencies, direction=Direction.INCOMING, document_id=doc.document_id
        ).exclude(state__in=[State.RETURNED, State.WITHDRAWN])
    )
    if not records:
        return _refuse(
            package,
            Package.Outcome.UNMATCHED,
            f"Gói cập nhật văn bản {doc.document_id}: chưa nhận văn bản gốc.",
        )
    created = 0
    for document in records:
        if IncomingUpdate.objects.filter(
            document=document, package__sha256=package.sha256
        ).exists():
            continue  # another copy of the same package (one per addressed agency, or a resend)
        created += 1
        IncomingUpdate.objects.create(
            document=document,
            package=package,
            business_type=doc.business_type,
            reason=doc.business_reason,
            diff=revoke_diff(document)
            if doc.business_type == edxml.REVOKE
            else update_diff(document, doc),
        )
        record(actor=None, action="eoffice.update.arrive", target=document)
    package.document = records[0]
    package.outcome = Package.Outcome.ACCEPTED if created else Package.Outcome.DUPLICATE
    package.save(update_fields=["document", "outcome"])
    return package


def _create_incoming(
    agency: Agency, kind: DocumentType, doc: edxml.DocumentPackage, stored: StoredFiles
) -> Document:
    reply_to = None
    for item in doc.response_for:
        reply_to = Document.objects.filter(
            agency=agency, direction=Direction.OUTGOING, document_id=item.document_id
        ).first()
        if reply_to is not None:
            break
    document = Document.objects.create(
        agency=agency,
        direction=Direction.INCOMING,
        state=State.ARRIVED,
        doc_type=kind,
        code_number=doc.code_number,
        code_notation=doc.code_notation,
        issuer_code=doc.sender.organ_id,
        issuer_name=doc.sender.name,
        place=doc.promulgation_place,
        issued_on=doc.promulgation_date,
        subject=doc.subject,
        content=doc.content,
        steering_type=doc.steering_type,
        signer_name=doc.signer_name,
        signer_position=doc.signer_position,
        signer_competence=doc.signer_competence,
        to_places=list(doc.to_places),
        urgency=min(doc.priority, 3),
        confidentiality=doc.confidentiality,
        reply_due=doc.due_date,
        page_count=doc.page_amount,
        reply_to=reply_to,
        document_id=doc.document_id,
    )
    for index, attachment in enumerate(doc.attachments):
        content, checked = _check_incoming_file(attachment, main=index == 0)
        row = DocumentFile(
            document=document,
            version=1,
            role=FileRole.MAIN if index == 0 else FileRole.ATTACHMENT,
            name=checked.name,
            mime_type=checked.mime_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        row.file.save(checked.name, content, save=False)
        stored.names.append(row.file.name)
        row.save()
    DocumentVersion.objects.create(
        document=document, number=1, data={"document_id": doc.document_id}, note="Nhận qua trục"
    )
    record(
        actor=None,
        action="eoffice.incoming.arrive",
        target=document,
        after={"document_id": doc.document_id, "from": doc.sender.organ_id},
    )
    queue_status(document, edxml.ARRIVED, "Văn bản đã đến.", actor=None)
    return document


def _refuse_content(
    package: Package, agency: Agency, doc: edxml.DocumentPackage, reason: str
) -> None:
    """A verified package whose content cannot be taken (a file refused): kept refused, and
    the sender is told (status 02) from the addressed agency."""
    _refuse(package, Package.Outcome.MALFORMED, reason)
    status = edxml.StatusPackage(
        response_for=edxml.ResponseFor(
            organ_id=doc.sender.organ_id,
            code=doc.code,
            promulgation_date=doc.promulgation_date,
            document_id=doc.document_id,
        ),
        sender=_organ(agency, agency.code),
        status_code=edxml.REFUSED,
        description=reason[:1000],
        timestamp=timezone.now(),
        staff_name=agency.name,
    )
    data = edxml.sign(edxml.build_status(status), seals.seal_for(agency.code))
    out = Package.objects.create(
        direction=Direction.OUTGOING,
        kind=PackageKind.STATUS,
        document_key=doc.document_id,
        status_code=edxml.REFUSED,
        from_code=agency.code,
        to_code=doc.sender.organ_id,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        outcome=Package.Outcome.ACCEPTED,
    )
    key = f"status|{doc.document_id}|{agency.code}|{doc.sender.organ_id}|{edxml.REFUSED}"
    _outbox(key=key, package=out, recipient=doc.sender.organ_id)


def _apply_status(package: Package, status: edxml.StatusPackage) -> Package:
    package.kind = PackageKind.STATUS
    package.document_key = status.response_for.document_id
    package.status_code = status.status_code
    package.from_code = status.sender.organ_id
    package.save(update_fields=["kind", "document_key", "status_code", "from_code"])
    if status.status_code == edxml.RECALL_REQUESTED:
        return _apply_recall_request(package, status)
    document = Document.objects.filter(
        direction=Direction.OUTGOING, document_id=status.response_for.document_id
    ).first()
    dispatch = (
        document.dispatches.filter(recipient_code=status.sender.organ_id).first()
        if document is not None
        else None
    )
    if document is None or dispatch is None:
        return _refuse(
            package,
            Package.Outcome.UNMATCHED,
            f"Trạng thái {status.status_code} cho văn bản {status.response_for.document_id} "
            f"từ {status.sender.organ_id}: không có văn bản đi, nơi nhận tương ứng.",
        )
    package.document = document
    package.save(update_fields=["document"])
    if StatusEvent.objects.filter(
        dispatch=dispatch,
        direction=Direction.INCOMING,
        code=status.status_code,
        at=status.timestamp,
    ).exists():
        package.outcome = Package.Outcome.DUPLICATE
        package.save(update_fields=["outcome"])
        return package
    StatusEvent.objects.create(
        document=document,
        dispatch=dispatch,
        direction=Direction.INCOMING,
        code=status.status_code,
        description=status.description,
        staff=status.staff_name,
        at=status.timestamp,
    )
    if dispatch.status_at is None or status.timestamp >= dispatch.status_at:
        dispatch.status_code = status.status_code
        dispatch.status_description = status.description
        dispatch.status_at = status.timestamp
        dispatch.save(update_fields=["status_code", "status_description", "status_at"])
    if status.status_code == edxml.RECALL_ACCEPTED and _recall_accepted_by_all(document):
        document.state = State.RECALLED
        document.save(update_fields=["state", "updated_at"])
    record(
        actor=None,
        action="eoffice.status.receive",
        target=document,
        after={"from": status.sender.organ_id, "code": status.status_code},
    )
    return package


def _recall_accepted_by_all(document: Document) -> bool:
    """Whether every axis recipient answered our recall request (13) with a 15 received
    after it. A 15 also accepts an update or a replacement: without a recall asked of that
    recipient, it recalls nothing."""
    if document.state != State.ISSUED:
        return False
    for dispatch in document.dispatches.filter(channel=Channel.AXIS):
        asked = (
            dispatch.status_events.filter(direction=Direction.OUTGOING, code=edxml.RECALL_REQUESTED)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        # Kept after the request here (rows in arrival order: no trust in the other clock).
        if (
            asked is None
            or not dispatch.status_events.filter(
                direction=Direction.INCOMING, code=edxml.RECALL_ACCEPTED, pk__gt=asked
            ).exists()
        ):
            return False
    return True


def _apply_recall_request(package: Package, status: edxml.StatusPackage) -> Package:
    documents = list(
        Document.objects.filter(
            direction=Direction.INCOMING,
            document_id=status.response_for.document_id,
            issuer_code=status.sender.organ_id,
        ).exclude(state__in=[State.RETURNED, State.WITHDRAWN])
    )
    if not documents:
        return _refuse(
            package,
            Package.Outcome.UNMATCHED,
            f"Yêu cầu thu hồi văn bản {status.response_for.document_id}: không có văn bản đến.",
        )
    applied = 0
    for document in documents:
        if document.status_events.filter(
            direction=Direction.INCOMING, code=edxml.RECALL_REQUESTED
        ).exists():
            continue
        StatusEvent.objects.create(
            document=document,
            direction=Direction.INCOMING,
            code=edxml.RECALL_REQUESTED,
            description=status.description,
            staff=status.staff_name,
            at=status.timestamp,
        )
        record(actor=None, action="eoffice.recall.requested", target=document)
        package.document = document
        applied += 1
    package.outcome = Package.Outcome.ACCEPTED if applied else Package.Outcome.DUPLICATE
    package.save(update_fields=["document", "outcome"])
    return package
