"""Reading the working calendar: :func:`get_calendar` builds it from the package defaults, the
override rows and the working-hours rows, and caches it in the process.

Invalidation: every write service replaces the random token in :class:`CalendarRevision` in the
same transaction. A lookup reads the token (one small query) and reuses the cached calendar only
when it was built at that token, so changes by any process are picked up on the next lookup and a
rolled-back change never leaves a stale calendar behind.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from congso.calendar.defaults import build_calendar
from congso.calendar.engine import WorkCalendar, WorkingHoursRule
from congso.calendar.importing import PROVINCE_CODE_RE
from congso.calendar.models import CalendarOverride, CalendarRevision, WorkingHours
from congso.core.errors import DomainError

#: By default a calendar covers this many years before the current one ...
YEARS_BACK = 6
#: ... and this many after it.
YEARS_AHEAD = 2
_CACHE_SIZE = 64

_lock = threading.Lock()
_cache: dict[tuple[str, str, tuple[int, ...]], tuple[uuid.UUID | None, WorkCalendar]] = {}
_agency_hours_cache: dict[uuid.UUID | None, frozenset[str]] = {}


def default_years(today: date | None = None) -> range:
    """The years a calendar covers when none are asked for (6 back, 2 ahead)."""
    year = (today or timezone.localdate()).year
    return range(year - YEARS_BACK, year + YEARS_AHEAD + 1)


def clear_cache() -> None:
    """Forget every cached calendar in this process (tests; never needed for correctness)."""
    with _lock:
        _cache.clear()
        _agency_hours_cache.clear()


def current_revision() -> uuid.UUID | None:
    return CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first()


def normalise_province_code(province_code: str | None) -> str:
    code = (province_code or "").strip()
    if code and not PROVINCE_CODE_RE.match(code):
        raise DomainError(
            "invalid_province",
            "Mã tỉnh gồm 2 chữ số (QĐ 19/2025/QĐ-TTg), ví dụ 51.",
            field="province",
        )
    return code


def get_calendar(
    province_code: str | None = None,
    *,
    agency_code: str = "",
    years: Iterable[int] | None = None,
) -> WorkCalendar:
    """The working calendar of a province (``None`` or ``""``: the national calendar), or of one
    agency of it when ``agency_code`` keeps working hours of its own.

    It covers ``years`` (default: :func:`default_years`); asking it about a date outside them
    raises ``calendar_out_of_range``. National overrides apply everywhere; a province's own row for
    a date replaces the national one. Working hours: the province's rule in force on a day, else
    the national one, else 07:30–11:30 / 13:00–17:00 with a 15:00 same-day cut-off. An agency's
    own rule, from its first ``effective_from`` on, takes precedence over both (days off stay the
    province's).
    """
    code = normalise_province_code(province_code)
    chosen = tuple(sorted(set(years))) if years is not None else tuple(default_years())
    if not chosen:
        raise ValueError("years must not be empty")
    revision = current_revision()
    agency = agency_code.strip().upper()
    if agency and agency not in _agencies_with_hours(revision):
        agency = ""  # the agency keeps the province's hours: share its calendar
    key = (code, agency, chosen)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == revision:
        return hit[1]
    calendar = _build(code, agency, chosen)
    with _lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = (revision, calendar)
    return calendar


def _agencies_with_hours(revision: uuid.UUID | None) -> frozenset[str]:
    """Agency codes that keep working hours of their own (cached per calendar revision)."""
    with _lock:
        hit = _agency_hours_cache.get(revision)
    if hit is not None:
        return hit
    codes = frozenset(
        WorkingHours.objects.exclude(agency_code="").values_list("agency_code", flat=True)
    )
    with _lock:
        _agency_hours_cache.clear()
        _agency_hours_cache[revision] = codes
    return codes


def _build(code: str, agency: str, years: tuple[int, ...]) -> WorkCalendar:
    scopes = ["", code] if code else [""]
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    overrides = [
        row.as_row()
        for row in CalendarOverride.objects.filter(
            province_code__in=scopes, date__gte=first, date__lte=last
        )
    ]
    return build_calendar(
        years=years,
        overrides=overrides,
        hours=hours_timeline(code, agency),
        province_code=code,
    )


def hours_timeline(code: str, agency_code: str = "") -> list[WorkingHoursRule]:
    """One rule list where an agency's rules take precedence over its province's, and a
    province's over the national ones.

    On any day the narrowest scope's latest rule effective on or before it applies; before that
    scope's first rule, the next wider scope's rule in force applies.
    """
    rows = WorkingHours.objects.all()
    national = [row.as_rule() for row in rows.filter(province_code="", agency_code="")]
    provincial = (
        [row.as_rule() for row in rows.filter(province_code=code, agency_code="")] if code else []
    )
    own = [row.as_rule() for row in rows.filter(agency_code=agency_code)] if agency_code else []
    return _overlay(_overlay(national, provincial), own)


def _overlay(
    wider: list[WorkingHoursRule], narrower: list[WorkingHoursRule]
) -> list[WorkingHoursRule]:
    if not narrower:
        return wider
    first = min(rule.effective_from for rule in narrower)
    return [rule for rule in wider if rule.effective_from < first] + sorted(
        narrower, key=lambda rule: rule.effective_from
    )
