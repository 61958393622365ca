"""The national calendar out of the box (package defaults + shipped data loaded by the data
migration) against the officially announced schedules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from congso.calendar.engine import WorkCalendar
from congso.calendar.selectors import get_calendar
from tests.calendar.helpers import at, days, official_is_working, shipped_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def cal() -> WorkCalendar:
    return get_calendar()


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_of_the_announced_years(cal: WorkCalendar, year: int) -> None:
    wrong = [
        day
        for day in days(date(year, 1, 1), date(year, 12, 31))
        if cal.is_working_day(day) != official_is_working(day)
    ]
    assert wrong == []


def test_database_calendar_matches_the_shipped_file(cal: WorkCalendar) -> None:
    # The data migration loaded exactly the shipped file.
    pure = shipped_calendar()
    for day in days(date(2024, 1, 1), date(2028, 12, 31)):
        assert cal.is_working_day(day) == pure.is_working_day(day), day


class TestTet:
    def test_tet_binh_ngo_2026(self, cal: WorkCalendar) -> None:
        # Thông báo 9441/TB-BNV: off Saturday 14/02 to Sunday 22/02/2026 (9 days).
        assert cal.working_days(date(2026, 2, 13), date(2026, 2, 24)) == [
            date(2026, 2, 13),
            date(2026, 2, 23),
            date(2026, 2, 24),
        ]

    def test_tet_at_ty_2025(self, cal: WorkCalendar) -> None:
        # Công văn 8726/VPCP-KGVX: off Saturday 25/01 to Sunday 02/02/2025.
        assert cal.working_days(date(2025, 1, 24), date(2025, 2, 3)) == [
            date(2025, 1, 24),
            date(2025, 2, 3),
        ]

    def test_tet_dinh_mui_2027_follows_the_labour_code(self, cal: WorkCalendar) -> None:
        # Not announced yet: Lunar New Year's Day is Saturday 06/02/2027. Labour Code art. 112.1.b
        # gives 5 Tết days; those falling on the weekend are given back on working days
        # (art. 111.3), so exactly 5 weekdays around it are off, including New Year's Eve
        # (Friday 05/02) and the Monday after (08/02, 3rd day of the year).
        window = days(date(2027, 1, 25), date(2027, 2, 19))
        weekdays_off = [d for d in window if d.weekday() < 5 and not cal.is_working_day(d)]
        assert len(weekdays_off) == 5
        assert {date(2027, 2, 5), date(2027, 2, 8)} <= set(weekdays_off)
        assert all(date(2027, 2, 1) <= d <= date(2027, 2, 12) for d in weekdays_off)
        assert cal.is_working_day(date(2027, 2, 15))


class TestAnnouncedSwaps:
    def test_30_april_1_may_2025_with_saturday_26_april_worked(self, cal: WorkCalendar) -> None:
        assert cal.is_working_day(date(2025, 4, 26))  # Saturday worked in exchange
        for day in days(date(2025, 4, 30), date(2025, 5, 4)):
            assert not cal.is_working_day(day), day
        assert cal.is_working_day(date(2025, 5, 5))

    def test_national_day_2025_with_1_september(self, cal: WorkCalendar) -> None:
        for day in days(date(2025, 8, 30), date(2025, 9, 2)):
            assert not cal.is_working_day(day), day
        assert cal.is_working_day(date(2025, 9, 3))

    def test_national_day_2026_with_adjacent_day_and_swap(self, cal: WorkCalendar) -> None:
        # Thông báo 9441/TB-BNV: off Saturday 29/08 to Wednesday 02/09/2026; Monday 31/08 is
        # swapped for Saturday 22/08; the adjacent day of 2/9 is Tuesday 01/09.
        assert cal.is_working_day(date(2026, 8, 22))
        for day in days(date(2026, 8, 29), date(2026, 9, 2)):
            assert not cal.is_working_day(day), day
        assert cal.is_working_day(date(2026, 9, 3))

    def test_new_year_2026_four_days(self, cal: WorkCalendar) -> None:
        # Công văn 12729/VPCP-KGVX: off 01/01–04/01/2026, Saturday 10/01 worked.
        assert cal.working_days(date(2026, 1, 1), date(2026, 1, 10)) == [
            date(2026, 1, 5),
            date(2026, 1, 6),
            date(2026, 1, 7),
            date(2026, 1, 8),
            date(2026, 1, 9),
            date(2026, 1, 10),
        ]

    def test_vietnamese_culture_day_2026(self, cal: WorkCalendar) -> None:
        assert not cal.is_working_day(date(2026, 11, 24))
        assert cal.day_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"


class TestObservedHolidays:
    def test_hung_kings_on_sunday_2026_is_observed_on_monday(self, cal: WorkCalendar) -> None:
        # 10/3 lunar = Sunday 26/04/2026 → day off on Monday 27/04 (Labour Code art. 111.3).
        assert not cal.is_working_day(date(2026, 4, 27))
        assert cal.is_working_day(date(2026, 4, 28))

    def test_labour_day_on_saturday_2027_is_observed_on_monday(self, cal: WorkCalendar) -> None:
        # 01/05/2027 is a Saturday → the next working day, Monday 03/05, is off (art. 111.3).
        assert not cal.is_working_day(date(2027, 5, 3))
        assert cal.is_working_day(date(2027, 5, 4))

    def test_new_year_on_saturday_2028(self, cal: WorkCalendar) -> None:
        assert not cal.is_working_day(date(2028, 1, 3))


class TestDossiers:
    """RULES.md §2: N working days run from the reception instant (same clock time on the N-th
    working day after the reception day); the 15:00 rule does not move the start."""

    def test_received_friday_1659_before_tet_2026(self, cal: WorkCalendar) -> None:
        received = at(2026, 2, 13, 16, 59)  # last working day before Tết
        assert cal.start_of_counting(received) == received
        assert cal.add_working_days(received, 1) == at(2026, 2, 23, 16, 59)
        assert cal.add_working_days(received, 5) == at(2026, 2, 27, 16, 59)
        assert cal.add_working_days(received, 10) == at(2026, 3, 6, 16, 59)

    def test_received_friday_evening_before_tet_counts_from_monday(self, cal: WorkCalendar) -> None:
        received = at(2026, 2, 13, 17, 20)
        assert cal.start_of_counting(received) == at(2026, 2, 23, 7, 30)
        assert cal.add_working_days(received, 5) == at(2026, 3, 2, 7, 30)

    def test_received_friday_before_fifteen(self, cal: WorkCalendar) -> None:
        assert cal.add_working_days(at(2026, 2, 13, 14, 59), 5) == at(2026, 2, 27, 14, 59)

    def test_received_during_tet_2025(self, cal: WorkCalendar) -> None:
        assert cal.start_of_counting(at(2025, 1, 29, 9)) == at(2025, 2, 3, 7, 30)
        assert cal.add_working_days(at(2025, 1, 24, 16), 3) == at(2025, 2, 5, 16)

    def test_received_on_the_saturday_worked_in_exchange(self, cal: WorkCalendar) -> None:
        received = at(2025, 4, 26, 9)
        assert cal.start_of_counting(received) == received
        assert cal.add_working_days(received, 2) == at(2025, 4, 29, 9)
        assert cal.add_working_days(received, 4) == at(2025, 5, 6, 9)  # over 30/4–4/5

    def test_30_april_1_may_2026(self, cal: WorkCalendar) -> None:
        # Wednesday 29/04/2026 10:15, 3 working days: 30/04 and 01/05 are holidays,
        # then the weekend → Monday 04/05, Tuesday 05/05, Wednesday 06/05.
        assert cal.add_working_days(at(2026, 4, 29, 10, 15), 3) == at(2026, 5, 6, 10, 15)

    def test_national_day_2026_with_the_saturday_worked(self, cal: WorkCalendar) -> None:
        # Friday 21/08/2026 14:00, 2 days → Saturday 22/08 (worked) is day 1, Monday 24/08 day 2.
        assert cal.add_working_days(at(2026, 8, 21, 14), 2) == at(2026, 8, 24, 14)
        # Friday 28/08/2026 09:00, 1 day → 29/08–02/09 off → Thursday 03/09 09:00.
        assert cal.add_working_days(at(2026, 8, 28, 9), 1) == at(2026, 9, 3, 9)

    def test_received_at_night_and_on_holidays(self, cal: WorkCalendar) -> None:
        assert cal.start_of_counting(at(2025, 8, 29, 15, 30)) == at(2025, 8, 29, 15, 30)
        assert cal.start_of_counting(at(2025, 8, 29, 17, 30)) == at(2025, 9, 3, 7, 30)
        assert cal.start_of_counting(at(2025, 9, 2, 10)) == at(2025, 9, 3, 7, 30)
        assert cal.start_of_counting(at(2026, 4, 26, 22)) == at(2026, 4, 28, 7, 30)
        assert cal.start_of_counting(at(2026, 1, 9, 23, 30)) == at(2026, 1, 10, 7, 30)

    def test_same_day_procedure_after_fifteen_before_tet(self, cal: WorkCalendar) -> None:
        assert cal.same_day_due(at(2026, 2, 13, 14, 30)) == at(2026, 2, 13, 17)
        assert cal.same_day_due(at(2026, 2, 13, 15, 30)) == at(2026, 2, 23, 17)

    def test_working_hours_across_tet(self, cal: WorkCalendar) -> None:
        received = at(2026, 2, 13, 16)
        assert cal.add_working_hours(received, 2) == at(2026, 2, 23, 8, 30)
        assert cal.working_time_between(received, at(2026, 2, 23, 8, 30)) == timedelta(hours=2)


class TestCivilCode:
    def test_last_day_in_the_tet_break(self, cal: WorkCalendar) -> None:
        # Event Tuesday 10/02/2026, 4 days → Saturday 14/02, in the Tết break → end of 23/02.
        assert cal.civil_code_period_end(date(2026, 2, 10), 4) == date(2026, 2, 23)
        assert cal.civil_code_period_end_instant(date(2026, 2, 10), 4) == at(2026, 2, 24)

    def test_last_day_on_a_swapped_day_off(self, cal: WorkCalendar) -> None:
        # 9 days after Saturday 22/08/2026 is Monday 31/08 (given off) → Thursday 03/09.
        assert cal.civil_code_period_end(date(2026, 8, 22), 9) == date(2026, 9, 3)

    def test_last_day_on_the_saturday_worked(self, cal: WorkCalendar) -> None:
        assert cal.civil_code_period_end(date(2025, 4, 25), 1) == date(2025, 4, 26)
