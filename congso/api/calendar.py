"""Working-calendar endpoints (public, read-only): a thin layer over
:func:`congso.calendar.selectors.get_calendar`.

Query values are taken as text and parsed here, so every malformed value is answered with HTTP 400
and a stable ``code`` naming the offending ``field`` — not with a generic validation error.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, WithJsonSchema

from congso.api import params
from congso.api.schemas import ErrorOut
from congso.calendar.selectors import get_calendar
from congso.core.errors import DomainError

router = Router()

#: Longest range ``/working-days`` answers for: three years.
MAX_RANGE_DAYS = 3 * 366

_INT_RE = re.compile(r"^[+-]?\d+$")

DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
InstantText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
CountText = Annotated[str | None, WithJsonSchema({"type": "integer", "minimum": 0})]
HoursText = Annotated[str | None, WithJsonSchema({"type": "number", "minimum": 0})]
ProvinceText = Annotated[str | None, WithJsonSchema({"type": "string", "pattern": r"^\d{2}$"})]


class WorkingDaysOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="Ngày đầu của khoảng (bao gồm).")
    to: date = Field(description="Ngày cuối của khoảng (bao gồm).")
    working_days: list[date] = Field(
        description="Các ngày làm việc trong khoảng, theo thứ tự: thứ Hai–thứ Sáu trừ ngày nghỉ "
        "lễ, Tết, ngày nghỉ bù, ngày nghỉ hoán đổi; cộng các ngày làm bù (kể cả thứ Bảy).",
        examples=[["2026-02-12", "2026-02-13", "2026-02-23"]],
    )


class DueOut(Schema):
    due: datetime = Field(
        description="Thời điểm hết hạn theo giờ Việt Nam (+07:00).",
        examples=["2026-02-27T17:00:00+07:00"],
    )


def _parse_count(value: str, field: str) -> int:
    text = value.strip()
    if not _INT_RE.match(text):
        raise DomainError("invalid_number", f"«{value}» không phải số nguyên.", field=field)
    number = int(text)
    if number < 0:
        raise DomainError("negative_amount", "Số ngày làm việc không được âm.", field=field)
    return number


def _parse_hours(value: str, field: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise DomainError("invalid_number", f"«{value}» không phải số.", field=field) from None
    if not number.is_finite() or not math.isfinite(float(number)):
        raise DomainError("invalid_number", f"«{value}» không phải số.", field=field)
    if number < 0:
        raise DomainError("negative_amount", "Số giờ làm việc không được âm.", field=field)
    return number


def _with_field(exc: DomainError, field: str) -> DomainError:
    if exc.field is None:
        exc.field = field
    return exc


@router.get(
    "/working-days",
    response={200: WorkingDaysOut, 400: ErrorOut},
    by_alias=True,
    summary="Các ngày làm việc trong một khoảng ngày",
    description=(
        "Danh sách ngày làm việc từ `from` đến `to` (bao gồm cả hai đầu), tối đa 3 năm, theo lịch "
        "toàn quốc hoặc của một tỉnh (`province`). Lịch gồm ngày nghỉ lễ, Tết theo Bộ luật Lao "
        "động (điều 111, 112) và các ngày nghỉ hoán đổi, làm bù đã công bố."
    ),
    operation_id="calendar_working_days",
)
def working_days(
    request: HttpRequest,
    from_: Annotated[
        DateText,
        Query(..., alias="from", description="Ngày đầu, YYYY-MM-DD.", example="2026-02-09"),
    ],
    to: Annotated[DateText, Query(..., description="Ngày cuối, YYYY-MM-DD.", example="2026-02-27")],
    province: Annotated[
        ProvinceText,
        Query(None, description="Mã tỉnh 2 chữ số (QĐ 19/2025/QĐ-TTg); bỏ trống: toàn quốc."),
    ] = None,
) -> dict[str, object]:
    start = params.required_day(from_, "from")
    end = params.required_day(to, "to")
    if start > end:
        raise DomainError(
            "invalid_range",
            f"Ngày đầu {start:%d/%m/%Y} phải không sau ngày cuối {end:%d/%m/%Y}.",
            field="from",
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise DomainError(
            "range_too_long",
            f"Khoảng ngày tối đa là 3 năm ({MAX_RANGE_DAYS} ngày).",
            field="to",
        )
    calendar = get_calendar(province)
    return {"from": start, "to": end, "working_days": calendar.working_days(start, end)}


@router.get(
    "/add",
    response={200: DueOut, 400: ErrorOut},
    summary="Tính thời điểm hết hạn theo ngày hoặc giờ làm việc",
    description=(
        "Hạn giải quyết của hồ sơ nhận lúc `start`. Thời hạn tính bằng thời gian làm việc kể "
        "từ thời điểm tiếp nhận (Điều 147 Bộ luật Dân sự 2015: ngày tiếp nhận không tính là "
        "ngày thứ nhất); nhận ngoài giờ làm việc (trưa, tối, ngày nghỉ, ngày lễ) thì tính từ đầu "
        "giờ làm việc kế tiếp. Mỗi ngày làm việc là 8 giờ (mặc định 07:30–11:30 và 13:00–17:00). "
        "Quy định 15 giờ chỉ áp dụng cho việc chuyển hồ sơ, không dời thời điểm bắt đầu tính.\n\n"
        "* `working_days=n`: hết hạn vào đúng giờ đó của ngày làm việc thứ n sau ngày tiếp "
        "nhận (ví dụ nhận 10:00 thứ Sáu 13/02/2026, 3 ngày làm việc → 10:00 thứ Tư 25/02/2026, "
        "qua kỳ nghỉ Tết); n = 0 trả về thời điểm bắt đầu tính.\n"
        "* `working_hours=h`: cộng h giờ làm việc kể từ thời điểm bắt đầu tính.\n\n"
        "Truyền đúng một trong hai tham số."
    ),
    operation_id="calendar_add",
)
def add(
    request: HttpRequest,
    start: Annotated[
        InstantText,
        Query(
            ...,
            description="Thời điểm tiếp nhận, ISO 8601 có múi giờ (mã hóa dấu + thành %2B).",
            example="2026-02-13T16:59:00+07:00",
        ),
    ],
    working_days: Annotated[
        CountText, Query(None, description="Số ngày làm việc (số nguyên ≥ 0).", example=5)
    ] = None,
    working_hours: Annotated[
        HoursText, Query(None, description="Số giờ làm việc (số ≥ 0, có thể lẻ).", example=8)
    ] = None,
    province: Annotated[
        ProvinceText,
        Query(None, description="Mã tỉnh 2 chữ số (QĐ 19/2025/QĐ-TTg); bỏ trống: toàn quốc."),
    ] = None,
) -> dict[str, datetime]:
    received_at = params.required_instant(start, "start")
    if working_days is None and working_hours is None:
        raise DomainError(
            "missing_amount",
            "Cần truyền working_days (số ngày làm việc) hoặc working_hours (số giờ làm việc).",
            field="working_days",
        )
    if working_days is not None and working_hours is not None:
        raise DomainError(
            "ambiguous_amount",
            "Chỉ truyền một trong hai tham số working_days hoặc working_hours.",
            field="working_hours",
        )
    calendar = get_calendar(province)
    params.covered_instant(calendar, received_at, "start")
    try:
        if working_days is not None:
            days = _parse_count(working_days, "working_days")
            return {"due": calendar.add_working_days(received_at, days)}
        assert working_hours is not None
        hours = _parse_hours(working_hours, "working_hours")
        counting_starts = calendar.start_of_counting(received_at)
        return {"due": calendar.add_working_hours(counting_starts, hours)}
    except DomainError as exc:
        # Errors the engine cannot attribute (the due date runs past the calendar's years)
        # belong to the amount asked for.
        field = "working_days" if working_days is not None else "working_hours"
        raise _with_field(exc, field) from None
