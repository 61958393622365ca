"""Bounds on what the API accepts (issue 13 item 7): every number, date and depth has a limit,
and a value outside it answers 422 with a stable code and a Vietnamese message, never 500.

Malformed values (not a date, not a number) stay 400 with their own codes; values that are
well-formed but outside what the API can answer are 422 (docs/decisions.md).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from pydantic import Field

from congso.core.errors import DomainError

#: Dates the API accepts as filters (outside them no dossier, procedure or unit exists).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
#: Deepest nesting accepted in a JSON form (form_data); the form schemas nest 3 levels at most.
MAX_JSON_DEPTH = 32
#: Largest ``offset`` of a list; beyond it, narrow the filters.
MAX_OFFSET = 1_000_000
#: Ids, versions and other database integers (a 32-bit signed column).
MAX_DB_INT = 2**31 - 1
#: Largest amount of money (VND) in a request.
MAX_AMOUNT_VND = 10**13

#: An id or version in a request (bounded so the database never overflows).
DbInt = Annotated[int, Field(ge=0, le=MAX_DB_INT)]
OptionalDbInt = Annotated[int | None, Field(ge=0, le=MAX_DB_INT)]


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: An unencoded "+07:00" in a query string arrives as " 07:00".
_DECODED_PLUS_RE = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def required_day(value: str | None, field: str) -> date:
    """A ``YYYY-MM-DD`` query parameter; else 400 ``invalid_date``."""
    text = (value or "").strip()
    if _DATE_RE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError(
        "invalid_date", f"«{value}» không phải ngày hợp lệ dạng YYYY-MM-DD.", field=field
    )


def parse_day(value: str | None, field: str) -> date | None:
    """:func:`required_day`, blank being None."""
    return required_day(value, field) if (value or "").strip() else None


def required_instant(value: str | None, field: str) -> datetime:
    """An ISO 8601 instant with its offset; else 400 ``invalid_datetime``, or
    ``naive_datetime`` without an offset."""
    text = _DECODED_PLUS_RE.sub(r"\1+\2", (value or "").strip())
    try:
        if not _DATE_RE.match(text[:10]) or len(text) <= 10:
            raise ValueError(text)
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(
            "invalid_datetime",
            f"«{value}» không phải thời điểm ISO 8601 hợp lệ (ví dụ 2026-02-13T16:59:00+07:00).",
            field=field,
        ) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DomainError(
            "naive_datetime",
            "Thời điểm phải kèm múi giờ (ví dụ 2026-02-13T16:59:00+07:00 hoặc …Z).",
            field=field,
        )
    return instant


def parse_instant(value: str | None, field: str) -> datetime | None:
    """:func:`required_instant`, blank being None."""
    return required_instant(value, field) if (value or "").strip() else None


def out_of_range(message: str, field: str, code: str = "out_of_range") -> DomainError:
    return DomainError(code, message, field=field, status=422)


def bounded_day(value: date | None, field: str) -> date | None:
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise out_of_range(
            f"Ngày phải từ {EARLIEST_DAY:%d/%m/%Y} đến {LATEST_DAY:%d/%m/%Y}.", field
        )
    return value


def bounded_offset(value: int, field: str = "offset") -> int:
    if value > MAX_OFFSET:
        raise out_of_range(
            f"offset tối đa là {MAX_OFFSET:,}; hãy lọc hẹp hơn.".replace(",", "."), field
        )
    return value


def local_day(instant: datetime, field: str, code: str = "out_of_range") -> date:
    """The Vietnam date of an aware instant; an instant too close to year 1 or 9999 to convert
    is out of range."""
    try:
        return timezone.localtime(instant).date()
    except (OverflowError, ValueError):
        raise out_of_range(
            f"Thời điểm phải từ năm {EARLIEST_DAY.year} đến năm {LATEST_DAY.year}.", field, code
        ) from None


def db_int(value: int | None, field: str) -> int | None:
    """An id or version sent as a form field, within the database's integers."""
    if value is not None and not 0 <= value <= MAX_DB_INT:
        raise out_of_range(f"{field} phải từ 0 đến {MAX_DB_INT}.", field)
    return value


def covered_instant(calendar: Any, instant: datetime, field: str) -> datetime:
    """``instant`` when the working calendar has data for its day; else 422
    ``calendar_out_of_range`` (before the engine is asked anything)."""
    day = local_day(instant, field, "calendar_out_of_range")
    if not calendar.covers(day):
        first = f"{calendar.first_day:%d/%m/%Y}" if calendar.first_day else "…"
        last = f"{calendar.last_day:%d/%m/%Y}" if calendar.last_day else "…"
        raise out_of_range(
            f"Lịch làm việc chỉ có dữ liệu từ {first} đến {last}; "
            f"không tính được cho ngày {day:%d/%m/%Y}.",
            field,
            code="calendar_out_of_range",
        )
    return instant


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def too_deep(field: str) -> DomainError:
    return out_of_range(
        f"Dữ liệu lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} cấp).", field, code="too_deep"
    )
