"""Deadline arithmetic for dossiers: pure functions over a :class:`WorkCalendar`.

Nothing here touches the database; services pass the calendar of the competent agency's province
(:func:`congso.calendar.selectors.get_calendar`) and plain values. The rules, with their reasons,
are in ``docs/dossiers.md`` ("Deadlines"):

* **Appointment** (ngày hẹn trả): counting starts at ``calendar.start_of_counting(received_at)``
  (the 15:00 rule). ``working_days``: the end of the working day of the n-th working day (day 1
  is the day counting starts); a fractional number of days is counted as working hours (one day
  = that day's working time). ``working_hours``: working hours from the start of counting.
  ``days`` (calendar days, Civil Code arts. 147–148): the day after reception is day 1; when
  the last day is not a working day the period ends on the next working day; the appointment
  is the end of that day's working hours. ``instant`` (giải quyết ngay): the end of the working
  day on which counting starts. No time limit (``None``): no appointment.
* **Step due time**: the step's working hours, counted from the first working instant at or
  after the moment the step starts.
* **Pauses**: working time spent waiting for the applicant (payment) is added to the due time.
* **Classification** (early / on time / late), frozen when processing ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from congso.calendar.engine import WorkCalendar
from congso.core.errors import DomainError


class LimitUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    DAYS = "days"
    INSTANT = "instant"


class Timeliness(StrEnum):
    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # trễ hạn


TIMELINESS_LABELS_VI: dict[Timeliness, str] = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Trễ hạn",
}

#: Score of each class in the evaluation (TT 01/2018 art. 13–14: 2/1/0).
TIMELINESS_SCORE: dict[Timeliness, int] = {
    Timeliness.EARLY: 2,
    Timeliness.ON_TIME: 1,
    Timeliness.LATE: 0,
}

#: A supplement request during appraisal must go out within this many working days of reception
#: (ND 61/2018 art. 19.4).
SUPPLEMENT_REQUEST_WINDOW_DAYS = 3


@dataclass(frozen=True)
class TimeLimit:
    """A legal time limit: ``value`` in ``unit``; ``value`` None means the law sets none."""

    value: Decimal | None
    unit: LimitUnit

    @classmethod
    def of(cls, value: Decimal | int | float | str | None, unit: str) -> TimeLimit:
        try:
            parsed_unit = LimitUnit(unit)
        except ValueError:
            raise DomainError(
                "invalid_time_limit",
                f"Đơn vị thời hạn «{unit}» không hợp lệ.",
                field="time_limit_unit",
            ) from None
        if value is None or parsed_unit is LimitUnit.INSTANT:
            return cls(None if parsed_unit is not LimitUnit.INSTANT else Decimal(0), parsed_unit)
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0:
            raise DomainError(
                "invalid_time_limit",
                "Thời hạn giải quyết phải là số không âm.",
                field="time_limit_value",
            )
        return cls(amount, parsed_unit)


def appointment(calendar: WorkCalendar, received_at: datetime, limit: TimeLimit) -> datetime | None:
    """The appointment instant (ngày hẹn trả) of a dossier whose clock starts at ``received_at``.

    ``None`` when the procedure has no time limit.
    """
    start = calendar.start_of_counting(received_at)
    value = limit.value
    if limit.unit is LimitUnit.INSTANT:
        due: datetime | None = calendar.end_of_working_day(start.date())
    elif value is None:
        due = None
    elif limit.unit is LimitUnit.WORKING_DAYS:
        if value == value.to_integral_value():
            due = calendar.add_working_days(received_at, int(value))
        else:
            day_hours = Decimal(calendar.hours_on(start.date()).day_length.total_seconds()) / 3600
            due = calendar.add_working_hours(start, value * day_hours)
    elif limit.unit is LimitUnit.WORKING_HOURS:
        due = calendar.add_working_hours(start, value)
    else:
        # Calendar days (Civil Code 2015 arts. 147–148); less than one day counts as one.
        days = max(int(value.to_integral_value(rounding=ROUND_CEILING)), 1)
        local_day = received_at.astimezone(calendar.tz).date()
        due = calendar.end_of_working_day(calendar.civil_code_period_end(local_day, days))
    return due


def step_due(
    calendar: WorkCalendar, started_at: datetime, hours: Decimal | int | float | None
) -> datetime | None:
    """When a step started at ``started_at`` with ``hours`` of working time is due."""
    if hours is None:
        return None
    return calendar.add_working_hours(calendar.next_working_instant(started_at), Decimal(hours))


def supplement_request_deadline(calendar: WorkCalendar, received_at: datetime) -> datetime:
    """The latest instant a supplement request may go out: the end of the third working day
    counted (15:00 rule included) from the reception of the complete dossier."""
    return calendar.add_working_days(received_at, SUPPLEMENT_REQUEST_WINDOW_DAYS)


def paused_time(calendar: WorkCalendar, paused_at: datetime, resumed_at: datetime) -> timedelta:
    """Working time between a pause and its end (never negative)."""
    return max(calendar.working_time_between(paused_at, resumed_at), timedelta(0))


def extend(calendar: WorkCalendar, due_at: datetime | None, paused: timedelta) -> datetime | None:
    """``due_at`` pushed back by ``paused`` working time (``None`` stays ``None``)."""
    if due_at is None or paused <= timedelta(0):
        return due_at
    return calendar.add_working_hours(due_at, Decimal(paused.total_seconds()) / 3600)


def classify(
    calendar: WorkCalendar,
    *,
    ended_at: datetime,
    due_at: datetime | None,
    supplement_requests: int = 0,
) -> Timeliness:
    """Early / on time / late for processing that ended at ``ended_at``.

    * more than one supplement request → late, whatever the dates (RULES.md §2);
    * no due time (no legal time limit) → on time;
    * ended after ``due_at`` → late;
    * ended on an earlier calendar day (local time) than the day of ``due_at`` → early: the
      result was ready before the appointment's working day, i.e. at least one working day ahead;
    * otherwise (ended on the due day, no later than the due instant) → on time.
    """
    if supplement_requests > 1:
        return Timeliness.LATE
    if due_at is None:
        return Timeliness.ON_TIME
    end = ended_at.astimezone(calendar.tz)
    due = due_at.astimezone(calendar.tz)
    if end > due:
        return Timeliness.LATE
    if end.date() < due.date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def apology_allowed(calendar: WorkCalendar, *, now: datetime, due_at: datetime) -> bool:
    """Whether an apology with a new date may still be sent (ND 61/2018 art. 19.9: "chậm nhất
    01 ngày trước ngày hết hạn").

    Both must hold: ``now`` is on an earlier calendar day than the due day (local time), and at
    least one working day of working time (the due day's working hours, 7.5 h by default)
    remains until ``due_at``. For a due time at the end of a working day this is simply "before
    the due day"; for a due time within a day it means at least a full working day ahead.
    """
    local_now = now.astimezone(calendar.tz)
    due = due_at.astimezone(calendar.tz)
    if local_now.date() >= due.date():
        return False
    one_day = calendar.hours_on(due.date()).day_length
    return calendar.working_time_between(local_now, due) >= one_day
