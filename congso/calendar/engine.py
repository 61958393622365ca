"""The working calendar (lịch làm việc): pure date and time arithmetic over working time.

Nothing here touches the database. A :class:`WorkCalendar` is built from plain data — holiday
dates, swapped-in working days, extra days off, working hours with their effective dates — by
:mod:`congso.calendar.selectors` (from the ``holidays`` package and the override tables) or
directly in tests.

Conventions (the full reasoning is in ``docs/calendar.md``):

* **Working week** Monday–Friday (Labour Code 2019 art. 111; QĐ 188/1999/QĐ-TTg on the 40-hour
  week for public bodies). A *swapped-in working day* (ngày làm bù, e.g. Saturday 26/04/2025)
  is a working day even though it is a Saturday; a holiday or an extra day off (ngày nghỉ hoán
  đổi) is not a working day even though it is a weekday. A swapped-in working day wins over
  everything else.
* **Working time** is the union of the day's working periods (default 07:30–11:30 and
  13:00–17:00: a working day is 8 working hours, Labour Code 2019 art. 105) on working days.
  Periods are half-open ``[start, end)``: 11:30 itself is not working time, and the end of the
  last period (17:00) is the *end of the working day*.
* **Time zone** Asia/Ho_Chi_Minh. Every instant given must be timezone-aware (any offset is
  accepted and converted); a naive datetime is refused with the ``naive_datetime`` error. Every
  instant returned is in Asia/Ho_Chi_Minh (``+07:00``).
* **Coverage.** A calendar knows its holidays only for the years it was built for. Asking about a
  date outside them raises ``calendar_out_of_range`` instead of silently guessing.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from congso.core.errors import DomainError

TIMEZONE_NAME = "Asia/Ho_Chi_Minh"

#: Default working periods of a working day: 07:30–11:30 and 13:00–17:00 (8 working hours).
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 0), time(17, 0)),
)

#: Same-day procedures ("trả trong ngày"): a reception after this time is returned by the end of
#: the next working day. It never moves the start of counting of other time limits (ND 61/2018
#: art. 18.2 is about handing the papers over; RULES.md §2). A procedure may set its own.
DEFAULT_CUTOFF = time(15, 0)

#: Upper bound on the days any search may scan when a calendar has no explicit coverage.
MAX_SCAN_DAYS = 3660

#: Upper bound for ``add_working_hours`` (about 30 years of working time); larger is a typo.
MAX_WORKING_HOURS = 60_000

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class WorkingHoursRule:
    """The working periods of every working day from ``effective_from`` on, and the cut-off.

    ``periods`` are wall-clock times in the calendar's time zone, sorted and not overlapping.
    ``cutoff`` is the latest reception time at which a same-day procedure is still returned the
    same day (15:00 by default).
    """

    effective_from: date
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    cutoff: time = DEFAULT_CUTOFF

    def __post_init__(self) -> None:
        problem = _periods_problem(self.periods, self.cutoff)
        if problem:
            raise DomainError("invalid_working_hours", problem, field="periods")

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day (8 hours by default)."""
        return sum(
            (
                datetime.combine(date.min, end) - datetime.combine(date.min, start)
                for start, end in self.periods
            ),
            timedelta(0),
        )

    @property
    def opening(self) -> time:
        return self.periods[0][0]

    @property
    def closing(self) -> time:
        return self.periods[-1][1]


def _periods_problem(periods: Sequence[tuple[time, time]], cutoff: time) -> str | None:
    """Why ``periods``/``cutoff`` are unusable (a Vietnamese sentence), or ``None``."""
    if not periods:
        return "Cần ít nhất một khoảng thời gian làm việc trong ngày."
    previous_end: time | None = None
    for start, end in periods:
        problem = _period_problem(start, end, previous_end)
        if problem:
            return problem
        previous_end = end
    if not periods[0][0] <= cutoff <= periods[-1][1]:
        return (
            f"Giờ chốt tiếp nhận {cutoff:%H:%M} phải nằm trong ngày làm việc "
            f"({periods[0][0]:%H:%M}–{periods[-1][1]:%H:%M})."
        )
    return None


