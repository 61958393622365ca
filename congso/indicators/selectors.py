"""Reads of the indicator aggregates (the dashboard, public statistics, the service index and the
reports call these). Neither function reads the whole dossier table: :func:`figures` reads only
the figure tables, :func:`live_figures` the live table plus, for today's boundary, the dossiers
whose due time falls today (``dossiers_status_due`` index).

``scope_agency_ids`` is the permission scope the views pass after ``restrict()``: ``None`` is
the whole province, otherwise only those competent agencies are counted (intersected with
``agency_ids`` when both are given).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from congso.dossiers.models import Dossier
from congso.indicators.models import (
    COUNTERS,
    NO_DUE_DATE,
    DailyFigure,
    LiveFigure,
    MonthlyFigure,
)

__all__ = [
    "COUNTERS",
    "GROUPS",
    "LIVE_COUNTERS",
    "LIVE_GROUPS",
    "NO_DUE_DATE",
    "figures",
    "live_figures",
    "month_start",
]

GROUPS = ("agency", "field", "procedure", "unit", "channel", "day", "month", "quarter", "year")
#: Groupings :func:`live_figures` accepts.
LIVE_GROUPS = ("agency", "field", "procedure", "unit")
#: Keys of every :func:`live_figures` row (besides its group keys).
LIVE_COUNTERS = (
    "waiting_reception",
    "in_progress",
    "overdue_now",
    "due_soon",
    "waiting_supplement",
    "waiting_payment",
    "withdrawal_requested",
    "processed_not_returned",
)
#: Statuses in which the legal clock runs (a dossier in them can be overdue).
#: A dossier transferred to another system (liên thông) keeps its clock: the appointment is ours.
CLOCK_RUNNING = ("received", "processing", "withdrawal_requested", "transferred")
#: Received and not yet finished (the applicant is waiting for a result).
IN_PROGRESS = (
    "received",
    "processing",
    "supplement_requested",
    "payment_requested",
    "withdrawal_requested",
    "transferred",
)
#: "Due soon": not overdue and due at the latest this many calendar days after today.
DUE_SOON_DAYS = 2

_DIMENSION_KEYS = {
    "agency": "agency_id",
    "field": "field_id",
    "procedure": "procedure_id",
    "unit": "unit_id",
    "channel": "channel",
}
_PERIODS = ("day", "month", "quarter", "year")


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _check_groups(group_by: Sequence[str], allowed: Sequence[str]) -> list[str]:
    groups = list(dict.fromkeys(group_by))
    unknown = [g for g in groups if g not in allowed]
    if unknown:
        raise ValueError(f"unknown grouping {unknown!r}; allowed: {', '.join(allowed)}")
    return groups


def _agency_filter(
    agency_ids: Iterable[int] | None, scope: Iterable[int] | None
) -> set[int] | None:
    """The competent agencies to count: ``None`` means all of them."""
    chosen = set(agency_ids) if agency_ids is not None else None
    if scope is not None:
        chosen = set(scope) if chosen is None else chosen & set(scope)
    return chosen


def _filtered(
    qs: QuerySet[Any],
    *,
    agencies: set[int] | None,
    field_ids: Iterable[int] | None,
    procedure_ids: Iterable[int] | None,
    unit_ids: Iterable[int] | None,
    channels: Iterable[str] | None = None,
) -> QuerySet[Any]:
    if agencies is not None:
        qs = qs.filter(agency_id__in=sorted(agencies))
    if field_ids is not None:
        qs = qs.filter(field_id__in=list(field_ids))
    if procedure_ids is not None:
        qs = qs.filter(procedure_id__in=list(procedure_ids))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=[u or 0 for u in unit_ids])
    if channels is not None:
        qs = qs.filter(channel__in=list(channels))
    return qs


def _period_expression(group: str, column: str) -> Any:
    if group == "month":
        return TruncMonth(column) if column == "day" else F(column)
    if group == "quarter":
        return TruncQuarter(column)
    if group == "year":
        return TruncYear(column)
    return F(column)


def _as_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _clean_key(group: str, value: Any) -> Any:
    if group in _PERIODS:
        return _as_date(value)
    if group in ("agency", "field", "procedure", "unit"):
        return value or None
    return value


def _sum_rows(
    qs: QuerySet[Any], column: str, groups: list[str], counters: Sequence[str]
) -> list[dict[str, Any]]:
    annotations = {}
    names = []
    for group in groups:
        if group in _PERIODS:
            name = f"g_{group}"
            annotations[name] = _period_expression(group, column)
        else:
            name = _DIMENSION_KEYS[group]
        names.append(name)
    if annotations:
        qs = qs.annotate(**annotations)
    sums = {f"s_{c}": Sum(c) for c in counters}
    rows = qs.values(*names).annotate(**sums) if names else [qs.aggregate(**sums)]
    out = []
    for row in rows:
        item = {_key_name(g): _clean_key(g, row[n]) for g, n in zip(groups, names, strict=True)}
        item.update({c: row[f"s_{c}"] or 0 for c in counters})
        out.append(item)
    return out


def _key_name(group: str) -> str:
    return _DIMENSION_KEYS.get(group, group)


def figures(
    *,
    start: date,
    end: date,
    group_by: Sequence[str] = (),
    agency_ids: Iterable[int] | None = None,
    field_ids: Iterable[int] | None = None,
    procedure_ids: Iterable[int] | None = None,
    unit_ids: Iterable[int] | None = None,
    channels: Iterable[str] | None = None,
    scope_agency_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Sums of every counter of :data:`COUNTERS` over the local days ``start``..``end``
    (inclusive), one dict per group. Group keys: ``agency_id``, ``field_id``, ``procedure_id``,
    ``unit_id`` (``None`` for "none"), ``channel``, and ``day``/``month``/``quarter``/``year`` as
    the first day of the period. Without ``group_by``: one dict (zeros when nothing matched).
    Groups with nothing in them are absent. Whole months come from :class:`MonthlyFigure`, the
    ragged ends from :class:`DailyFigure`; a period ending today or later takes the current
    month from :class:`MonthlyFigure` (nothing is dated after today)."""
    groups = _check_groups(group_by, GROUPS)
    if end < start:
        return [dict.fromkeys(COUNTERS, 0)] if not groups else []
    agencies = _agency_filter(agency_ids, scope_agency_ids)
    common: dict[str, Any] = {
        "agencies": agencies,
        "field_ids": field_ids,
        "procedure_ids": procedure_ids,
        "unit_ids": unit_ids,
        "channels": channels,
    }
    parts: list[list[dict[str, Any]]] = []
    if "day" in groups:
        daily = _filtered(DailyFigure.objects.filter(day__range=(start, end)), **common)
        parts.append(_sum_rows(daily, "day", groups, COUNTERS))
    else:
        first_full = start if start.day == 1 else _next_month(start)
        # Nothing is counted after today (every counter is dated by an event that happened), so
        # a period running to today or later can read the current month's row as month-to-date.
        month_end = _next_month(end) - timedelta(days=1)
        to_month_end = end == month_end or end >= timezone.localdate()
        after_full = _next_month(end) if to_month_end else month_start(end)
        if first_full < after_full:
            monthly = _filtered(
                MonthlyFigure.objects.filter(month__gte=first_full, month__lt=after_full), **common
            )
            parts.append(_sum_rows(monthly, "month", groups, COUNTERS))
            edges = Q(day__gte=start, day__lt=first_full) | Q(day__gte=after_full, day__lte=end)
        else:
            edges = Q(day__gte=start, day__lte=end)
        daily = _filtered(DailyFigure.objects.filter(edges), **common)
        parts.append(_sum_rows(daily, "day", groups, COUNTERS))
    return _merge(parts, groups)


