"""Reads of the citizen's document store."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from congso.docstore.models import DocumentReuse, StoredDocument
from congso.dossiers.attachments import DEFAULT_ALLOWED_TYPES
from congso.org.models import Citizen


def documents_of(citizen: Citizen | None) -> QuerySet[StoredDocument]:
    if citizen is None:
        return StoredDocument.objects.none()
    return (
        StoredDocument.objects.filter(citizen=citizen)
        .select_related("result", "attachment__component", "source_dossier")
        .prefetch_related(
            Prefetch(
                "reuses",
                queryset=DocumentReuse.objects.select_related("dossier").order_by("-at"),
            )
        )
    )


def documents_for_user(user: Any) -> QuerySet[StoredDocument]:
    citizen = (
        Citizen.objects.filter(user_id=user.pk).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    return documents_of(citizen)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def fits(document: StoredDocument, slot: Any) -> bool:
    """Whether the entry is the kind of paper the component slot asks for: a digitised paper
    of the same component (code or name) as the one it came from; an e-result whose title the
    slot's name contains (a "Giấy khai sinh" for a slot "Bản sao Giấy khai sinh")."""
    name = _plain(str(getattr(slot, "name", "")))
    if document.attachment_id and document.attachment is not None:
        source = document.attachment.component
        return slot.code == source.code or name == _plain(source.name)
    return bool(name) and _plain(document.title) in name


def usable_for_slot(
    documents: Sequence[StoredDocument],
    slot: Any,
    *,
    on: datetime.date | None = None,
) -> list[StoredDocument]:
    """The entries a component slot may take: reuse allowed, valid, of an allowed file type,
    and the kind of paper the slot asks for (:func:`fits`)."""
    day = on or timezone.localdate()
    allowed = tuple(slot.allowed_types or DEFAULT_ALLOWED_TYPES)
    return [
        document
        for document in documents
        if document.reuse_allowed
        and document.valid_on(day)
        and document.mime_type in allowed
        and fits(document, slot)
    ]


def reuses_of_dossier(dossier_id: int) -> dict[str, StoredDocument]:
    """Per component code, the store entry a dossier's component was satisfied from."""
    return {
        reuse.component_code: reuse.document
        for reuse in DocumentReuse.objects.filter(dossier_id=dossier_id).select_related("document")
    }