def _period_problem(start: object, end: object, previous_end: time | None) -> str | None:
    if not isinstance(start, time) or not isinstance(end, time):
        return "Giờ làm việc phải là giờ:phút (ví dụ 07:30)."
    if start.tzinfo is not None or end.tzinfo is not None:
        return "Giờ làm việc là giờ địa phương, không kèm múi giờ."
    if start >= end:
        return (
            f"Khoảng {start:%H:%M}–{end:%H:%M} không hợp lệ: giờ bắt đầu phải trước giờ kết thúc."
        )
    if previous_end is not None and start < previous_end:
        return "Các khoảng giờ làm việc phải theo thứ tự và không chồng lên nhau."
    return None


def parse_periods(raw: object) -> tuple[tuple[time, time], ...]:
    """Periods from data: ``[["07:30", "11:30"], ["13:00", "17:00"]]``.

    Raises ``DomainError("invalid_working_hours")`` with a Vietnamese message when malformed.
    """
    message = 'Giờ làm việc phải có dạng [["07:30", "11:30"], ["13:00", "17:00"]].'
    if not isinstance(raw, list | tuple) or not raw:
        raise DomainError("invalid_working_hours", message, field="periods")
    periods: list[tuple[time, time]] = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise DomainError("invalid_working_hours", message, field="periods")
        try:
            start, end = (time.fromisoformat(str(value)) for value in item)
        except ValueError:
            raise DomainError("invalid_working_hours", message, field="periods") from None
        periods.append((start, end))
    return tuple(periods)


def format_periods(periods: Sequence[tuple[time, time]]) -> list[list[str]]:
    """The inverse of :func:`parse_periods`."""
    return [[f"{start:%H:%M}", f"{end:%H:%M}"] for start, end in periods]


def _as_names(values: Mapping[date, str] | Iterable[date], default: str) -> dict[date, str]:
    if isinstance(values, Mapping):
        return {_plain_date(day): str(name) for day, name in values.items()}
    return {_plain_date(day): default for day in values}


def _plain_date(value: date) -> date:
    if isinstance(value, datetime):
        raise TypeError("expected a date, got a datetime")
    return value


