"""Reads of the e-office, always scoped to what the person may see
(:class:`~congso.eoffice.models.DocumentQuerySet`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from congso.core.errors import NotFound
from congso.eoffice.models import (
    Approval,
    Direction,
    Document,
    OutboxItem,
    State,
    StatusEvent,
)
from congso.org.models import Agency, RoleAssignment
from congso.org.permissions import role_agencies

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


#: Roles that make someone an e-office officer of an agency.
OFFICE_ROLES = ("clerk", "leader", "specialist", "department_head")


def office_agencies(user: Any, roles: tuple[str, ...] = OFFICE_ROLES) -> QuerySet[Agency]:
    """The agencies where ``user`` holds one of ``roles`` today."""
    return Agency.objects.filter(pk__in=role_agencies(user, roles), active=True).order_by("name")


def colleagues(agency_ids: Any, roles: tuple[str, ...] = OFFICE_ROLES) -> QuerySet[Any]:
    """The active people holding one of ``roles`` in the agencies ``agency_ids`` today."""
    holders = RoleAssignment.objects.current().filter(agency_id__in=agency_ids, role__in=roles)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=holders.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


def my_work(user: Any) -> dict[str, list[Document]]:
    """What waits for ``user``, by kind of work (each list at most 50 documents)."""
    visible = documents_for(user)
    clerk_of = role_agencies(user, ("clerk",))
    leader_of = role_agencies(user, ("leader",))
    pending_visa = Approval.objects.filter(decision="pending").order_by("round", "position")
    mine_next = [
        step.document_id
        for step in pending_visa.filter(reviewer_id=user.pk, document__state=State.IN_REVIEW)
        if not pending_visa.filter(
            document_id=step.document_id, round=step.round, position__lt=step.position
        ).exists()
    ]
    awaiting_clerk = Q(agency_id__in=clerk_of) & (
        Q(direction=Direction.OUTGOING, state=State.SIGNED)
        | Q(direction=Direction.INCOMING, state=State.ARRIVED)
        | Q(updates__decision="pending")
        | Q(pk__in=recalls_pending(clerk_of))
    )
    work = {
        "drafts": visible.filter(direction=Direction.OUTGOING, state=State.DRAFT, created_by=user),
        "review": visible.filter(pk__in=mine_next),
        "sign": visible.filter(direction=Direction.OUTGOING, state=State.APPROVED, signer=user),
        "clerk": visible.filter(awaiting_clerk),
        "assign": visible.filter(
            direction=Direction.INCOMING, state=State.REGISTERED, agency_id__in=leader_of
        ),
        "handle": visible.filter(
            direction=Direction.INCOMING, state__in=OPEN_INCOMING, assignments__user=user
        ).exclude(assignments__user=user, assignments__role="info"),
    }
    return {name: list(queryset.distinct()[:50]) for name, queryset in work.items()}


def is_overdue(document: Document) -> bool:
    return bool(
        document.direction == Direction.INCOMING
        and document.state in OPEN_INCOMING
        and document.due_at is not None
        and document.due_at < timezone.now()
    )


#: What congso answers to an update (15/16 answer both a recall and an update).
UPDATE_ANSWERS = (
    "Đồng ý cập nhật.",
    "Từ chối cập nhật.",
    "Đồng ý hủy bỏ văn bản.",
    "Từ chối hủy bỏ văn bản.",
)


def recall_request(document: Document) -> StatusEvent | None:
    """The sender's latest recall request (13) on an incoming document."""
    return (
        document.status_events.filter(direction=Direction.INCOMING, code="13")
        .order_by("-at", "-pk")
        .first()
    )


def recall_answer(document: Document) -> StatusEvent | None:
    """Our answer (15 or 16) to that request: one sent after it that is not an update's."""
    request = recall_request(document)
    if request is None:
        return None
    return (
        document.status_events.filter(
            direction=Direction.OUTGOING, code__in=["15", "16"], at__gte=request.at
        )
        .exclude(description__in=UPDATE_ANSWERS)
        .order_by("at", "pk")
        .first()
    )


def recall_pending(document: Document) -> bool:
    return recall_request(document) is not None and recall_answer(document) is None


def recalls_pending(agency_ids: Any) -> list[int]:
    """The incoming documents of ``agency_ids`` whose sender's recall waits for an answer."""
    asked = StatusEvent.objects.filter(
        direction=Direction.INCOMING,
        code="13",
        document__agency_id__in=agency_ids,
        document__direction=Direction.INCOMING,
    ).exclude(document__state__in=[State.WITHDRAWN, State.RETURNED])
    found = []
    for document_id in asked.values_list("document_id", flat=True).distinct()[:200]:
        document = Document.objects.get(pk=document_id)
        if recall_pending(document):
            found.append(document_id)
    return found
