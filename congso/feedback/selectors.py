"""Reads of the feedback app, scoped to who asks: the officers' queue (their agencies), the
public list (published answers only, never the reporter's contact), statistics per agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from congso.core.errors import NotFound
from congso.feedback.models import Category, Report
from congso.feedback.services import handler_agencies
from congso.feedback.workflow import OPEN, Status
from congso.org.models import AdministrativeUnit, UnitLevel

PUBLIC_STATES = (Status.ANSWERED, Status.CLOSED)


def categories(province_id: int) -> list[Category]:
    """Active categories of a province, parents first then their children (tree order)."""
    rows = list(
        Category.objects.filter(province_id=province_id, active=True).order_by("order", "name")
    )
    parents = [row for row in rows if row.parent_id is None]
    ordered = []
    for parent in parents:
        ordered.append(parent)
        ordered.extend(row for row in rows if row.parent_id == parent.pk)
    return ordered


def for_officer(user: Any) -> QuerySet[Report]:
    """The reports of the agencies where ``user`` handles feedback (everything for a
    superuser)."""
    base = Report.objects.select_related("category", "unit", "agency", "assignee")
    if getattr(user, "is_superuser", False):
        return base
    return base.filter(agency_id__in=handler_agencies(user))


def queue(user: Any, *, view: str = "open", now: datetime | None = None) -> QuerySet[Report]:
    moment = now or timezone.now()
    reports = for_officer(user)
    if view == "new":
        return reports.filter(status=Status.NEW).order_by("received_at")
    if view == "overdue":
        return reports.filter(status__in=OPEN | {Status.NEW}, due_at__lt=moment).order_by("due_at")
    if view == "mine":
        return reports.filter(assignee_id=user.pk, status__in=OPEN).order_by("due_at")
    if view == "all":
        return reports.order_by("-received_at")
    return reports.filter(status__in=OPEN | {Status.NEW}).order_by("due_at")


def overdue(*, now: datetime | None = None) -> QuerySet[Report]:
    """Every report still owed an answer past its deadline (all agencies)."""
    moment = now or timezone.now()
    return Report.objects.filter(status__in=OPEN | {Status.NEW}, due_at__lt=moment)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class PublicFilter:
    category: str = ""
    unit: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""


def published(
    flt: PublicFilter | None = None, *, province_id: int | None = None
) -> QuerySet[Report]:
    """Answered reports their reporters agreed to publish (not merged duplicates)."""
    flt = flt or PublicFilter()
    reports = Report.objects.filter(
        publishable=True, status__in=PUBLIC_STATES, duplicate_of__isnull=True
    ).select_related("category", "unit", "agency")
    if province_id is not None:
        reports = reports.filter(province_id=province_id)
    if flt.category:
        reports = reports.filter(
            Q(category__code=flt.category) | Q(category__parent__code=flt.category)
        )
    if flt.unit:
        reports = reports.filter(unit__code=flt.unit)
    if flt.since:
        reports = reports.filter(received_at__gte=_day_start(flt.since))
    if flt.until:
        reports = reports.filter(received_at__lt=_day_start(flt.until) + timedelta(days=1))
    if flt.q:
        reports = reports.filter(Q(description__icontains=flt.q) | Q(answer__icontains=flt.q))
    return reports.order_by("-answered_at", "-pk")


def public_report(code: str) -> Report | None:
    return published().filter(code=(code or "").strip().upper()).first()


@dataclass(frozen=True)
class AgencyFigures:
    agency_id: int
    agency: str
    received: int
    answered: int
    on_time: int
    overdue_open: int
    rated: int
    satisfaction: float | None

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.on_time / self.answered, 1) if self.answered else None


def statistics(
    *,
    since: date | None = None,
    until: date | None = None,
    province_id: int | None = None,
    agency_ids: list[int] | None = None,
) -> list[AgencyFigures]:
    """Per handling agency: reports received in the period, answered, answered on time, still
    open past the deadline, and the mean rating (1–5) of the rated ones."""
    reports = Report.objects.exclude(agency__isnull=True).exclude(rejection="duplicate")
    if province_id is not None:
        reports = reports.filter(province_id=province_id)
    if agency_ids is not None:
        reports = reports.filter(agency_id__in=agency_ids)
    if since:
        reports = reports.filter(received_at__gte=_day_start(since))
    if until:
        reports = reports.filter(received_at__lt=_day_start(until) + timedelta(days=1))
    now = timezone.now()
    rows = (
        reports.values("agency_id", "agency__name")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            on_time=Count("pk", filter=Q(on_time=True)),
            overdue_open=Count("pk", filter=Q(status__in=OPEN | {Status.NEW}, due_at__lt=now)),
            rated=Count("pk", filter=Q(rating__isnull=False)),
            satisfaction=Avg("rating"),
        )
        .order_by("agency__name")
    )
    return [
        AgencyFigures(
            agency_id=row["agency_id"],
            agency=row["agency__name"],
            received=row["received"],
            answered=row["answered"],
            on_time=row["on_time"],
            overdue_open=row["overdue_open"],
            rated=row["rated"],
            satisfaction=round(float(row["satisfaction"]), 2)
            if row["satisfaction"] is not None
            else None,
        )
        for row in rows
    ]


def communes(province_id: int) -> list[AdministrativeUnit]:
    """The current communes, wards and special zones of a province, by name."""
    return list(
        AdministrativeUnit.objects.current()
        .filter(level=UnitLevel.COMMUNE, province_id=province_id)
        .order_by("name")
    )


def officer_report(user: Any, code: str) -> Report:
    """The report ``code`` if ``user`` handles it (404 ``report_not_found`` otherwise)."""
    report = for_officer(user).filter(code=(code or "").strip().upper()).first()
    if report is None:
        raise NotFound("report_not_found", "Không tìm thấy phản ánh.")
    return report
