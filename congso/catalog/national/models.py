"""What the national import keeps: each province's share, the procedures it owns in the
catalogue, and its runs with one checkpoint row per record.

* :class:`ProvinceShare` — which procedures a province takes from the national database: its
  commune and provincial procedures always; the ministry-level ones it receives (by ministry or
  by code) and the procedures another province published (decisions of a People's Committee)
  only when chosen here. Data, edited in the admin.
* :class:`ImportedProcedure` — one per procedure the import created: the fingerprint of the
  export record last applied (an unchanged record is skipped without being parsed), the version
  it wrote, its flags, and whether it was retired because a later export no longer had it. A
  catalogue procedure without such a row (the curated demo procedures, a province's own) is
  never written by the import.
* :class:`ImportRun` and :class:`ImportItem` — a run (the parameters, the progress, the
  report) and its outcome per record: the checkpoint a resumed run starts after, and the
  report's rows (flags, the diff of a changed procedure).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProvinceShare(models.Model):
    """The national procedures a province applies (phần danh mục của tỉnh)."""

    province_code = models.CharField(
        "mã tỉnh",
        max_length=2,
        unique=True,
        help_text="Mã tỉnh 2 số theo QĐ 19/2025/QĐ-TTg, ví dụ 51.",
    )
    central_ministries = models.JSONField(
        "bộ, ngành có thủ tục cấp trung ương tỉnh tiếp nhận",
        default=list,
        blank=True,
        help_text="Mã bộ, ngành như trong số quyết định công bố (BCA, BTP, BTC…).",
    )
    central_codes = models.JSONField(
        "thủ tục cấp trung ương tỉnh tiếp nhận (theo mã)",
        default=list,
        blank=True,
        help_text="Mã TTHC cấp bộ, ngành mà tỉnh tiếp nhận hồ sơ.",
    )
    local_codes = models.JSONField(
        "thủ tục do địa phương công bố được áp dụng (theo mã)",
        default=list,
        blank=True,
        help_text="Thủ tục công bố bằng quyết định của UBND tỉnh mà tỉnh áp dụng "
        "(mặc định không nhận thủ tục riêng của tỉnh khác).",
    )
    excluded_codes = models.JSONField(
        "thủ tục không áp dụng (theo mã)",
        default=list,
        blank=True,
        help_text="Thủ tục cấp tỉnh, cấp xã mà tỉnh không áp dụng.",
    )
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "phần danh mục quốc gia của tỉnh"
        verbose_name_plural = "phần danh mục quốc gia của tỉnh"
        ordering = ["province_code"]

    def __str__(self) -> str:
        return f"Tỉnh {self.province_code}"


class ImportedStatus(models.TextChoices):
    ACTIVE = "active", "Đang áp dụng"
    RETIRED = "retired", "Đã bãi bỏ (không còn trong nguồn)"


class ImportedProcedure(models.Model):
    """A catalogue procedure the national import created and keeps up to date."""

    code = models.CharField("mã thủ tục", max_length=30, unique=True)
    procedure = models.OneToOneField(
        "catalog.Procedure",
        verbose_name="thủ tục",
        on_delete=models.CASCADE,
        related_name="national_import",
    )
    version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name="phiên bản do lần nhập ghi",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    digest = models.CharField("dấu vân tay bản ghi nguồn", max_length=64)
    written = models.CharField(
        "dấu vân tay nội dung đã ghi",
        max_length=64,
        help_text="Để biết phiên bản có bị sửa ngoài lần nhập không.",
    )
    origin = models.CharField("nguồn", max_length=10)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ImportedStatus.choices, default=ImportedStatus.ACTIVE
    )
    flags = models.JSONField("cần cán bộ xem", default=list, blank=True)
    first_run = models.ForeignKey(
        "ImportRun",
        verbose_name="nhập lần đầu",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    last_run = models.ForeignKey(
        "ImportRun",
        verbose_name="lần nhập gần nhất",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "thủ tục nhập từ CSDL quốc gia"
        verbose_name_plural = "thủ tục nhập từ CSDL quốc gia"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class RunStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ"
    RUNNING = "running", "Đang nhập"
    DONE = "done", "Đã xong"
    FAILED = "failed", "Dừng do lỗi"


class ImportRun(models.Model):
    """One import: its parameters, progress and report. Resumable: records already done (an
    :class:`ImportItem`) are not applied again."""

    status = models.CharField(
        "trạng thái", max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    params = models.JSONField("tham số", default=dict)
    total = models.PositiveIntegerField("số bản ghi", default=0)
    done = models.PositiveIntegerField("đã xử lý", default=0)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    report = models.JSONField("báo cáo", default=dict, blank=True)
    error = models.TextField("lỗi", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người yêu cầu",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        "còn chạy lúc",
        null=True,
        blank=True,
        help_text="Cập nhật sau mỗi bản ghi; lâu không đổi nghĩa là tiến trình đã dừng.",
    )
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lần nhập danh mục quốc gia"
        verbose_name_plural = "lần nhập danh mục quốc gia"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Lần nhập #{self.pk} ({self.get_status_display()})"


class Outcome(models.TextChoices):
    CREATED = "created", "Tạo mới"
    UPDATED = "updated", "Phiên bản mới"
    UNCHANGED = "unchanged", "Không đổi"
    CURATED = "curated", "Giữ thủ tục đã biên soạn"
    LOCAL_EDIT = "local_edit", "Giữ bản đã sửa tại tỉnh"
    EXCLUDED = "excluded", "Không thuộc phần của tỉnh"
    REFUSED = "refused", "Không nhập được"
    RETIRED = "retired", "Bãi bỏ"
    FAILED = "failed", "Lỗi"


class ImportItem(models.Model):
    """The outcome of one record in one run (its checkpoint and its report row)."""

    run = models.ForeignKey(
        ImportRun, verbose_name="lần nhập", on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField("mã thủ tục", max_length=30)
    outcome = models.CharField("kết quả", max_length=12, choices=Outcome.choices)
    level = models.CharField("cấp", max_length=40, blank=True)
    field_name = models.CharField("lĩnh vực", max_length=255, blank=True)
    status = models.JSONField("trạng thái từng mục", default=dict, blank=True)
    flags = models.JSONField("cần cán bộ xem", default=list, blank=True)
    diff = models.JSONField("thay đổi", default=dict, blank=True)
    message = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "kết quả nhập một thủ tục"
        verbose_name_plural = "kết quả nhập từng thủ tục"
        ordering = ["run_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "code"], name="catalog_national_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.get_outcome_display()}"
