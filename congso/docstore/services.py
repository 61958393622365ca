"""The writes of the citizen's document store, one transaction each, audited:

* :func:`result_deposit` — a fully signed e-result goes into its applicant's store (the
  results' ``on_result_signed`` hook, in the signing transaction);
* :func:`document_digitise` — an officer who may change a dossier marks one of its component
  files as a digitised paper of the applicant (issuer, number, date, validity);
* :func:`reuse_set` — the citizen allows or withdraws the reuse of an entry;
* :func:`reusable` / :func:`reuse_record` — a dossier component satisfied from the store: the
  entry is checked (the citizen's own, reuse allowed, still valid) before the submission, and
  the use is recorded in the submission's transaction (``docstore.document.reuse``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from congso.audit.services import record
from congso.core.errors import DomainError, Message, NotFound, PermissionDenied
from congso.docstore.models import DocumentKind, DocumentReuse, StoredDocument
from congso.dossiers.models import Attachment, Dossier, DossierComponent
from congso.org.models import Citizen
from congso.results.models import ResultStatus, SignedResult

TITLE_MAX = 255


def _citizen_of(user: Any) -> Citizen | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Citizen.objects.filter(user_id=user.pk).first()


def _after(document: StoredDocument) -> dict[str, Any]:
    return {
        "kind": document.kind,
        "number": document.number,
        "issued_on": document.issued_on.isoformat() if document.issued_on else None,
        "valid_until": document.valid_until.isoformat() if document.valid_until else None,
        "reuse_allowed": document.reuse_allowed,
    }


def result_deposit(dossier_id: int, *, signed_at: datetime.datetime) -> StoredDocument | None:
    """Put the dossier's latest fully signed e-result into its applicant's store (once)."""
    result = (
        SignedResult.objects.filter(dossier_id=dossier_id, status=ResultStatus.SIGNED)
        .select_related("dossier__competent_agency")
        .order_by("-number")
        .first()
    )
    if result is None:
        return None
    dossier = result.dossier
    if dossier.applicant_citizen_id is None:
        return None  # an organisation's result: its store is not kept here (yet)
    document, created = StoredDocument.objects.get_or_create(
        result=result,
        defaults={
            "citizen_id": dossier.applicant_citizen_id,
            "kind": DocumentKind.RESULT,
            "title": result.title[:TITLE_MAX],
            "issuer": dossier.competent_agency.name[:255],
            "number": result.code,
            "issued_on": timezone.localdate(signed_at),
            "source_dossier": dossier,
            "added_at": signed_at,
        },
    )
    if created:
        record(actor=None, action="docstore.document.add", target=document, after=_after(document))
    return document


def _invalid(message: str, field: str, **params: Any) -> DomainError:
    return DomainError("digitise_invalid", Message(message, **params), field=field)


def document_digitise(
    *,
    actor: Any,
    component: DossierComponent,
    title: str,
    issuer: str,
    number: str,
    issued_on: datetime.date | None,
    valid_until: datetime.date | None,
) -> StoredDocument:
    """An officer marks the latest file of ``component`` as a digitised paper of the
    dossier's applicant (a citizen), kept in their store."""
    dossier = component.dossier
    if not Dossier.objects.restrict(actor, "change").filter(pk=dossier.pk).exists():
        raise PermissionDenied(
            "digitise_forbidden", Message(gettext_noop("Bạn không có quyền số hóa hồ sơ này."))
        )
    if dossier.applicant_citizen_id is None:
        raise DomainError(
            "nothing_to_digitise",
            Message(gettext_noop("Hồ sơ không phải của một công dân: không có kho để lưu.")),
        )
    attachment = Attachment.objects.filter(component=component).order_by("-version").first()
    if attachment is None:
        raise DomainError(
            "nothing_to_digitise",
            Message(gettext_noop("Thành phần hồ sơ chưa có tệp để số hóa.")),
            field="component",
        )
    title = " ".join(title.split())[:TITLE_MAX] or component.name[:TITLE_MAX]
    issuer = " ".join(issuer.split())
    number = " ".join(number.split())
    if not issuer:
        raise _invalid(gettext_noop("Cần ghi cơ quan cấp giấy tờ."), "issuer")
    if len(issuer) > 255 or len(number) > 100:
        raise _invalid(gettext_noop("Cơ quan cấp hoặc số, ký hiệu quá dài."), "issuer")
    today = timezone.localdate()
    if issued_on is not None and issued_on > today:
        raise _invalid(gettext_noop("Ngày cấp không được sau hôm nay."), "issued_on")
    if valid_until is not None and issued_on is not None and valid_until < issued_on:
        raise _invalid(gettext_noop("Ngày hết hiệu lực phải sau ngày cấp."), "valid_until")
    with transaction.atomic():
        existing = StoredDocument.objects.filter(
            citizen_id=dossier.applicant_citizen_id, attachment=attachment
        ).first()
        document = existing or StoredDocument(
            citizen_id=dossier.applicant_citizen_id,
            kind=DocumentKind.DIGITISED,
            attachment=attachment,
            source_dossier=dossier,
            added_by=actor,
            added_at=timezone.now(),
        )
        before = _after(document) if existing else None
        document.title = title
        document.issuer = issuer[:255]
        document.number = number[:100]
        document.issued_on = issued_on
        document.valid_until = valid_until
        document.save()
        record(
            actor=actor,
            action="docstore.document.change" if existing else "docstore.document.add",
            target=document,
            before=before,
            after=_after(document),
        )
    return document


