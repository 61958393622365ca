"""Pre-aggregated indicators: the dashboard, the public statistics and the service index read
these tables, never the dossier table (see ``docs/indicators.md``, "Indicators: scale").

* :class:`DailyFigure` — one row per (local day, competent agency, field, procedure,
  administrative unit of the agency, channel) with one integer per counter of :data:`COUNTERS`;
* :class:`MonthlyFigure` — the same rolled up per month (``month`` is the first day), so a
  province-wide year reads a few thousand rows;
* :class:`LiveFigure` — the dossiers not yet finished, counted per (agency, field, procedure,
  unit, status, local due date).

The dimension columns are plain integers, not foreign keys: ``0`` means "none" (an agency
without an administrative unit), so that the unique constraints can serve ``ON CONFLICT``
upserts (``NULL`` never conflicts). Rows are maintained by :mod:`congso.indicators.aggregates`
in the transaction of every dossier change and rebuilt by ``manage.py rebuild_indicators``.
"""

from __future__ import annotations

from datetime import date

from django.db import models

#: The counters of :class:`DailyFigure` and :class:`MonthlyFigure`, in column order. Their
#: meaning is in ``docs/indicators.md``.
COUNTERS: tuple[str, ...] = (
    "received",
    "received_online",
    "received_in_person",
    "received_postal",
    "not_accepted",
    "processed",
    "processed_early",
    "processed_on_time",
    "processed_late",
    "returned",
    "returned_online",
    "e_results",
    "digitised",
    "supplement_requested",
    "withdrawn",
    "stopped",
    "processing_seconds",
    "rating_count",
    "rating_sum",
    "rating_satisfied",
)

#: Dimension columns shared by the figure tables (besides the period column).
DIMENSIONS: tuple[str, ...] = ("agency_id", "field_id", "procedure_id", "unit_id", "channel")

#: ``LiveFigure.due_date`` of a dossier that has no due time yet (not received).
NO_DUE_DATE = date(9999, 12, 31)


class _Figures(models.Model):
    agency_id = models.BigIntegerField("cơ quan giải quyết")
    field_id = models.BigIntegerField("lĩnh vực")
    procedure_id = models.BigIntegerField("thủ tục")
    unit_id = models.BigIntegerField("đơn vị hành chính", help_text="0: cơ quan không gắn đơn vị.")
    channel = models.CharField("hình thức nộp", max_length=10)

    received = models.BigIntegerField("tiếp nhận", default=0)
    received_online = models.BigIntegerField("tiếp nhận trực tuyến", default=0)
    received_in_person = models.BigIntegerField("tiếp nhận trực tiếp", default=0)
    received_postal = models.BigIntegerField("tiếp nhận qua bưu chính", default=0)
    not_accepted = models.BigIntegerField("không được tiếp nhận", default=0)
    processed = models.BigIntegerField("đã giải quyết", default=0)
    processed_early = models.BigIntegerField("giải quyết trước hạn", default=0)
    processed_on_time = models.BigIntegerField("giải quyết đúng hạn", default=0)
    processed_late = models.BigIntegerField("giải quyết quá hạn", default=0)
    returned = models.BigIntegerField("đã trả kết quả", default=0)
    returned_online = models.BigIntegerField("trả kết quả trực tuyến", default=0)
    e_results = models.BigIntegerField("kết quả điện tử đã ký", default=0)
    digitised = models.BigIntegerField("hồ sơ được số hóa khi tiếp nhận", default=0)
    supplement_requested = models.BigIntegerField("yêu cầu bổ sung", default=0)
    withdrawn = models.BigIntegerField("rút hồ sơ", default=0)
    stopped = models.BigIntegerField("dừng xử lý / từ chối giải quyết", default=0)
    processing_seconds = models.BigIntegerField("tổng thời gian giải quyết (giây)", default=0)
    rating_count = models.BigIntegerField("số lượt đánh giá", default=0)
    rating_sum = models.BigIntegerField("tổng điểm đánh giá", default=0)
    rating_satisfied = models.BigIntegerField("đánh giá hài lòng (≥ 4)", default=0)

    class Meta:
        abstract = True


