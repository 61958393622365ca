"""Reads of the e-office, always scoped to what the person may see
(:class:`~congso.eoffice.models.DocumentQuerySet`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from congso.calendar.engine import WorkCalendar
from congso.calendar.selectors import get_calendar
from congso.core.errors import NotFound
from congso.dossiers.models import Dossier
from congso.eoffice.models import (
    Approval,
    Assignment,
    AssignmentRole,
    Direction,
    Document,
    DossierLink,
    OutboxItem,
    State,
    StatusEvent,
    SubAssignment,
)
from congso.org.models import Agency, RoleAssignment
from congso.org.permissions import VIEW, role_agencies

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


# --- Deadlines: sub-assignments, overdue lists, reminders ----------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One person's deadline on one incoming document: as lead, co-processor or for a part
    given to them (sub-assignment)."""

    user_id: int
    role: str  # "lead", "co" or "sub"
    document: Document
    due_at: datetime
    task: str = ""

    @property
    def overdue(self) -> bool:
        return self.due_at < timezone.now()

    @property
    def role_label(self) -> str:
        return DEADLINE_ROLES[self.role]


#: The labels of a deadline's role (translated on the pages; the reminders are in Vietnamese).
DEADLINE_ROLES = {
    "lead": gettext_noop("Chủ trì"),
    "co": gettext_noop("Phối hợp"),
    "sub": gettext_noop("Được giao việc"),
}


def deadlines(
    *,
    until: datetime,
    user_ids: Any = None,
    agency_ids: Any = None,
    documents: QuerySet[Document] | None = None,
) -> list[Deadline]:
    """The open deadlines falling before ``until`` (overdue ones included) of the incoming
    documents being handled, for the people ``user_ids`` and/or the agencies ``agency_ids``
    (``documents``: the reader's visible documents; none: every one, for the reminders job)."""
    open_docs = Document.objects.filter(direction=Direction.INCOMING, state__in=OPEN_INCOMING)
    if documents is not None:
        open_docs = open_docs.filter(pk__in=documents.values("pk"))
    if agency_ids is not None:
        open_docs = open_docs.filter(agency_id__in=agency_ids)
    assignments = Assignment.objects.filter(
        document__in=open_docs.filter(due_at__lt=until),
        role__in=[AssignmentRole.LEAD, AssignmentRole.CO],
    ).select_related("document__agency", "document__doc_type")
    subs = SubAssignment.objects.filter(
        document__in=open_docs, status=SubAssignment.Status.OPEN, due_at__lt=until
    ).select_related("document__agency", "document__doc_type")
    if user_ids is not None:
        assignments = assignments.filter(user_id__in=user_ids)
        subs = subs.filter(user_id__in=user_ids)
    found = [
        Deadline(a.user_id, a.role, a.document, a.document.due_at)  # type: ignore[arg-type]
        for a in assignments
    ]
    found += [Deadline(s.user_id, "sub", s.document, s.due_at, s.task) for s in subs]
    return sorted(found, key=lambda d: (d.due_at, d.document.pk, d.user_id))


def end_of_tomorrow(now: datetime | None = None) -> datetime:
    """The end of the next local day: a deadline before it is "due tomorrow" (or overdue)."""
    day = timezone.localdate(now or timezone.now()) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.max))


def my_deadlines(user: Any, *, now: datetime | None = None) -> list[Deadline]:
    """The person's own deadlines due by the end of tomorrow, overdue ones first."""
    return deadlines(until=end_of_tomorrow(now), user_ids=[user.pk], documents=documents_for(user))


#: Roles that see the overdue list of their whole unit.
UNIT_ROLES = ("leader", "department_head", "clerk")


def unit_deadlines(user: Any, *, now: datetime | None = None) -> list[Deadline]:
    """Every deadline due by the end of tomorrow in the agencies where ``user`` leads a unit
    (leader, department head, clerk), scoped to what they may see."""
    return deadlines(
        until=end_of_tomorrow(now),
        agency_ids=role_agencies(user, UNIT_ROLES),
        documents=documents_for(user),
    )


def subassignments_of(document: Document) -> list[SubAssignment]:
    return list(document.subassignments.select_related("user", "assigned_by"))


