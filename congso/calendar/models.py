"""The calendar as data: announced exceptions (overrides) and working hours, each with its source.

Rows are written only through :mod:`congso.calendar.services` (which records the audit event
and invalidates cached calendars); the calendar itself is computed by
:func:`congso.calendar.selectors.get_calendar`.
"""

from __future__ import annotations

import uuid
from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from congso.calendar.engine import (
    DEFAULT_CUTOFF,
    DEFAULT_PERIODS,
    WorkingHoursRule,
    format_periods,
    parse_periods,
)
from congso.calendar.importing import DAY_OFF, WORKING_DAY, OverrideRow, scope_label
from congso.core.errors import DomainError

province_code_validator = RegexValidator(
    r"^\d{2}$", "Mã tỉnh gồm 2 chữ số (QĐ 19/2025/QĐ-TTg) hoặc để trống cho toàn quốc."
)

PROVINCE_HELP = "Mã tỉnh 2 chữ số theo QĐ 19/2025/QĐ-TTg; để trống nếu áp dụng toàn quốc."


class CalendarOverride(models.Model):
    """A day that differs from the default calendar: an announced day off or a swapped-in
    working day (ngày làm bù), nationally or for one province."""

    class Kind(models.TextChoices):
        DAY_OFF = DAY_OFF, "Ngày nghỉ"
        WORKING_DAY = WORKING_DAY, "Ngày làm việc (làm bù)"

    date = models.DateField("ngày")
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    name = models.CharField("tên", max_length=200)
    legal_source = models.CharField(
        "căn cứ pháp lý",
        max_length=500,
        help_text="Văn bản công bố ngày này (số, ký hiệu, ngày ban hành, cơ quan ban hành).",
    )
    province_code = models.CharField(
        "mã tỉnh",
        max_length=2,
        blank=True,
        default="",
        validators=[province_code_validator],
        help_text=PROVINCE_HELP,
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "ngày ngoại lệ của lịch"
        verbose_name_plural = "ngày ngoại lệ của lịch"
        ordering = ["date", "province_code"]
        constraints = [
            # One row per day and scope: this also makes a day both "off" and "working" in the
            # same scope impossible.
            models.UniqueConstraint(
                fields=["date", "province_code"],
                name="workcalendar_override_one_per_day_and_scope",
                violation_error_message=(
                    "Ngày này đã có trong lịch của cùng phạm vi; mỗi ngày chỉ được khai báo một "
                    "lần (không thể vừa là ngày nghỉ vừa là ngày làm việc)."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[DAY_OFF, WORKING_DAY]),
                name="workcalendar_override_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["province_code", "date"], name="workcal_override_scope")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name} ({scope_label(self.province_code)})"

    def as_row(self) -> OverrideRow:
        return OverrideRow(
            date=self.date,
            kind=self.kind,
            name=self.name,
            legal_source=self.legal_source,
            province_code=self.province_code,
        )


def default_periods() -> list[list[str]]:
    return format_periods(DEFAULT_PERIODS)


class WorkingHours(models.Model):
    """Working periods of a working day and the reception cut-off, from ``effective_from`` on,
    nationally (blank province and agency), for one province, or for one agency (its electronic
    identifier; an agency that keeps hours of its own, e.g. summer/winter hours)."""

    province_code = models.CharField(
        "mã tỉnh",
        max_length=2,
        blank=True,
        default="",
        validators=[province_code_validator],
        help_text=PROVINCE_HELP,
    )
    agency_code = models.CharField(
        "mã cơ quan",
        max_length=13,
        blank=True,
        default="",
        help_text="Để trống nếu áp dụng cho cả tỉnh (hoặc toàn quốc). Nhập mã định danh điện tử "
        "của cơ quan (QCVN 102:2016, ví dụ 000.00.12.H56) nếu cơ quan có giờ làm việc riêng; "
        "khi đó để trống mã tỉnh.",
    )
    effective_from = models.DateField("áp dụng từ ngày")
    periods = models.JSONField(
        "các khoảng giờ làm việc",
        default=default_periods,
        help_text='Ví dụ: [["07:30", "11:30"], ["13:00", "17:00"]] (giờ địa phương, 8 giờ '
        "mỗi ngày làm việc).",
    )
    cutoff = models.TimeField(
        "giờ chốt tiếp nhận",
        default=DEFAULT_CUTOFF,
        help_text="Thủ tục trả kết quả trong ngày: hồ sơ nhận sau giờ này được trả trong ngày "
        "làm việc tiếp theo (15 giờ). Giờ chốt không dời thời điểm bắt đầu tính thời hạn của "
        "các thủ tục khác.",
    )
    legal_source = models.CharField("căn cứ pháp lý", max_length=500, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "giờ làm việc"
        verbose_name_plural = "giờ làm việc"
        ordering = ["province_code", "agency_code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["province_code", "agency_code", "effective_from"],
                name="workcalendar_hours_one_per_scope_and_start",
                violation_error_message=(
                    "Phạm vi này đã có quy định giờ làm việc áp dụng từ cùng ngày."
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = scope_label(self.province_code, self.agency_code)
        return f"Giờ làm việc ({scope}) từ {self.effective_from:%d/%m/%Y}"

    def clean(self) -> None:
        if self.agency_code and self.province_code:
            raise ValidationError(
                {
                    "agency_code": "Giờ làm việc riêng của một cơ quan không ghi kèm mã tỉnh: "
                    "để trống mã tỉnh."
                }
            )
        try:
            self.as_rule()
        except DomainError as exc:
            raise ValidationError({"periods": exc.message}) from None

    def as_rule(self) -> WorkingHoursRule:
        cutoff = self.cutoff
        if isinstance(cutoff, str):
            cutoff = time.fromisoformat(cutoff)
        return WorkingHoursRule(
            effective_from=self.effective_from,
            periods=parse_periods(self.periods),
            cutoff=cutoff,
        )


class CalendarRevision(models.Model):
    """A token that changes (to a fresh random value) on every calendar write.

    Each process caches built calendars together with the token they were built at and rebuilds
    when the token in the database differs, so a change made by any process (or rolled back) is
    seen everywhere on the next lookup. Random tokens cannot repeat after a rollback, unlike a
    counter.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "phiên bản lịch"
        verbose_name_plural = "phiên bản lịch"

    def __str__(self) -> str:
        return str(self.token)
