"""Default holidays (computed by the ``holidays`` package) and assembling a calendar from rows.

No database here: :mod:`congso.calendar.selectors` feeds it the rows stored in the database, and
tests can feed it the shipped data file directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import holidays as holidays_package

from congso.calendar.engine import WorkCalendar, WorkingHoursRule
from congso.calendar.importing import DAY_OFF, WORKING_DAY, OverrideRow

#: The national overrides shipped with congso (loaded by migration 0002, re-importable).
SHIPPED_OVERRIDES = Path(__file__).resolve().parent / "data" / "vn_overrides.json"


def statutory_holidays(years: Iterable[int]) -> dict[date, str]:
    """Vietnamese public holidays for ``years`` as computed by the ``holidays`` package.

    Labour Code 2019 art. 112 (New Year, five Tết days around the lunar new year, Hùng Kings day
    on 10/3 lunar, 30/4, 1/5, 2/9 with its adjacent day, and from 2026 Vietnamese Culture Day
    24/11), with art. 111.3 applied: a holiday on Saturday or Sunday gives a day off on the next
    working day. It also knows a few announced swaps (the weekday off only, never the Saturday
    worked in exchange; those come from the override data). Names are in Vietnamese.
    """
    computed = holidays_package.country_holidays("VN", years=sorted(set(years)), language="vi")
    return dict(sorted(computed.items()))


def coverage(years: Sequence[int]) -> tuple[date, date]:
    """First and last day a calendar built for ``years`` can answer for."""
    return date(min(years), 1, 1), date(max(years), 12, 31)


def build_calendar(
    *,
    years: Sequence[int],
    overrides: Iterable[OverrideRow] = (),
    hours: Sequence[WorkingHoursRule] = (),
    province_code: str = "",
) -> WorkCalendar:
    """The calendar of ``province_code`` (``""``: national) for ``years``.

    Package holidays + national overrides + the province's overrides (a provincial row wins over
    a national row for the same date) + working hours.
    """
    if not years:
        raise ValueError("years must not be empty")
    effective: dict[date, OverrideRow] = {}
    chosen = [row for row in overrides if row.province_code in ("", province_code)]
    # National rows first, so a province's own row for the same day replaces it.
    for row in sorted(chosen, key=lambda row: row.province_code != ""):
        effective[row.date] = row
    first_day, last_day = coverage(years)
    return WorkCalendar(
        holidays=statutory_holidays(years),
        working_days={d: row.name for d, row in effective.items() if row.kind == WORKING_DAY},
        days_off={d: row.name for d, row in effective.items() if row.kind == DAY_OFF},
        hours=hours,
        first_day=first_day,
        last_day=last_day,
    )
