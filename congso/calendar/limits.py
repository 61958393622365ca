"""Legal time limits (thời hạn giải quyết) and the one function that turns them into a due instant.

Pure: nothing here touches the database. Every place that needs a due instant — the calendar and
estimate APIs, appointments at reception, restarts after a supplement, the indicators' classes
through the stored due instants, form 01 — goes through :func:`due_instant`. The rule (RULES.md §2,
worked examples in ``docs/deadlines.md``):

* ``working_days`` N: the same clock time on the N-th working day after the reception day, counted
  from the reception instant brought into office hours (N × 8 working hours with the default
  hours); a fractional N counts N × the day's working hours;
* ``working_hours`` H: H working hours from the reception instant brought into office hours;
* ``days`` (calendar days, Civil Code 2015 arts. 147–148): the day after reception is day 1; when
  the last day is not a working day the period ends on the next working day; due at the end of
  that day's working hours;
* ``instant`` (trả trong ngày): the end of the reception day, or of the next working day when
  received after the cut-off (15:00 by default, data per procedure);
* no value: no fixed limit (``None``) — the catalogue flags such a version for its admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from congso.calendar.engine import WorkCalendar
from congso.core.errors import DomainError


class LimitUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    DAYS = "days"
    INSTANT = "instant"


@dataclass(frozen=True)
class TimeLimit:
    """A legal time limit: ``value`` in ``unit``; ``value`` None means the law sets none.

    ``same_day_cutoff`` applies to ``instant`` limits only (``None``: the calendar's cut-off).
    """

    value: Decimal | None
    unit: LimitUnit
    same_day_cutoff: time | None = None

    @classmethod
    def of(
        cls,
        value: Decimal | int | float | str | None,
        unit: str,
        same_day_cutoff: time | None = None,
    ) -> TimeLimit:
        try:
            parsed_unit = LimitUnit(unit)
        except ValueError:
            raise DomainError(
                "invalid_time_limit",
                f"Đơn vị thời hạn «{unit}» không hợp lệ.",
                field="time_limit_unit",
            ) from None
        if parsed_unit is LimitUnit.INSTANT:
            return cls(Decimal(0), parsed_unit, same_day_cutoff)
        if value is None:
            return cls(None, parsed_unit)
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0:
            raise DomainError(
                "invalid_time_limit",
                "Thời hạn giải quyết phải là số không âm.",
                field="time_limit_value",
            )
        return cls(amount, parsed_unit)


def day_hours(calendar: WorkCalendar, instant: datetime) -> Decimal:
    """Working hours of one working day on the day of ``instant`` (8 by default)."""
    length = calendar.hours_on(instant.astimezone(calendar.tz).date()).day_length
    return Decimal(int(length.total_seconds())) / Decimal(3600)


def due_instant(calendar: WorkCalendar, received_at: datetime, limit: TimeLimit) -> datetime | None:
    """The due instant (hạn giải quyết, ngày hẹn trả) of a dossier received at ``received_at``.

    ``None`` when the procedure has no fixed time limit.
    """
    if limit.unit is LimitUnit.INSTANT:
        return calendar.same_day_due(received_at, limit.same_day_cutoff)
    value = limit.value
    if value is None:
        return None
    if limit.unit is LimitUnit.DAYS:
        # Calendar days (Civil Code 2015 arts. 147–148); less than one day counts as one.
        days = max(int(value.to_integral_value(rounding=ROUND_CEILING)), 1)
        local_day = received_at.astimezone(calendar.tz).date()
        return calendar.end_of_working_day(calendar.civil_code_period_end(local_day, days))
    start = calendar.start_of_counting(received_at)
    if limit.unit is LimitUnit.WORKING_DAYS and value == value.to_integral_value():
        return calendar.add_working_days(received_at, int(value))
    hours = value * day_hours(calendar, start) if limit.unit is LimitUnit.WORKING_DAYS else value
    return calendar.add_working_hours(start, hours)
