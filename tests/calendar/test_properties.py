"""Properties of the engine over the real national calendar (package + shipped data, no DB)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.calendar.helpers import VN, shipped_calendar

CAL = shipped_calendar()
START = datetime(2024, 1, 1, tzinfo=VN)
MINUTES = 4 * 366 * 24 * 60  # instants from 2024 to the end of 2027

instants = st.integers(min_value=0, max_value=MINUTES).map(
    lambda minutes: START + timedelta(minutes=minutes)
)
# Hours as whole minutes or arbitrary fractions, up to about a month of working time.
hours = st.one_of(
    st.integers(min_value=0, max_value=160 * 60).map(lambda m: m / 60),
    st.floats(min_value=0, max_value=160, allow_nan=False, allow_infinity=False),
)
day_counts = st.integers(min_value=0, max_value=60)


def _is_working_instant(instant: datetime) -> bool:
    return any(start <= instant <= end for start, end in CAL.working_periods(instant.date()))


@settings(max_examples=300, deadline=None)
@given(instants, hours)
def test_add_hours_then_measure_round_trips(instant: datetime, h: float) -> None:
    end = CAL.add_working_hours(instant, h)
    assert CAL.working_time_between(instant, end) == timedelta(hours=h)
    assert end >= instant
    if timedelta(hours=h) > timedelta(0):  # amounts are counted in whole microseconds
        assert _is_working_instant(end)


@settings(max_examples=200, deadline=None)
@given(instants, instants)
def test_working_time_is_antisymmetric_and_additive(a: datetime, b: datetime) -> None:
    low, high = sorted((a, b))
    middle = low + (high - low) / 2
    assert CAL.working_time_between(a, b) == -CAL.working_time_between(b, a)
    assert CAL.working_time_between(low, high) == CAL.working_time_between(
        low, middle
    ) + CAL.working_time_between(middle, high)


@settings(max_examples=300, deadline=None)
@given(instants, instants, day_counts, day_counts)
def test_add_working_days_is_monotonic(a: datetime, b: datetime, n: int, m: int) -> None:
    early, late = sorted((a, b))
    fewer, more = sorted((n, m))
    assert CAL.add_working_days(early, fewer) <= CAL.add_working_days(late, more)
    assert CAL.add_working_days(early, fewer) < CAL.add_working_days(early, fewer + 1)


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(min_value=1, max_value=60))
def test_due_is_n_times_eight_working_hours_at_the_same_clock_time(
    instant: datetime, n: int
) -> None:
    start = CAL.start_of_counting(instant)
    due = CAL.add_working_days(instant, n)
    assert CAL.is_working_day(due.date())
    assert due.timetz() == start.timetz()  # same clock time (default hours all year)
    assert len(CAL.working_days(start.date(), due.date())) == n + 1  # the start day is not one
    assert CAL.working_time_between(start, due) == timedelta(hours=8 * n)


@settings(max_examples=200, deadline=None)
@given(instants)
def test_same_day_due_is_the_end_of_a_working_day_at_most_one_working_day_on(
    instant: datetime,
) -> None:
    due = CAL.same_day_due(instant)
    assert due > instant
    assert due.timetz().replace(tzinfo=None) == CAL.hours_on(due.date()).closing
    assert len(CAL.working_days(instant.date(), due.date())) <= 2


@settings(max_examples=300, deadline=None)
@given(instants)
def test_start_of_counting(instant: datetime) -> None:
    start = CAL.start_of_counting(instant)
    assert start >= instant
    assert CAL.is_working_day(start.date())
    assert _is_working_instant(start)
    assert CAL.start_of_counting(start) == start


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 1)), st.integers(0, 60))
def test_working_days_agrees_with_is_working_day(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    expected = [
        first + timedelta(days=k)
        for k in range(span + 1)
        if CAL.is_working_day(first + timedelta(days=k))
    ]
    assert CAL.working_days(first, last) == expected


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 1)), st.integers(1, 400))
def test_civil_code_period_end(event: date, n: int) -> None:
    end = CAL.civil_code_period_end(event, n)
    nominal = event + timedelta(days=n)
    assert end >= nominal
    assert CAL.is_working_day(end)
    # Every day between the nominal last day and the end is a rest day.
    assert all(
        not CAL.is_working_day(nominal + timedelta(days=k)) for k in range((end - nominal).days)
    )