class WorkCalendar:
    """Working days and working time of one scope (national or one province).

    Build it with keyword arguments:

    ``holidays``
        Public holidays (``{date: name}`` or dates): Labour Code art. 112, already moved to the
        next working day when they fall on a weekly rest day (art. 111.3).
    ``working_days``
        Swapped-in working days (ngày làm bù), e.g. Saturday 26/04/2025.
    ``days_off``
        Extra days off announced for the year (ngày nghỉ hoán đổi, e.g. Friday 02/05/2025) or by a
        province.
    ``hours``
        :class:`WorkingHoursRule` items; the rule with the latest ``effective_from`` on or before a
        day applies. Days before every rule use :data:`DEFAULT_PERIODS`/:data:`DEFAULT_CUTOFF`.
    ``first_day``/``last_day``
        The dates the holiday data is known for. Outside them the calendar refuses to answer
        (``calendar_out_of_range``). ``None`` means unbounded (tests, ad-hoc calendars).
    """

    def __init__(
        self,
        *,
        holidays: Mapping[date, str] | Iterable[date] = (),
        working_days: Mapping[date, str] | Iterable[date] = (),
        days_off: Mapping[date, str] | Iterable[date] = (),
        hours: Sequence[WorkingHoursRule] = (),
        timezone: str = TIMEZONE_NAME,
        first_day: date | None = None,
        last_day: date | None = None,
    ) -> None:
        self.tz = ZoneInfo(timezone)
        self._holidays = _as_names(holidays, "Ngày nghỉ lễ")
        self._days_off = _as_names(days_off, "Ngày nghỉ")
        self._working_days = _as_names(working_days, "Ngày làm việc (làm bù)")
        rules = sorted(hours, key=lambda rule: rule.effective_from)
        if len({rule.effective_from for rule in rules}) != len(rules):
            raise DomainError(
                "invalid_working_hours",
                "Hai quy định giờ làm việc không được có cùng ngày hiệu lực.",
                field="effective_from",
            )
        self._rules = rules
        self._rule_starts = [rule.effective_from for rule in rules]
        self._default_rule = WorkingHoursRule(effective_from=date.min)
        if first_day and last_day and first_day > last_day:
            raise ValueError("first_day is after last_day")
        self.first_day = first_day
        self.last_day = last_day

    # --- days --------------------------------------------------------------------------------

    def covers(self, day: date) -> bool:
        """Whether the calendar has holiday data for ``day``."""
        day = self._day(day)
        if self.first_day is not None and day < self.first_day:
            return False
        return self.last_day is None or day <= self.last_day

    def _check_covered(self, day: date, field: str | None = None) -> None:
        if not self.covers(day):
            first = _fmt(self.first_day) if self.first_day else "…"
            last = _fmt(self.last_day) if self.last_day else "…"
            raise DomainError(
                "calendar_out_of_range",
                f"Lịch làm việc chỉ có dữ liệu từ {first} đến {last}; "
                f"không tính được cho ngày {_fmt(day)}.",
                field=field,
            )

    def _day(self, value: date) -> date:
        """A date; an aware datetime gives its local date, a naive one is refused."""
        if isinstance(value, datetime):
            return self._local(value).date()
        return value

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day.

        A swapped-in working day is always one; otherwise holidays and extra days off are not,
        and of the remaining days Monday–Friday are.
        """
        day = self._day(day)
        self._check_covered(day)
        return self._is_working(day)

    def _is_working(self, day: date) -> bool:
        if day in self._working_days:
            return True
        if day in self._holidays or day in self._days_off:
            return False
        return day.weekday() < 5

    def day_name(self, day: date) -> str | None:
        """Why ``day`` is special (holiday name, swap), or ``None`` for an ordinary day."""
        day = self._day(day)
        for names in (self._working_days, self._days_off, self._holidays):
            if day in names:
                return names[day]
        return None

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from ``start`` to ``end``, both included, in order.

        ``start`` after ``end`` is refused (``invalid_range``).
        """
        start, end = self._day(start), self._day(end)
        if start > end:
            raise DomainError(
                "invalid_range",
                f"Ngày bắt đầu {_fmt(start)} phải không sau ngày kết thúc {_fmt(end)}.",
                field="from",
            )
        self._check_covered(start, "from")
        self._check_covered(end, "to")
        result = []
        day = start
        while day <= end:
            if self._is_working(day):
                result.append(day)
            day += timedelta(days=1)
        return result

    def next_working_day(self, day: date, *, include_self: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself with ``include_self``)."""
        day = self._day(day)
        if not include_self:
            day += timedelta(days=1)
        for _ in range(MAX_SCAN_DAYS):
            self._check_covered(day)
            if self._is_working(day):
                return day
            day += timedelta(days=1)
        raise DomainError(
            "calendar_out_of_range",
            f"Không tìm thấy ngày làm việc nào sau ngày {_fmt(day)}.",
        )

    # --- hours -------------------------------------------------------------------------------

    def hours_on(self, day: date) -> WorkingHoursRule:
        """The working-hours rule in force on ``day``."""
        index = bisect.bisect_right(self._rule_starts, self._day(day)) - 1
        return self._rules[index] if index >= 0 else self._default_rule

    def working_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of ``day`` as aware datetimes (none on a day off)."""
        day = self._day(day)
        self._check_covered(day)
        if not self._is_working(day):
            return []
        return [
            (
                datetime.combine(day, start, tzinfo=self.tz),
                datetime.combine(day, end, tzinfo=self.tz),
            )
            for start, end in self.hours_on(day).periods
        ]

    def end_of_working_day(self, day: date) -> datetime:
        """The end of the last working period of ``day`` (17:00 by default)."""
        day = self._day(day)
        return datetime.combine(day, self.hours_on(day).closing, tzinfo=self.tz)

    # --- instants ----------------------------------------------------------------------------

    def _local(self, instant: datetime, field: str | None = None) -> datetime:
        if not isinstance(instant, datetime):
            raise TypeError(f"expected an aware datetime, got {type(instant).__name__}")
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise DomainError(
                "naive_datetime",
                "Thời điểm phải kèm múi giờ (ví dụ 2026-02-13T16:59:00+07:00); "
                "không chấp nhận thời điểm không rõ múi giờ.",
                field=field,
            )
        return instant.astimezone(self.tz)

    def _shift(self, instant: datetime, delta: timedelta) -> datetime:
        # Arithmetic in UTC, so a zone with offset changes would still be exact.
        return (instant.astimezone(UTC) + delta).astimezone(self.tz)

    @staticmethod
    def _span(start: datetime, end: datetime) -> timedelta:
        return end.astimezone(UTC) - start.astimezone(UTC)

    def next_working_instant(self, instant: datetime) -> datetime:
        """The first instant at or after ``instant`` that is working time.

        Inside a working period: ``instant`` itself. Before opening, in the lunch break, after
        closing, on a weekend or holiday: the start of the next working period.
        """
        current = self._local(instant)
        day = current.date()
        for _ in range(MAX_SCAN_DAYS):
            for start, end in self.working_periods(day):
                if current < end:
                    return max(current, start)
            day += timedelta(days=1)
            current = datetime.combine(day, time.min, tzinfo=self.tz)
        raise DomainError("calendar_out_of_range", "Không tìm thấy thời gian làm việc nào.")

    def start_of_counting(self, received_at: datetime) -> datetime:
        """When the time limit of a dossier received at ``received_at`` starts to run: the
        reception instant itself, brought into office hours when it falls outside them (before
        opening, in the lunch break, after closing, on a weekend, holiday or day off: the start of
        the next working period). The 15:00 rule does not move it (RULES.md §2). Idempotent.
        """
        local = self._local(received_at, "start")
        self._check_covered(local.date(), "start")
        return self.next_working_instant(local)

    def add_working_days(self, received_at: datetime, days: int) -> datetime:
        """The due instant of a time limit of ``days`` working days counted from ``received_at``.

        Counting runs in working time from :meth:`start_of_counting` (Civil Code 2015 art. 147.2:
        the day of the event is not day 1): the due instant is the **same clock time on the
        ``days``-th working day after** the day counting starts — N × 8 working hours with the
        default hours. Received Thursday 09:10, 3 working days → Tuesday 09:10; received Friday
        16:40, 1 working day → Monday 16:40; received at 18:00 → counting starts at 07:30 of the
        next working day, and the due instant is 07:30 of the N-th working day after it. When
        that clock time is not working time on the due day (its hours differ), the next working
        instant from it. ``days == 0`` returns the start of counting itself; negative values are
        refused (``negative_amount``).
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError("days must be an int")
        if days < 0:
            raise DomainError(
                "negative_amount", "Số ngày làm việc không được âm.", field="working_days"
            )
        start = self.start_of_counting(received_at)
        if days == 0:
            return start
        day = start.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self.next_working_instant(datetime.combine(day, start.time(), tzinfo=self.tz))

    def same_day_due(self, received_at: datetime, cutoff: time | None = None) -> datetime:
        """The due instant of a procedure returned within the reception day (trả trong ngày).

        Received on a working day at or before ``cutoff`` (the day's rule, 15:00 by default; a
        procedure may set its own) → the end of that working day; received after it, or on a day
        that is not a working day → the end of the next working day.
        """
        local = self._local(received_at, "start")
        day = local.date()
        self._check_covered(day, "start")
        limit = cutoff if cutoff is not None else self.hours_on(day).cutoff
        if not (self._is_working(day) and local.time() <= limit):
            day = self.next_working_day(day)
        return self.end_of_working_day(day)

    def add_working_hours(self, instant: datetime, hours: float | int | Decimal) -> datetime:
        """The instant after ``hours`` of working time have elapsed from ``instant``.

        Pure working-time arithmetic (call :meth:`start_of_counting` first when ``instant`` is a
        reception time, to bring it into office hours). Time outside working periods is skipped.
        When the hours run out exactly at the end of a period the result is that end (e.g. 4
        hours from 07:30 → 11:30, not 13:00). Hours are counted in whole
        microseconds (``timedelta(hours=hours)``); an amount that rounds to zero returns ``instant``
        (in local time). Round trip: ``working_time_between(a, add_working_hours(a, h)) ==
        timedelta(hours=h)``.
        """
        remaining = _hours(hours)
        current = self._local(instant, "start")
        if remaining == timedelta(0):
            return current
        day = current.date()
        for _ in range(MAX_SCAN_DAYS):
            for start, end in self.working_periods(day):
                if current >= end:
                    continue
                begin = max(current, start)
                available = self._span(begin, end)
                if remaining <= available:
                    return self._shift(begin, remaining)
                remaining -= available
                current = end
            day += timedelta(days=1)
        raise DomainError(
            "calendar_out_of_range", "Số giờ làm việc quá lớn so với lịch.", field="working_hours"
        )

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (the overlap with working periods).

        Signed: when ``end`` is before ``start`` the result is negative (useful for "how late").
        """
        first = self._local(start)
        last = self._local(end)
        if last < first:
            return -self.working_time_between(last, first)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            for period_start, period_end in self.working_periods(day):
                low = max(period_start, first)
                high = min(period_end, last)
                if high > low:
                    total += self._span(low, high)
            day += timedelta(days=1)
        return total

    # --- Civil Code periods ------------------------------------------------------------------

    def civil_code_period_end(self, event_date: date, days: int) -> date:
        """The last day of a period of ``days`` days under the Civil Code 2015.

        Art. 147.2: the day of the event is not counted; the period starts the next day, so its
        last day is ``event_date + days`` (calendar days). Art. 148.5: if that day is a weekly rest
        day or a holiday (here: any day that is not a working day in this calendar, including
        announced swapped days off) the period ends at the end of the next working day.
        The period ends at 24:00 of the returned day (art. 148.6); see
        :meth:`civil_code_period_end_instant`.
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError("days must be an int")
        if days < 1:
            raise DomainError(
                "invalid_amount", "Thời hạn tính bằng ngày phải từ 1 ngày trở lên.", field="days"
            )
        last = self._day(event_date) + timedelta(days=days)
        self._check_covered(last)
        if self._is_working(last):
            return last
        return self.next_working_day(last)

    def civil_code_period_end_instant(self, event_date: date, days: int) -> datetime:
        """24:00 of :meth:`civil_code_period_end`, i.e. 00:00 of the following calendar day."""
        last = self.civil_code_period_end(event_date, days)
        return datetime.combine(last + timedelta(days=1), time.min, tzinfo=self.tz)


def _hours(value: float | int | Decimal) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError("hours must be a number")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise DomainError("invalid_number", "Số giờ không hợp lệ.", field="working_hours")
    if number < 0:
        raise DomainError(
            "negative_amount", "Số giờ làm việc không được âm.", field="working_hours"
        )
    if number > MAX_WORKING_HOURS:
        raise DomainError(
            "amount_too_large",
            f"Số giờ làm việc tối đa là {MAX_WORKING_HOURS}.",
            field="working_hours",
        )
    return timedelta(hours=number)
