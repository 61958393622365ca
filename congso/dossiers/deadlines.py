"""Deadline arithmetic for dossiers: pure functions over a :class:`WorkCalendar`.

Nothing here touches the database; services pass the calendar of the competent agency's province
(:func:`congso.calendar.selectors.get_calendar`) and plain values. The rules, with their reasons,
are in ``docs/deadlines.md`` and ``docs/dossiers.md`` ("Deadlines"):

* **Appointment** (ngày hẹn trả): :func:`congso.calendar.limits.due_instant`, the one engine the
  calendar and estimate APIs use too — counted in working time from the reception instant (the
  same clock time on the N-th working day after the reception day); same-day procedures by the
  cut-off. No time limit (``None``): no appointment.
* **Step due time**: the step's working hours, counted from the first working instant at or
  after the moment the step starts, never after the dossier's own due instant.
* **Pauses**: working time spent waiting for the applicant (payment) is added to the due time.
* **Classification** (early / on time / late), frozen when processing ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from congso.calendar.engine import WorkCalendar
from congso.calendar.limits import LimitUnit, TimeLimit, due_instant

__all__ = [
    "LimitUnit",
    "TimeLimit",
    "Timeliness",
    "apology_allowed",
    "appointment",
    "classify",
    "extend",
    "paused_time",
    "step_due",
    "supplement_request_deadline",
]


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


def appointment(calendar: WorkCalendar, received_at: datetime, limit: TimeLimit) -> datetime | None:
    """The appointment instant (ngày hẹn trả) of a dossier whose clock starts at ``received_at``.

    ``None`` when the procedure has no time limit.
    """
    return due_instant(calendar, received_at, limit)


def step_due(
    calendar: WorkCalendar,
    started_at: datetime,
    hours: Decimal | int | float | None,
    *,
    dossier_due: datetime | None = None,
) -> datetime | None:
    """When a step started at ``started_at`` with ``hours`` of working time is due: never after
    ``dossier_due``, the dossier's own due instant (a late earlier step leaves the later ones
    less time, not a deadline past the appointment)."""
    if hours is None:
        return None
    due = calendar.add_working_hours(calendar.next_working_instant(started_at), Decimal(hours))
    if dossier_due is not None and due > dossier_due:
        return max(dossier_due, started_at)
    return due


def supplement_request_deadline(calendar: WorkCalendar, received_at: datetime) -> datetime:
    """The latest instant a supplement request may go out: 3 working days counted from the
    reception of the dossier (same clock time on the third working day after it)."""
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
    least one working day of working time (the due day's working hours, 8 h by default)
    remains until ``due_at``. For a due time at the end of a working day this is simply "before
    the due day"; for a due time within a day it means at least a full working day ahead.
    """
    local_now = now.astimezone(calendar.tz)
    due = due_at.astimezone(calendar.tz)
    if local_now.date() >= due.date():
        return False
    one_day = calendar.hours_on(due.date()).day_length
    return calendar.working_time_between(local_now, due) >= one_day
