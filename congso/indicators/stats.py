"""Figures shaped for the pages and reports: totals, monthly trend, agency rankings. Everything
here reads :func:`congso.indicators.selectors.figures` (the aggregates), never the dossiers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from congso.catalog.models import Field
from congso.indicators import selectors
from congso.notify.selectors import channel_totals
from congso.org.models import Agency, AgencyLevel

ONE_DECIMAL = Decimal("0.1")


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass
class Line:
    """One row of figures: a period, an agency or the total."""

    label: str
    received: int
    received_online: int
    processed: int
    early: int
    on_time: int
    late: int
    returned: int
    e_results: int
    digitised: int
    processing_seconds: int
    rating_count: int
    rating_sum: int
    rating_satisfied: int
    key: Any = None
    level: str = ""

    @classmethod
    def of(cls, label: str, row: dict[str, Any], key: Any = None, level: str = "") -> Line:
        return cls(
            label=label,
            received=int(row.get("received") or 0),
            received_online=int(row.get("received_online") or 0),
            processed=int(row.get("processed") or 0),
            early=int(row.get("processed_early") or 0),
            on_time=int(row.get("processed_on_time") or 0),
            late=int(row.get("processed_late") or 0),
            returned=int(row.get("returned") or 0),
            e_results=int(row.get("e_results") or 0),
            digitised=int(row.get("digitised") or 0),
            processing_seconds=int(row.get("processing_seconds") or 0),
            rating_count=int(row.get("rating_count") or 0),
            rating_sum=int(row.get("rating_sum") or 0),
            rating_satisfied=int(row.get("rating_satisfied") or 0),
            key=key,
            level=level,
        )

    @property
    def timed(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def on_time_rate(self) -> Decimal | None:
        """Early or on time ÷ processed with a timeliness (percent)."""
        return percent(self.early + self.on_time, self.timed)

    @property
    def online_rate(self) -> Decimal | None:
        return percent(self.received_online, self.received)

    @property
    def average_days(self) -> Decimal | None:
        """Average processing time in (calendar) days of the processed dossiers."""
        if not self.processed:
            return None
        days = Decimal(self.processing_seconds) / Decimal(86400 * self.processed)
        return days.quantize(ONE_DECIMAL, ROUND_HALF_UP)

    @property
    def average_rating(self) -> Decimal | None:
        if not self.rating_count:
            return None
        return (Decimal(self.rating_sum) / Decimal(self.rating_count)).quantize(
            ONE_DECIMAL, ROUND_HALF_UP
        )

    @property
    def satisfied_rate(self) -> Decimal | None:
        return percent(self.rating_satisfied, self.rating_count)


def _kwargs(
    start: date,
    end: date,
    scope: Sequence[int] | None,
    agency_ids: Sequence[int] | None,
    field_ids: Sequence[int] | None,
) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "scope_agency_ids": scope,
        "agency_ids": agency_ids,
        "field_ids": field_ids,
    }


def total(
    start: date,
    end: date,
    *,
    scope: Sequence[int] | None = None,
    agency_ids: Sequence[int] | None = None,
    field_ids: Sequence[int] | None = None,
) -> Line:
    (row,) = selectors.figures(**_kwargs(start, end, scope, agency_ids, field_ids))
    return Line.of("Tổng cộng", row)


def monthly(
    start: date,
    end: date,
    *,
    scope: Sequence[int] | None = None,
    agency_ids: Sequence[int] | None = None,
    field_ids: Sequence[int] | None = None,
) -> list[Line]:
    rows = selectors.figures(
        **_kwargs(start, end, scope, agency_ids, field_ids), group_by=("month",)
    )
    return [Line.of(f"{row['month']:%m/%Y}", row, key=row["month"]) for row in rows]


def by_agency(
    start: date,
    end: date,
    *,
    scope: Sequence[int] | None = None,
    agency_ids: Sequence[int] | None = None,
    field_ids: Sequence[int] | None = None,
) -> list[Line]:
    """One line per competent agency with figures, ranked: on-time rate (agencies without a
    processed dossier last), then processed, then name."""
    rows = selectors.figures(
        **_kwargs(start, end, scope, agency_ids, field_ids), group_by=("agency",)
    )
    agencies = {
        a.pk: a
        for a in Agency.objects.filter(pk__in=[r["agency_id"] for r in rows]).only(
            "pk", "name", "level"
        )
    }
    lines = []
    for row in rows:
        agency = agencies.get(row["agency_id"])
        if agency is None:
            continue
        lines.append(Line.of(agency.name, row, key=agency.pk, level=agency.level))
    lines.sort(
        key=lambda line: (
            line.on_time_rate is None,
            -(line.on_time_rate or 0),
            -line.processed,
            line.label,
        )
    )
    return lines


def split_ranking(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """(agencies other than communes, communes), each keeping the ranking order."""
    communes = [line for line in lines if line.level == AgencyLevel.COMMUNE]
    others = [line for line in lines if line.level != AgencyLevel.COMMUNE]
    return others, communes


def by_field(
    start: date,
    end: date,
    *,
    scope: Sequence[int] | None = None,
    agency_ids: Sequence[int] | None = None,
) -> list[Line]:
    rows = selectors.figures(**_kwargs(start, end, scope, agency_ids, None), group_by=("field",))
    names = dict(
        Field.objects.filter(pk__in=[r["field_id"] for r in rows]).values_list("pk", "name")
    )
    lines = [Line.of(names.get(r["field_id"], "—"), r, key=r["field_id"]) for r in rows]
    lines.sort(key=lambda line: line.label)
    return lines


def notifications(
    start: date,
    end: date,
    *,
    scope: Sequence[int] | None = None,
    agency_ids: Sequence[int] | None = None,
) -> list[dict[str, Any]]:
    """Messages to citizens per channel in the period (local day of creation): ``sent``,
    ``delivered``, ``delivery_rate`` (SMS; e-mail has no receipt), ``failed``; limited to the
    dossiers of the agencies in scope. Read from the notify app's daily figures; there is no
    field dimension there, so a field filter does not apply to these lines."""
    ids: list[int] | None = None
    if agency_ids:
        ids = [pk for pk in agency_ids if scope is None or pk in set(scope)]
    elif scope is not None:
        ids = list(scope)
    return channel_totals(start, end, agency_ids=ids)