def _merge(parts: list[list[dict[str, Any]]], groups: list[str]) -> list[dict[str, Any]]:
    keys = [_key_name(g) for g in groups]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rows in parts:
        for row in rows:
            key = tuple(row[k] for k in keys)
            if key not in merged:
                merged[key] = dict(row)
            else:
                target = merged[key]
                for c in COUNTERS:
                    target[c] += row[c]
    out = list(merged.values())
    if groups:
        out = [r for r in out if any(r[c] for c in COUNTERS)]
        out.sort(key=lambda r: tuple((v is None, v) for v in (r[k] for k in keys)))
    elif not out:
        out = [dict.fromkeys(COUNTERS, 0)]
    return out


def live_figures(
    *,
    agency_ids: Iterable[int] | None = None,
    field_ids: Iterable[int] | None = None,
    procedure_ids: Iterable[int] | None = None,
    unit_ids: Iterable[int] | None = None,
    scope_agency_ids: Iterable[int] | None = None,
    group_by: Sequence[str] = (),
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The dossiers not finished at ``now`` (default: now), one dict per group with the keys of
    :data:`LIVE_COUNTERS`:

    * ``waiting_reception`` — submitted online, not yet received (also those sent back for a
      supplement or asking to withdraw before reception are *not* here: see below);
    * ``in_progress`` — received and not finished (statuses of :data:`IN_PROGRESS`);
    * ``overdue_now`` — received, the clock running (:data:`CLOCK_RUNNING`) and the due time
      passed; the due times of today are compared with ``now`` on the dossiers themselves;
    * ``due_soon`` — clock running, not overdue, due at the latest on the local day
      ``today + 2`` (**calendar** days, :data:`DUE_SOON_DAYS`);
    * ``waiting_supplement`` / ``waiting_payment`` / ``withdrawal_requested`` — received
      dossiers in those statuses (clock paused for the first two);
    * ``processed_not_returned`` — result ready, not yet handed back.
    """
    groups = _check_groups(group_by, LIVE_GROUPS)
    now = now or timezone.now()
    today = timezone.localdate(now)
    agencies = _agency_filter(agency_ids, scope_agency_ids)
    qs = _filtered(
        LiveFigure.objects.filter(count__gt=0),
        agencies=agencies,
        field_ids=field_ids,
        procedure_ids=procedure_ids,
        unit_ids=unit_ids,
    )
    names = [_DIMENSION_KEYS[g] for g in groups]
    soon = today + timedelta(days=DUE_SOON_DAYS)
    running = Q(received=True, status__in=CLOCK_RUNNING)
    sums = {
        "waiting_reception": Sum("count", filter=Q(received=False, status="submitted")),
        "in_progress": Sum("count", filter=Q(received=True, status__in=IN_PROGRESS)),
        "overdue_before_today": Sum("count", filter=running & Q(due_date__lt=today)),
        "due_through_soon": Sum(
            "count", filter=running & Q(due_date__gte=today, due_date__lte=soon)
        ),
        "waiting_supplement": Sum("count", filter=Q(received=True, status="supplement_requested")),
        "waiting_payment": Sum("count", filter=Q(received=True, status="payment_requested")),
        "withdrawal_requested": Sum(
            "count", filter=Q(received=True, status="withdrawal_requested")
        ),
        "processed_not_returned": Sum("count", filter=Q(status="processed")),
    }
    rows = list(qs.values(*names).annotate(**sums)) if names else [qs.aggregate(**sums)]
    overdue_today = _overdue_today(
        now=now,
        today=today,
        names=names,
        agencies=agencies,
        field_ids=field_ids,
        procedure_ids=procedure_ids,
        unit_ids=unit_ids,
    )
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[n] for n in names)
        late_today = overdue_today.pop(key, 0)
        item: dict[str, Any] = {n: row[n] or None for n in names}
        for counter in LIVE_COUNTERS:
            if counter in ("overdue_now", "due_soon"):
                continue
            item[counter] = row[counter] or 0
        item["overdue_now"] = (row["overdue_before_today"] or 0) + late_today
        item["due_soon"] = (row["due_through_soon"] or 0) - late_today
        merged[key] = item
    out = (
        [r for r in merged.values() if any(r[c] for c in LIVE_COUNTERS)]
        if names
        else list(merged.values())
    )
    out.sort(key=lambda r: tuple((r[n] is None, r[n]) for n in names))
    return out


def _overdue_today(
    *,
    now: datetime,
    today: date,
    names: list[str],
    agencies: set[int] | None,
    field_ids: Iterable[int] | None,
    procedure_ids: Iterable[int] | None,
    unit_ids: Iterable[int] | None,
) -> dict[tuple[Any, ...], int]:
    """Received dossiers with the clock running whose due time is today and already past: the
    one slice of the dossier table read (by ``status``, ``due_at``: the ``dossiers_status_due``
    index)."""
    tz = timezone.get_current_timezone()
    start_of_today = datetime.combine(today, time.min, tzinfo=tz)
    qs = Dossier.objects.filter(
        status__in=CLOCK_RUNNING,
        received_at__isnull=False,
        due_at__gte=start_of_today,
        due_at__lt=now,
    )
    if agencies is not None:
        qs = qs.filter(competent_agency_id__in=sorted(agencies))
    if field_ids is not None:
        qs = qs.filter(procedure_version__procedure__field_id__in=list(field_ids))
    if procedure_ids is not None:
        qs = qs.filter(procedure_version__procedure_id__in=list(procedure_ids))
    if unit_ids is not None:
        units = [u for u in unit_ids if u]
        none = any(not u for u in unit_ids)
        qs = qs.filter(
            Q(competent_agency__unit_id__in=units) | Q(competent_agency__unit__isnull=none)
            if none
            else Q(competent_agency__unit_id__in=units)
        )
    paths = {
        "agency_id": "competent_agency_id",
        "field_id": "procedure_version__procedure__field_id",
        "procedure_id": "procedure_version__procedure_id",
        "unit_id": "competent_agency__unit_id",
    }
    if not names:
        return {(): qs.count()}
    out: dict[tuple[Any, ...], int] = {}
    for row in qs.values(*[paths[n] for n in names]).annotate(n=Count("id")):
        key = tuple(row[paths[n]] or 0 for n in names)
        out[key] = row["n"]
    return out
