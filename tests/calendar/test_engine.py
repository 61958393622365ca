"""The pure engine on small hand-built calendars (no holidays package, no database)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest

from congso.calendar.engine import (
    DEFAULT_PERIODS,
    WorkCalendar,
    WorkingHoursRule,
    format_periods,
    parse_periods,
)
from congso.core.errors import DomainError
from tests.calendar.helpers import VN, at

# March 2026: Monday 2nd … Sunday 8th, Monday 9th; Tuesday 10th made a holiday here.
HOLIDAY = date(2026, 3, 10)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(
        holidays={HOLIDAY: "Ngày lễ thử"},
        working_days={date(2026, 3, 14): "Làm bù thứ Bảy"},
        days_off={date(2026, 3, 20): "Nghỉ hoán đổi"},
        first_day=date(2026, 1, 1),
        last_day=date(2026, 12, 31),
    )


def test_default_day_is_eight_hours() -> None:
    rule = WorkingHoursRule(effective_from=date.min)
    assert rule.periods == DEFAULT_PERIODS == ((time(7, 30), time(11, 30)), (time(13), time(17)))
    assert rule.day_length == timedelta(hours=8)
    assert (rule.opening, rule.closing, rule.cutoff) == (time(7, 30), time(17, 0), time(15, 0))


class TestDays:
    def test_weekdays_weekend_holiday_swaps(self, cal: WorkCalendar) -> None:
        assert cal.is_working_day(date(2026, 3, 2))  # Monday
        assert not cal.is_working_day(date(2026, 3, 7))  # Saturday
        assert not cal.is_working_day(date(2026, 3, 8))  # Sunday
        assert not cal.is_working_day(HOLIDAY)
        assert cal.is_working_day(date(2026, 3, 14))  # Saturday worked in exchange
        assert not cal.is_working_day(date(2026, 3, 20))  # Friday given off

    def test_a_swapped_in_working_day_wins_over_a_holiday(self) -> None:
        day = date(2026, 11, 24)
        cal = WorkCalendar(holidays={day: "Lễ"}, working_days={day: "Làm việc"})
        assert cal.is_working_day(day)
        assert cal.day_name(day) == "Làm việc"

    def test_day_names(self, cal: WorkCalendar) -> None:
        assert cal.day_name(HOLIDAY) == "Ngày lễ thử"
        assert cal.day_name(date(2026, 3, 20)) == "Nghỉ hoán đổi"
        assert cal.day_name(date(2026, 3, 2)) is None

    def test_working_days_inclusive(self, cal: WorkCalendar) -> None:
        assert cal.working_days(date(2026, 3, 6), date(2026, 3, 16)) == [
            date(2026, 3, 6),
            date(2026, 3, 9),
            date(2026, 3, 11),
            date(2026, 3, 12),
            date(2026, 3, 13),
            date(2026, 3, 14),
            date(2026, 3, 16),
        ]
        assert cal.working_days(date(2026, 3, 7), date(2026, 3, 7)) == []

    def test_working_days_refuses_a_reversed_range(self, cal: WorkCalendar) -> None:
        with pytest.raises(DomainError) as err:
            cal.working_days(date(2026, 3, 9), date(2026, 3, 2))
        assert (err.value.code, err.value.field) == ("invalid_range", "from")

    def test_next_working_day(self, cal: WorkCalendar) -> None:
        assert cal.next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)
        assert cal.next_working_day(date(2026, 3, 9)) == date(2026, 3, 11)
        assert cal.next_working_day(date(2026, 3, 9), include_self=True) == date(2026, 3, 9)

    def test_outside_coverage_is_refused(self, cal: WorkCalendar) -> None:
        assert not cal.covers(date(2027, 1, 1))
        with pytest.raises(DomainError) as err:
            cal.is_working_day(date(2027, 1, 4))
        assert err.value.code == "calendar_out_of_range"
        with pytest.raises(DomainError) as err:
            cal.add_working_days(at(2026, 12, 30, 9), 5)
        assert err.value.code == "calendar_out_of_range"

    def test_dates_only_not_datetimes_in_data(self) -> None:
        with pytest.raises(TypeError):
            WorkCalendar(holidays=[at(2026, 1, 1)])


class TestTimezones:
    @pytest.mark.parametrize(
        "call",
        [
            lambda c, t: c.start_of_counting(t),
            lambda c, t: c.add_working_days(t, 1),
            lambda c, t: c.add_working_hours(t, 1),
            lambda c, t: c.working_time_between(t, t),
            lambda c, t: c.next_working_instant(t),
            lambda c, t: c.is_working_day(t),
        ],
    )
    def test_naive_datetimes_are_refused(self, cal: WorkCalendar, call) -> None:
        with pytest.raises(DomainError) as err:
            call(cal, datetime(2026, 3, 2, 10, 0))  # naive on purpose
        assert err.value.code == "naive_datetime"
        assert "múi giờ" in err.value.message

    def test_other_offsets_are_converted_and_results_are_in_vietnam_time(
        self, cal: WorkCalendar
    ) -> None:
        received = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
        start = cal.start_of_counting(received)
        assert start == at(2026, 3, 2, 8)
        assert start.utcoffset() == timedelta(hours=7)
        assert cal.add_working_days(received, 1).isoformat() == "2026-03-03T08:00:00+07:00"


class TestStartOfCounting:
    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            (at(2026, 3, 2, 6, 0), at(2026, 3, 2, 7, 30)),  # before opening
            (at(2026, 3, 2, 7, 30), at(2026, 3, 2, 7, 30)),
            (at(2026, 3, 2, 10, 0), at(2026, 3, 2, 10, 0)),
            (at(2026, 3, 2, 11, 30), at(2026, 3, 2, 13, 0)),  # lunch break
            (at(2026, 3, 2, 12, 15), at(2026, 3, 2, 13, 0)),
            (at(2026, 3, 2, 15, 0, 0), at(2026, 3, 2, 15, 0)),
            (at(2026, 3, 2, 15, 0, 1), at(2026, 3, 2, 15, 0, 1)),  # 15:00 moves nothing
            (at(2026, 3, 2, 16, 40), at(2026, 3, 2, 16, 40)),
            (at(2026, 3, 2, 17, 0), at(2026, 3, 3, 7, 30)),  # closing: next opening
            (at(2026, 3, 2, 23, 59), at(2026, 3, 3, 7, 30)),  # at night
            (at(2026, 3, 6, 16, 0), at(2026, 3, 6, 16, 0)),  # Friday afternoon
            (at(2026, 3, 6, 17, 30), at(2026, 3, 9, 7, 30)),  # Friday evening
            (at(2026, 3, 7, 10, 0), at(2026, 3, 9, 7, 30)),  # Saturday
            (at(2026, 3, 9, 17, 5), at(2026, 3, 11, 7, 30)),  # next day is a holiday
            (at(2026, 3, 10, 9, 0), at(2026, 3, 11, 7, 30)),  # on the holiday
            (at(2026, 3, 14, 9, 0), at(2026, 3, 14, 9, 0)),  # Saturday worked in exchange
        ],
    )
    def test_reception_instant_brought_into_office_hours(
        self, cal: WorkCalendar, received, expected
    ) -> None:
        start = cal.start_of_counting(received)
        assert start == expected
        assert cal.start_of_counting(start) == start  # idempotent

    def test_one_microsecond_before_closing_still_counts_today(self, cal: WorkCalendar) -> None:
        received = at(2026, 3, 2, 17) - timedelta(microseconds=1)
        assert cal.start_of_counting(received) == received


class TestAddWorkingDays:
    @pytest.mark.parametrize(
        ("received", "n", "due"),
        [
            (at(2026, 3, 2, 10), 1, at(2026, 3, 3, 10)),  # reception day is not day 1
            (at(2026, 3, 2, 10), 3, at(2026, 3, 5, 10)),
            (at(2026, 3, 2, 16), 3, at(2026, 3, 5, 16)),  # after 15:00: same clock time
            (at(2026, 3, 5, 9, 10), 3, at(2026, 3, 11, 9, 10)),  # Thursday → over the holiday
            (at(2026, 3, 6, 16, 40), 1, at(2026, 3, 9, 16, 40)),  # Friday 16:40 → Monday
            (at(2026, 3, 6, 14), 2, at(2026, 3, 11, 14)),  # Monday, then the holiday
            (at(2026, 3, 13, 10), 1, at(2026, 3, 14, 10)),  # Saturday worked in exchange
            (at(2026, 3, 19, 10), 2, at(2026, 3, 24, 10)),  # Friday given off
            (at(2026, 3, 2, 12, 10), 1, at(2026, 3, 3, 13)),  # lunch: counts from 13:00
            (at(2026, 3, 2, 18), 1, at(2026, 3, 4, 7, 30)),  # evening: from 07:30 next day
            (at(2026, 3, 2, 7, 30), 1, at(2026, 3, 3, 7, 30)),  # "nhận sáng trả sáng"
            (at(2026, 3, 7, 9), 2, at(2026, 3, 12, 7, 30)),  # Saturday: from Monday 07:30
        ],
    )
    def test_same_clock_time_on_the_nth_working_day_after(
        self, cal: WorkCalendar, received, n, due
    ) -> None:
        assert cal.add_working_days(received, n) == due
        # N × 8 working hours from the start of counting, whatever the day.
        start = cal.start_of_counting(received)
        assert cal.working_time_between(start, due) == timedelta(hours=8 * n)

    def test_due_when_the_clock_time_is_not_working_time_that_day(self) -> None:
        # From 09/03 the office opens at 08:00: a dossier received Friday 07:40 under the old
        # hours is due at the next working instant of Monday 07:40, i.e. 08:00.
        cal = WorkCalendar(
            hours=[
                WorkingHoursRule(
                    effective_from=date(2026, 3, 9),
                    periods=((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))),
                )
            ]
        )
        assert cal.add_working_days(at(2026, 3, 6, 7, 40), 1) == at(2026, 3, 9, 8, 0)

    def test_zero_days_is_the_start_of_counting(self, cal: WorkCalendar) -> None:
        assert cal.add_working_days(at(2026, 3, 7, 10), 0) == at(2026, 3, 9, 7, 30)

    def test_negative_days_are_refused(self, cal: WorkCalendar) -> None:
        with pytest.raises(DomainError) as err:
            cal.add_working_days(at(2026, 3, 2, 10), -1)
        assert (err.value.code, err.value.field) == ("negative_amount", "working_days")

    def test_days_must_be_an_integer(self, cal: WorkCalendar) -> None:
        with pytest.raises(TypeError):
            cal.add_working_days(at(2026, 3, 2, 10), 1.5)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            cal.add_working_days(at(2026, 3, 2, 10), True)


class TestSameDay:
    """Procedures returned within the reception day (trả trong ngày, e.g. certified copies)."""

    @pytest.mark.parametrize(
        ("received", "due"),
        [
            (at(2026, 3, 2, 6, 50), at(2026, 3, 2, 17)),  # before opening: that day
            (at(2026, 3, 2, 10), at(2026, 3, 2, 17)),
            (at(2026, 3, 2, 15, 0, 0), at(2026, 3, 2, 17)),  # 15:00 itself: same day
            (at(2026, 3, 2, 15, 0, 1), at(2026, 3, 3, 17)),  # after the cut-off: next day
            (at(2026, 3, 6, 16), at(2026, 3, 9, 17)),  # Friday afternoon → Monday
            (at(2026, 3, 9, 16), at(2026, 3, 11, 17)),  # the next day is a holiday
            (at(2026, 3, 7, 9), at(2026, 3, 9, 17)),  # Saturday → Monday
            (at(2026, 3, 14, 9), at(2026, 3, 14, 17)),  # Saturday worked in exchange
        ],
    )
    def test_cutoff(self, cal: WorkCalendar, received, due) -> None:
        assert cal.same_day_due(received) == due

    def test_a_procedure_cutoff_of_its_own(self, cal: WorkCalendar) -> None:
        assert cal.same_day_due(at(2026, 3, 2, 16), time(16, 30)) == at(2026, 3, 2, 17)
        assert cal.same_day_due(at(2026, 3, 2, 10), time(9, 0)) == at(2026, 3, 3, 17)


class TestWorkingHours:
    @pytest.mark.parametrize(
        ("start", "hours", "end"),
        [
            (at(2026, 3, 2, 7, 30), 4, at(2026, 3, 2, 11, 30)),  # ends at the period's end
            (at(2026, 3, 2, 7, 30), 4.5, at(2026, 3, 2, 13, 30)),
            (at(2026, 3, 2, 7, 30), 8, at(2026, 3, 2, 17, 0)),
            (at(2026, 3, 2, 16, 0), 2, at(2026, 3, 3, 8, 30)),
            (at(2026, 3, 6, 16, 30), 1, at(2026, 3, 9, 8, 0)),  # over the weekend
            (at(2026, 3, 7, 10, 0), 1, at(2026, 3, 9, 8, 30)),  # from a Saturday
            (at(2026, 3, 9, 16, 0), 2, at(2026, 3, 11, 8, 30)),  # over the holiday
            (at(2026, 3, 2, 12, 0), 0.25, at(2026, 3, 2, 13, 15)),  # from the lunch break
        ],
    )
    def test_add_working_hours(self, cal: WorkCalendar, start, hours, end) -> None:
        assert cal.add_working_hours(start, hours) == end

    def test_zero_hours_returns_the_instant(self, cal: WorkCalendar) -> None:
        assert cal.add_working_hours(at(2026, 3, 7, 10), 0) == at(2026, 3, 7, 10)

    @pytest.mark.parametrize(
        ("hours", "code"),
        [(-1, "negative_amount"), (math.nan, "invalid_number"), (1e9, "amount_too_large")],
    )
    def test_bad_hours(self, cal: WorkCalendar, hours: float, code: str) -> None:
        with pytest.raises(DomainError) as err:
            cal.add_working_hours(at(2026, 3, 2, 10), hours)
        assert (err.value.code, err.value.field) == (code, "working_hours")

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (at(2026, 3, 2, 7, 0), at(2026, 3, 2, 18, 0), timedelta(hours=8)),
            (at(2026, 3, 2, 11, 0), at(2026, 3, 2, 14, 0), timedelta(hours=1, minutes=30)),
            (at(2026, 3, 6, 16, 0), at(2026, 3, 9, 8, 30), timedelta(hours=2)),
            (at(2026, 3, 7, 8, 0), at(2026, 3, 8, 16, 0), timedelta(0)),
            (at(2026, 3, 2, 9, 0), at(2026, 3, 2, 9, 0), timedelta(0)),
        ],
    )
    def test_working_time_between(self, cal: WorkCalendar, start, end, expected) -> None:
        assert cal.working_time_between(start, end) == expected
        assert cal.working_time_between(end, start) == -expected  # signed

    def test_hours_with_an_effective_date(self) -> None:
        cal = WorkCalendar(
            hours=[
                WorkingHoursRule(
                    effective_from=date(2026, 3, 9),
                    periods=((time(7, 0), time(11, 0)), (time(13, 0), time(17, 0))),
                    cutoff=time(16, 0),
                )
            ]
        )
        # Before the rule: default hours and same-day cut-off.
        assert cal.start_of_counting(at(2026, 3, 6, 7, 0)) == at(2026, 3, 6, 7, 30)
        assert cal.start_of_counting(at(2026, 3, 5, 17, 30)) == at(2026, 3, 6, 7, 30)
        assert cal.same_day_due(at(2026, 3, 5, 15, 30)) == at(2026, 3, 6, 17)
        # From the rule on: the new opening and the later cut-off.
        assert cal.start_of_counting(at(2026, 3, 6, 17, 0)) == at(2026, 3, 9, 7, 0)
        assert cal.start_of_counting(at(2026, 3, 9, 12, 30)) == at(2026, 3, 9, 13, 0)
        assert cal.same_day_due(at(2026, 3, 9, 15, 30)) == at(2026, 3, 9, 17)
        assert cal.add_working_hours(at(2026, 3, 9, 10, 0), 2) == at(2026, 3, 9, 14, 0)
        assert cal.hours_on(date(2026, 3, 9)).day_length == timedelta(hours=8)


class TestWorkingHoursRule:
    @pytest.mark.parametrize(
        ("periods", "cutoff"),
        [
            ((), time(15)),
            (((time(8), time(8)),), time(8)),
            (((time(8), time(12)), (time(11), time(17))), time(15)),
            (((time(13), time(17)), (time(7), time(11))), time(15)),
            (((time(8), time(12)),), time(15)),  # cut-off after closing
        ],
    )
    def test_invalid_rules_are_refused(self, periods, cutoff) -> None:
        with pytest.raises(DomainError) as err:
            WorkingHoursRule(effective_from=date(2026, 1, 1), periods=periods, cutoff=cutoff)
        assert err.value.code == "invalid_working_hours"

    def test_two_rules_from_the_same_day_are_refused(self) -> None:
        rule = WorkingHoursRule(effective_from=date(2026, 1, 1))
        with pytest.raises(DomainError):
            WorkCalendar(hours=[rule, rule])

    def test_parse_and_format_periods(self) -> None:
        raw = [["07:30", "11:30"], ["13:00", "17:00"]]
        assert parse_periods(raw) == DEFAULT_PERIODS
        assert format_periods(DEFAULT_PERIODS) == raw

    @pytest.mark.parametrize("raw", [None, [], "07:30-11:30", [["07:30"]], [["7h", "11h"]]])
    def test_parse_periods_refuses_garbage(self, raw) -> None:
        with pytest.raises(DomainError) as err:
            parse_periods(raw)
        assert err.value.code == "invalid_working_hours"


class TestCivilCode:
    def test_period_starts_the_day_after_the_event(self, cal: WorkCalendar) -> None:
        # Event Monday 02/03, 3 days: 03, 04, 05 → ends at the end of Thursday 05/03.
        assert cal.civil_code_period_end(date(2026, 3, 2), 3) == date(2026, 3, 5)

    def test_last_day_on_a_weekend_moves_to_the_next_working_day(self, cal: WorkCalendar) -> None:
        assert cal.civil_code_period_end(date(2026, 3, 5), 2) == date(2026, 3, 9)

    def test_last_day_on_a_holiday_moves_past_it(self, cal: WorkCalendar) -> None:
        assert cal.civil_code_period_end(date(2026, 3, 7), 3) == date(2026, 3, 11)

    def test_ends_at_midnight(self, cal: WorkCalendar) -> None:
        assert cal.civil_code_period_end_instant(date(2026, 3, 5), 2) == datetime(
            2026, 3, 10, 0, 0, tzinfo=VN
        )

    def test_days_must_be_positive(self, cal: WorkCalendar) -> None:
        with pytest.raises(DomainError) as err:
            cal.civil_code_period_end(date(2026, 3, 2), 0)
        assert err.value.code == "invalid_amount"
