"""Shared test helpers and the official schedules, typed in from the announcements themselves.

Expected values here come from the official texts (cited next to each), never from the code under
test, so a wrong override row or a package change makes the tests fail.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from congso.calendar.defaults import SHIPPED_OVERRIDES, build_calendar
from congso.calendar.engine import WorkCalendar
from congso.calendar.importing import load

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware instant in Vietnam time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# Weekdays on which public bodies are closed, and Saturdays worked in exchange.
# 2025: Thông báo 6150/TB-LĐTBXH and Công văn 8726/VPCP-KGVX (Tết 25/01–02/02, 30/04–04/05 with
# Friday 02/05 swapped for Saturday 26/04, Quốc khánh 30/08–02/09), Labour Code art. 112
# (01/01, Hùng Kings Monday 07/04).
OFFICIAL_2025_WEEKDAYS_OFF = {
    date(2025, 1, 1),
    *days(date(2025, 1, 27), date(2025, 1, 31)),
    date(2025, 4, 7),
    date(2025, 4, 30),
    date(2025, 5, 1),
    date(2025, 5, 2),
    date(2025, 9, 1),
    date(2025, 9, 2),
}
OFFICIAL_2025_SATURDAYS_WORKED = {date(2025, 4, 26)}

# 2026: Công văn 12729/VPCP-KGVX (01/01–04/01, Friday 02/01 swapped for Saturday 10/01);
# Thông báo 9441/TB-BNV (Tết 16/02–20/02 within 14/02–22/02; Quốc khánh 29/08–02/09 with Monday
# 31/08 swapped for Saturday 22/08); Labour Code art. 111.3 (Hùng Kings on Sunday 26/04 → Monday
# 27/04); 30/04 Thursday, 01/05 Friday; Vietnamese Culture Day 24/11 (Resolution 80-NQ/TW).
OFFICIAL_2026_WEEKDAYS_OFF = {
    date(2026, 1, 1),
    date(2026, 1, 2),
    *days(date(2026, 2, 16), date(2026, 2, 20)),
    date(2026, 4, 27),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 8, 31),
    date(2026, 9, 1),
    date(2026, 9, 2),
    date(2026, 11, 24),
}
OFFICIAL_2026_SATURDAYS_WORKED = {date(2026, 1, 10), date(2026, 8, 22)}


def official_is_working(day: date) -> bool:
    if day in OFFICIAL_2025_SATURDAYS_WORKED | OFFICIAL_2026_SATURDAYS_WORKED:
        return True
    if day in OFFICIAL_2025_WEEKDAYS_OFF | OFFICIAL_2026_WEEKDAYS_OFF:
        return False
    return day.weekday() < 5


@cache
def shipped_calendar() -> WorkCalendar:
    """The national calendar from the package plus the shipped data file, without a database."""
    return build_calendar(years=range(2024, 2029), overrides=load(SHIPPED_OVERRIDES))
