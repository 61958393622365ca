"""Reads of the citizen's document store."""

from __future__ import annotations

import datetime
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
        .select_related("result", "attachment", "source_dossier")
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


def usable_for_slot(
    documents: Sequence[StoredDocument],
    allowed_types: Sequence[str] | None,
    *,
    on: datetime.date | None = None,
) -> list[StoredDocument]:
    """The entries a component slot may take: reuse allowed, valid, of an allowed file type."""
    day = on or timezone.localdate()
    allowed = tuple(allowed_types or DEFAULT_ALLOWED_TYPES)
    return [
        document
        for document in documents
        if document.reuse_allowed and document.valid_on(day) and document.mime_type in allowed
    ]


def reuses_of_dossier(dossier_id: int) -> dict[str, StoredDocument]:
    """Per component code, the store entry a dossier's component was satisfied from."""
    return {
        reuse.component_code: reuse.document
        for reuse in DocumentReuse.objects.filter(dossier_id=dossier_id).select_related("document")
    }
