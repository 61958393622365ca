"""Reads of the e-office, always scoped to what the person may see
(:class:`~congso.eoffice.models.DocumentQuerySet`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from congso.core.errors import NotFound
from congso.eoffice.models import Direction, Document, OutboxItem, State

OPEN_INCOMING = (State.ASSIGNED, State.PROCESSING)


def documents_for(
    user: Any, *, direction: str | None = None, state: str | None = None
) -> QuerySet[Document]:
    queryset = Document.objects.restrict(user).select_related("agency", "doc_type")
    if direction:
        queryset = queryset.filter(direction=direction)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-updated_at", "-pk")


def document_for(user: Any, document_id: int) -> Document:
    document = documents_for(user).filter(pk=document_id).first()
    if document is None:
        raise NotFound("not_found", "Không tìm thấy văn bản.")
    return document


def overdue(user: Any, *, mine: bool = False) -> QuerySet[Document]:
    """Incoming documents being handled past their deadline (the person's own with ``mine``)."""
    queryset = documents_for(user, direction=Direction.INCOMING).filter(
        state__in=OPEN_INCOMING, due_at__lt=timezone.now()
    )
    if mine:
        queryset = queryset.filter(assignments__user=user)
    return queryset.order_by("due_at", "pk").distinct()


def register(
    user: Any, *, agency_id: int, direction: str, year: int, confidential: bool = False
) -> QuerySet[Document]:
    """The entries of one register (sổ đi / sổ đến) in number order."""
    queryset = documents_for(user, direction=direction).filter(
        agency_id=agency_id, register_year=year, register_number__isnull=False
    )
    queryset = (
        queryset.exclude(confidentiality=0) if confidential else queryset.filter(confidentiality=0)
    )
    return queryset.order_by("register_number")


def failed_packages(user: Any) -> QuerySet[OutboxItem]:
    """Packages the axis never took (after every retry), for the clerk to look at."""
    visible = documents_for(user).values("pk")
    return OutboxItem.objects.filter(
        status=OutboxItem.Status.FAILED, package__document__in=visible
    ).select_related("package", "dispatch")
