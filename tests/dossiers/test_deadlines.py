"""The pure deadline rules, on the national calendar as shipped (with the official 2026 Tết days:
Monday 16/02 to Friday 20/02/2026, Công văn of the Government Office; calendar data file
``congso/calendar/data/vn_overrides.json``)."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest

from congso.calendar.selectors import get_calendar
from congso.dossiers import deadlines
from congso.dossiers.deadlines import LimitUnit, TimeLimit, Timeliness
from tests.dossiers.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def cal():
    return get_calendar(None, years=[2025, 2026, 2027])


def days(value: int) -> TimeLimit:
    return TimeLimit(Decimal(value), LimitUnit.WORKING_DAYS)


def test_tet_2026_is_closed(cal):
    for day in range(16, 21):
        assert not cal.is_working_day(at(2026, 2, day).date())
    assert cal.is_working_day(at(2026, 2, 13).date())
    assert cal.is_working_day(at(2026, 2, 23).date())


def test_received_friday_before_tet_after_15h_counts_from_the_reception_instant(cal):
    """RULES.md §2 (corrected 2026-12): the 15:00 rule does not move the start of counting."""
    received = at(2026, 2, 13, 16, 59)
    assert cal.start_of_counting(received) == received
    # 3 working days after Friday 13/02: Mon 23, Tue 24, Wed 25 February, same clock time.
    assert deadlines.appointment(cal, received, days(3)) == at(2026, 2, 25, 16, 59)
    assert deadlines.appointment(cal, received, days(1)) == at(2026, 2, 23, 16, 59)


def test_received_friday_before_tet_before_15h(cal):
    received = at(2026, 2, 13, 14, 0)
    assert deadlines.appointment(cal, received, days(1)) == at(2026, 2, 23, 14, 0)
    assert deadlines.appointment(cal, received, days(2)) == at(2026, 2, 24, 14, 0)


def test_received_in_the_evening_counts_from_the_next_opening(cal):
    received = at(2026, 2, 13, 19, 45)
    assert deadlines.appointment(cal, received, days(1)) == at(2026, 2, 24, 7, 30)


def test_working_hours_fractional_days_instant_and_calendar_days(cal):
    received = at(2026, 2, 13, 16, 59)
    hours = TimeLimit(Decimal(8), LimitUnit.WORKING_HOURS)
    # 1 min on Friday 13/02, then 7 h 59 min from Mon 23/02 07:30 → 16:59, like 1 working day.
    assert deadlines.appointment(cal, received, hours) == at(2026, 2, 23, 16, 59)
    half = TimeLimit(Decimal("0.5"), LimitUnit.WORKING_DAYS)
    assert deadlines.appointment(cal, received, half) == at(2026, 2, 23, 11, 29)
    instant = TimeLimit.of(None, "instant")
    # Same-day procedure received after the 15:00 cut-off: the end of the next working day.
    assert deadlines.appointment(cal, received, instant) == at(2026, 2, 23, 17, 0)
    assert deadlines.appointment(cal, at(2026, 3, 2, 10, 0), instant) == at(2026, 3, 2, 17, 0)
    # A procedure with its own cut-off (16:30).
    late_cutoff = TimeLimit.of(None, "instant", time(16, 30))
    assert deadlines.appointment(cal, at(2026, 3, 2, 16, 0), late_cutoff) == at(2026, 3, 2, 17)
    # 5 calendar days from Fri 13/02: the last day Wed 18/02 is a Tết day → Mon 23/02.
    calendar_days = TimeLimit(Decimal(5), LimitUnit.DAYS)
    assert deadlines.appointment(cal, received, calendar_days) == at(2026, 2, 23, 17, 0)
    assert deadlines.appointment(cal, received, TimeLimit.of(None, "working_days")) is None


def test_time_limit_parsing_refuses_bad_units_and_negative_values():
    from congso.core.errors import DomainError

    with pytest.raises(DomainError) as bad_unit:
        TimeLimit.of(3, "weeks")
    assert bad_unit.value.code == "invalid_time_limit"
    with pytest.raises(DomainError):
        TimeLimit.of(-1, "working_days")
    assert TimeLimit.of("2.5", "working_days").value == Decimal("2.5")


def test_step_due_counts_working_hours_from_the_next_working_instant(cal):
    # Started on Sunday 22/02/2026 → from Monday 07:30; 8 h Monday, 4 h Tuesday → 11:30.
    assert deadlines.step_due(cal, at(2026, 2, 22, 20, 0), Decimal(12)) == at(2026, 2, 24, 11, 30)
    assert deadlines.step_due(cal, at(2026, 3, 2, 9, 0), None) is None


def test_step_due_never_after_the_dossier_due(cal):
    dossier_due = at(2026, 2, 24, 9, 0)
    started = at(2026, 2, 23, 8, 0)
    assert deadlines.step_due(cal, started, Decimal(4), dossier_due=dossier_due) == at(
        2026, 2, 23, 13, 30
    )
    assert deadlines.step_due(cal, started, Decimal(16), dossier_due=dossier_due) == dossier_due
    # A step started after the dossier's due instant is due at once.
    late = at(2026, 2, 24, 10, 0)
    assert deadlines.step_due(cal, late, Decimal(2), dossier_due=dossier_due) == late


def test_supplement_window_is_three_working_days(cal):
    received = at(2026, 2, 13, 16, 59)
    assert deadlines.supplement_request_deadline(cal, received) == at(2026, 2, 25, 16, 59)


def test_pause_extends_by_working_time_only(cal):
    paused = deadlines.paused_time(cal, at(2026, 2, 12, 16, 0), at(2026, 2, 23, 9, 0))
    # Thu 12/02 16:00–17:00, Fri 13/02 8 h, Tết week closed, Mon 23/02 07:30–09:00.
    assert paused == timedelta(hours=1 + 8 + 1.5)
    due = at(2026, 2, 25, 17, 0)
    # 10.5 h after Wed 17:00: Thursday 8 h, then 2.5 h on Friday → 10:00.
    assert deadlines.extend(cal, due, paused) == at(2026, 2, 27, 10, 0)
    assert deadlines.extend(cal, due, timedelta(0)) == due
    assert deadlines.extend(cal, None, paused) is None


@pytest.mark.parametrize(
    ("ended", "expected"),
    [
        (at(2026, 2, 24, 17, 0), Timeliness.EARLY),  # the day before the due day
        (at(2026, 2, 23, 8, 0), Timeliness.EARLY),
        (at(2026, 2, 25, 7, 0), Timeliness.ON_TIME),  # on the due day
        (at(2026, 2, 25, 17, 0), Timeliness.ON_TIME),  # exactly at the due time
        (at(2026, 2, 25, 17, 1), Timeliness.LATE),
        (at(2026, 2, 26, 9, 0), Timeliness.LATE),
    ],
)
def test_classification(cal, ended, expected):
    due = at(2026, 2, 25, 17, 0)
    assert deadlines.classify(cal, ended_at=ended, due_at=due) is expected


def test_more_than_one_supplement_request_is_late_and_no_due_is_on_time(cal):
    due = at(2026, 2, 25, 17, 0)
    early = at(2026, 2, 23, 9, 0)
    assert deadlines.classify(cal, ended_at=early, due_at=due, supplement_requests=1) is (
        Timeliness.EARLY
    )
    assert deadlines.classify(cal, ended_at=early, due_at=due, supplement_requests=2) is (
        Timeliness.LATE
    )
    assert deadlines.classify(cal, ended_at=early, due_at=None) is Timeliness.ON_TIME


def test_apology_at_least_one_working_day_before(cal):
    due = at(2026, 2, 25, 17, 0)  # Wednesday
    assert deadlines.apology_allowed(cal, now=at(2026, 2, 24, 16, 59), due_at=due)
    assert deadlines.apology_allowed(cal, now=at(2026, 2, 24, 20, 0), due_at=due)
    assert not deadlines.apology_allowed(cal, now=at(2026, 2, 25, 7, 0), due_at=due)
    assert not deadlines.apology_allowed(cal, now=at(2026, 2, 25, 12, 0), due_at=due)
    # A due time within a day needs a full working day of working time ahead.
    noon = at(2026, 2, 25, 10, 0)
    assert deadlines.apology_allowed(cal, now=at(2026, 2, 24, 10, 0), due_at=noon)
    assert not deadlines.apology_allowed(cal, now=at(2026, 2, 24, 16, 0), due_at=noon)
    # Across Tết: due Monday 23/02, the last working day before is Friday 13/02.
    monday = at(2026, 2, 23, 17, 0)
    assert deadlines.apology_allowed(cal, now=at(2026, 2, 18, 9, 0), due_at=monday)


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (3, "working_days"),
        (1, "working_days"),
        ("0.5", "working_days"),
        (8, "working_hours"),
        (5, "days"),
        (30, "days"),
        (None, "instant"),
        (None, "working_days"),
    ],
)
@pytest.mark.parametrize(
    "received", [at(2026, 2, 13, 16, 59), at(2026, 2, 13, 9, 0), at(2026, 3, 2, 15, 0)]
)
def test_agrees_with_the_catalogue_estimate(value, unit, received):
    """The catalogue shows the same appointment a dossier will get (one rule, two callers)."""
    from congso.catalog.models import ProcedureVersion
    from congso.catalog.selectors import estimate_due

    version = ProcedureVersion(
        time_limit_value=None if value is None else Decimal(str(value)), time_limit_unit=unit
    )
    cal = get_calendar(None)
    ours = deadlines.appointment(cal, received, TimeLimit.of(version.time_limit_value, unit))
    assert ours == estimate_due(version, received_at=received)