class DailyFigure(_Figures):
    day = models.DateField("ngày")

    class Meta:
        verbose_name = "số liệu theo ngày"
        verbose_name_plural = "số liệu theo ngày"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency_id", "field_id", "procedure_id", "unit_id", "channel"],
                name="indicators_daily_dims",
            )
        ]
        indexes = [models.Index(fields=["agency_id", "day"], name="indicators_daily_agency")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.agency_id}/{self.procedure_id}/{self.channel}"


class MonthlyFigure(_Figures):
    month = models.DateField("tháng (ngày đầu tháng)")

    class Meta:
        verbose_name = "số liệu theo tháng"
        verbose_name_plural = "số liệu theo tháng"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency_id", "field_id", "procedure_id", "unit_id", "channel"],
                name="indicators_monthly_dims",
            )
        ]
        indexes = [models.Index(fields=["agency_id", "month"], name="indicators_monthly_agency")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.agency_id}/{self.procedure_id}/{self.channel}"


class LiveFigure(models.Model):
    """How many unfinished dossiers sit in one status with one local due date."""

    agency_id = models.BigIntegerField("cơ quan giải quyết")
    field_id = models.BigIntegerField("lĩnh vực")
    procedure_id = models.BigIntegerField("thủ tục")
    unit_id = models.BigIntegerField("đơn vị hành chính")
    status = models.CharField("trạng thái", max_length=25)
    received = models.BooleanField(
        "đã tiếp nhận", help_text="Sai: chưa tiếp nhận (chờ tiếp nhận, bổ sung hay rút trước đó)."
    )
    due_date = models.DateField("hạn giải quyết (ngày)", help_text="9999-12-31: chưa có hạn.")
    count = models.BigIntegerField("số hồ sơ", default=0)

    class Meta:
        verbose_name = "số hồ sơ đang xử lý"
        verbose_name_plural = "số hồ sơ đang xử lý"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "agency_id",
                    "field_id",
                    "procedure_id",
                    "unit_id",
                    "status",
                    "received",
                    "due_date",
                ],
                name="indicators_live_dims",
            )
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="indicators_live_status")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.procedure_id} {self.status} {self.due_date}: {self.count}"


class RebuildState(models.Model):
    """One row (``pk=1``): whether an online rebuild is collecting the changes written while
    it computes (``manage.py rebuild_indicators``, :func:`congso.indicators.aggregates.rebuild`)."""

    active = models.BooleanField("đang tính lại", default=False)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)

    class Meta:
        verbose_name = "trạng thái tính lại số liệu"
        verbose_name_plural = "trạng thái tính lại số liệu"

    def __str__(self) -> str:
        return "đang tính lại" if self.active else "không"


class RebuildDelta(models.Model):
    """What one write added to the figures while an online rebuild ran: replayed onto the
    rebuilt tables before they replace the old ones, unless the rebuild's snapshot saw it."""

    #: The writing transaction's id (PostgreSQL ``pg_current_xact_id()``; NULL on SQLite, where
    #: the row id's order is the commit order).
    xid = models.BigIntegerField("giao dịch", null=True)
    agency_id = models.BigIntegerField("cơ quan giải quyết")
    field_id = models.BigIntegerField("lĩnh vực")
    procedure_id = models.BigIntegerField("thủ tục")
    unit_id = models.BigIntegerField("đơn vị hành chính")
    channel = models.CharField("hình thức nộp", max_length=10)
    deltas = models.JSONField("số liệu theo ngày", default=list)
    live = models.JSONField("số hồ sơ đang xử lý", default=list)

    class Meta:
        verbose_name = "thay đổi trong lúc tính lại"
        verbose_name_plural = "thay đổi trong lúc tính lại"

    def __str__(self) -> str:
        return f"{self.pk}: {self.agency_id}/{self.procedure_id}"