def _own(actor: Any, document_id: int) -> StoredDocument:
    citizen = _citizen_of(actor)
    document = (
        StoredDocument.objects.filter(pk=document_id, citizen=citizen).first()
        if citizen is not None
        else None
    )
    if document is None:
        raise NotFound(
            "document_not_found", Message(gettext_noop("Không tìm thấy giấy tờ trong kho."))
        )
    return document


def reuse_set(*, actor: Any, document_id: int, allowed: bool) -> StoredDocument:
    """The citizen allows (``allowed``) or withdraws the reuse of one of their entries."""
    with transaction.atomic():
        document = _own(actor, document_id)
        document = StoredDocument.objects.select_for_update().get(pk=document.pk)
        if document.reuse_allowed == allowed:
            return document
        before = _after(document)
        document.reuse_allowed = allowed
        document.consent_changed_at = timezone.now()
        document.save(update_fields=["reuse_allowed", "consent_changed_at"])
        record(
            actor=actor,
            action="docstore.consent.allow" if allowed else "docstore.consent.withdraw",
            target=document,
            before=before,
            after=_after(document),
        )
    return document


def reusable(*, actor: Any, document_id: int, on: datetime.date | None = None) -> StoredDocument:
    """The actor's own entry ``document_id`` if it may be used now, else a refusal."""
    document = _own(actor, document_id)
    if not document.reuse_allowed:
        raise DomainError(
            "reuse_withdrawn",
            Message(
                gettext_noop(
                    "Bạn đã rút lại việc cho phép dùng lại «%(title)s»; hãy cho phép lại trong "
                    "«Giấy tờ của tôi» hoặc tải tệp lên."
                ),
                title=document.title,
            ),
        )
    if not document.valid_on(on or timezone.localdate()):
        raise DomainError(
            "document_expired",
            Message(
                gettext_noop(
                    "«%(title)s» đã hết hiệu lực từ %(day)s; hãy tải lên bản còn hiệu lực."
                ),
                title=document.title,
                day=f"{document.valid_until:%d/%m/%Y}",
            ),
        )
    return document


def reuse_record(
    *, actor: Any, document_id: int, dossier: Dossier, component_code: str
) -> DocumentReuse:
    """Record (in the submission's transaction) that ``dossier``'s component was satisfied
    from the store; the entry is checked again under a row lock."""
    document = reusable(actor=actor, document_id=document_id)
    StoredDocument.objects.select_for_update().filter(pk=document.pk).first()
    attachment = (
        Attachment.objects.filter(component__dossier=dossier, component__code=component_code)
        .order_by("-version")
        .first()
    )
    reuse = DocumentReuse.objects.create(
        document=document,
        dossier=dossier,
        component_code=component_code,
        attachment=attachment,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=timezone.now(),
    )
    record(
        actor=actor,
        action="docstore.document.reuse",
        target=document,
        after={"dossier": dossier.code, "component": component_code},
    )
    return reuse