def dossier_by_code(user: Any, code: str) -> Dossier:
    """A dossier the person may see, by its code."""
    found = Dossier.objects.restrict(user, VIEW).filter(code=code).first()
    if found is None:
        raise NotFound("not_found", "Không tìm thấy hồ sơ.", field="dossier")
    return found


def dossier_of(document: Document) -> DossierLink | None:
    """The dossier a document belongs to: raised from it, or the reply to one raised from it."""
    link = DossierLink.objects.select_related("dossier", "step").filter(document=document).first()
    if link is None and document.reply_to_id is not None:
        link = (
            DossierLink.objects.select_related("dossier", "step")
            .filter(document_id=document.reply_to_id)
            .first()
        )
    return link


@dataclass(frozen=True)
class LinkedDocument:
    link: DossierLink
    document: Document
    replies: list[Document]


def dossier_documents(user: Any, dossier_id: int) -> list[LinkedDocument]:
    """The documents raised from a dossier that ``user`` may see, each with the replies that
    arrived for it (incoming documents whose "reply to" is it). Two queries."""
    visible = Document.objects.restrict(user)
    links = list(
        DossierLink.objects.filter(dossier_id=dossier_id, document__in=visible.values("pk"))
        .select_related("document__agency", "step")
        .order_by("pk")
    )
    if not links:
        return []
    replies: dict[int, list[Document]] = {}
    for reply in visible.filter(
        reply_to_id__in=[link.document_id for link in links], direction=Direction.INCOMING
    ).order_by("pk"):
        replies.setdefault(reply.reply_to_id, []).append(reply)  # type: ignore[arg-type]
    return [
        LinkedDocument(link, link.document, replies.get(link.document_id, [])) for link in links
    ]


# --- The dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    incoming: list[tuple[str, str, int]]  # (state, label, count)
    outgoing: list[tuple[str, str, int]]
    overdue: int
    handled: int  # incoming documents done in the period
    average_days: float | None  # their mean handling time, in working days


def dashboard(agency_ids: Any, start: date, end: date) -> Dashboard:
    """The e-office's figures for the agencies ``agency_ids`` (None: all): the documents
    received or drafted in the period by state, the overdue ones now, and the mean handling
    time of the incoming documents completed in the period, in working days of each agency's
    calendar (from registration, or arrival, to done)."""
    documents = Document.objects.all()
    if agency_ids is not None:
        documents = documents.filter(agency_id__in=agency_ids)
    low = timezone.make_aware(datetime.combine(start, time.min))
    high = timezone.make_aware(datetime.combine(end, time.max))
    counts = {
        (row["direction"], row["state"]): row["n"]
        for row in documents.filter(created_at__range=(low, high))
        .values("direction", "state")
        .annotate(n=Count("pk"))
    }
    rows: dict[str, list[tuple[str, str, int]]] = {Direction.INCOMING: [], Direction.OUTGOING: []}
    for value, label in State.choices:
        for direction, found in rows.items():
            if (direction, value) in counts:
                found.append((value, label, counts[direction, value]))
    overdue_count = documents.filter(
        direction=Direction.INCOMING, state__in=OPEN_INCOMING, due_at__lt=timezone.now()
    ).count()
    done = list(
        documents.filter(direction=Direction.INCOMING, state=State.DONE, done_at__range=(low, high))
        .select_related("agency__province")
        .only("registered_at", "created_at", "done_at", "agency")
    )
    calendars: dict[int, WorkCalendar] = {}
    total = 0.0
    for document in done:
        agency = document.agency
        if agency.pk not in calendars:
            province = agency.province.code if agency.province_id else None  # type: ignore[union-attr]
            calendars[agency.pk] = get_calendar(province, agency_code=agency.code)
        calendar = calendars[agency.pk]
        begin = document.registered_at or document.created_at
        finish = document.done_at
        assert finish is not None
        length = calendar.hours_on(timezone.localdate(begin)).day_length
        total += calendar.working_time_between(begin, finish) / length
    return Dashboard(
        incoming=rows[Direction.INCOMING],
        outgoing=rows[Direction.OUTGOING],
        overdue=overdue_count,
        handled=len(done),
        average_days=round(total / len(done), 1) if done else None,
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
