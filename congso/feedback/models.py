"""Citizen feedback (phản ánh, kiến nghị) and the 1022 hotline: categories, routing rules,
reports, their files and their history (docs/feedback.md)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from congso.feedback.workflow import EVENT_LABELS, Rejection, Status


class Channel(models.TextChoices):
    PORTAL = "portal", _("Cổng dịch vụ công")
    HOTLINE = "hotline", _("Đường dây nóng 1022")
    API = "api", "API"
    OPEN311 = "open311", _("Ứng dụng (Open311)")
    EMAIL = "email", _("Thư điện tử")


class Category(models.Model):
    """One node of a province's category tree (lĩnh vực phản ánh). ``code`` is the Open311
    ``service_code``; ``keywords`` (diacritics-free, one phrase per line) drive the category
    suggestion; ``deadline_days`` is the answer time limit in working days."""

    province = models.ForeignKey(
        "org.AdministrativeUnit", verbose_name="tỉnh", on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="nhóm cha",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.SlugField("mã", max_length=60)
    name = models.CharField("tên", max_length=200)
    name_en = models.CharField(
        "tên tiếng Anh", max_length=200, blank=True, help_text="Hiện trên các trang tiếng Anh."
    )
    description = models.TextField("mô tả", blank=True)
    keywords = models.TextField("từ khóa gợi ý", blank=True)
    deadline_days = models.DecimalField(
        "thời hạn trả lời (ngày làm việc)", max_digits=5, decimal_places=1, default=Decimal(15)
    )
    accept_days = models.DecimalField(
        "thời hạn phân loại (ngày làm việc)", max_digits=5, decimal_places=1, default=Decimal(2)
    )
    about_procedures = models.BooleanField(
        "về thủ tục hành chính (ND 20/2008)",
        default=False,
        help_text="Phản ánh gắn với một thủ tục hoặc hồ sơ được chuyển tới cơ quan giải quyết.",
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "lĩnh vực phản ánh"
        verbose_name_plural = "lĩnh vực phản ánh"
        ordering = ["province_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="feedback_category_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language: the English name on English pages when the
        province gave one, the Vietnamese name otherwise."""
        if self.name_en and (get_language() or "vi").startswith("en"):
            return self.name_en
        return self.name


class RoutingRule(models.Model):
    """Category × administrative unit → handling agency (and department), in force from
    ``valid_from`` to ``valid_to`` (inclusive). A rule without a unit covers every unit of the
    province; a rule on a parent category covers its children. The most specific rule wins,
    then the lowest ``priority``."""

    category = models.ForeignKey(
        Category, verbose_name="lĩnh vực", on_delete=models.CASCADE, related_name="rules"
    )
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        verbose_name="địa bàn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan xử lý", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="phòng ban",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField("ưu tiên", default=100)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)

    class Meta:
        verbose_name = "quy tắc chuyển xử lý"
        verbose_name_plural = "quy tắc chuyển xử lý"
        ordering = ["category_id", "priority", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="feedback_rule_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.agency}"


class Report(models.Model):
    """One report (phản ánh, kiến nghị) from any channel. ``version`` goes up with every
    change; ``token`` lets the reporter follow it without an account."""

    code = models.CharField("mã phản ánh", max_length=30, unique=True, null=True, blank=True)
    token = models.UUIDField("mã theo dõi", default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField("phiên bản", default=1)
    province = models.ForeignKey(
        "org.AdministrativeUnit", verbose_name="tỉnh", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("kênh", max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="reports"
    )
    title = models.CharField("tiêu đề", max_length=200, blank=True)
    description = models.TextField("nội dung")
    unit = models.ForeignKey(
        "org.AdministrativeUnit", verbose_name="địa bàn", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    latitude = models.DecimalField("vĩ độ", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        "kinh độ", max_digits=9, decimal_places=6, null=True, blank=True
    )
    reporter_name = models.CharField("người phản ánh", max_length=200, blank=True)
    reporter_phone = models.CharField("số điện thoại", max_length=20, blank=True)
    reporter_email = models.EmailField("thư điện tử", blank=True)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản người phản ánh",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ tiếp nhận (tổng đài)",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    publishable = models.BooleanField("đồng ý công khai", default=False)
    open311_key = models.ForeignKey(
        "Open311Key",
        verbose_name="ứng dụng Open311 đã gửi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name="thủ tục",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="cơ quan xử lý",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="phòng ban",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.ForeignKey(
        RoutingRule,
        verbose_name="quy tắc đã áp dụng",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ xử lý",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        "trạng thái", max_length=12, choices=Status.choices, default=Status.NEW
    )
    rejection = models.CharField(
        "lý do không tiếp nhận", max_length=15, choices=Rejection.choices, blank=True
    )
    reason = models.TextField("ghi chú lý do", blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="trùng với",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    received_at = models.DateTimeField("nhận lúc")
    accept_due_at = models.DateTimeField("hạn phân loại", null=True, blank=True)
    due_at = models.DateTimeField("hạn trả lời", null=True, blank=True)
    remind_at = models.DateTimeField("nhắc hạn lúc", null=True, blank=True)
    accepted_at = models.DateTimeField("tiếp nhận xử lý lúc", null=True, blank=True)
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    reminded_at = models.DateTimeField("đã nhắc hạn lúc", null=True, blank=True)
    escalated_at = models.DateTimeField("đã báo lãnh đạo lúc", null=True, blank=True)
    on_time = models.BooleanField("trả lời đúng hạn", null=True, blank=True)
    answer = models.TextField("nội dung trả lời", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người trả lời",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField("mức hài lòng (1–5)", null=True, blank=True)
    rating_comment = models.TextField("ý kiến về trả lời", blank=True)
    reopen_count = models.PositiveSmallIntegerField("số lần mở lại", default=0)
    message_id = models.CharField(
        "Message-ID của thư điện tử",
        max_length=255,
        blank=True,
        help_text="Thư đã nhập một lần không được nhập lại.",
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status"], name="feedback_report_agency"),
            models.Index(fields=["status", "due_at"], name="feedback_report_due"),
            models.Index(fields=["publishable", "status", "answered_at"], name="feedback_public"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_range",
            ),
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="feedback_report_message_once",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"


class ReportFile(models.Model):
    """A photo or document of a report, checked like a dossier upload (type from the content,
    size, active PDF content refused); photos lose their EXIF location unless the reporter
    keeps it."""

    report = models.ForeignKey(
        Report, verbose_name="phản ánh", on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField("tệp", upload_to="feedback/%Y/%m/", max_length=255)
    original_name = models.CharField("tên tệp", max_length=255)
    mime_type = models.CharField("loại", max_length=50)
    size = models.PositiveIntegerField("dung lượng")
    sha256 = models.CharField("SHA-256", max_length=64)
    location_removed = models.BooleanField("đã xóa vị trí trong ảnh", default=False)
    uploaded_at = models.DateTimeField("tải lên lúc")

    class Meta:
        verbose_name = "tệp phản ánh"
        verbose_name_plural = "tệp phản ánh"
        ordering = ["report_id", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ReportEvent(models.Model):
    """One step of a report's history (append-only). ``public`` steps are shown to the
    reporter and on Open311."""

    report = models.ForeignKey(
        Report, verbose_name="phản ánh", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("thao tác", max_length=20)
    from_status = models.CharField(
        "từ trạng thái", max_length=12, choices=Status.choices, blank=True
    )
    to_status = models.CharField(
        "sang trạng thái", max_length=12, choices=Status.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField("ghi chú", blank=True)
    public = models.BooleanField("hiển thị cho người phản ánh", default=True)
    at = models.DateTimeField("lúc")

    class Meta:
        verbose_name = "diễn biến phản ánh"
        verbose_name_plural = "diễn biến phản ánh"
        ordering = ["report_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class Open311Key(models.Model):
    """An Open311 client application's api_key (only its SHA-256 is stored)."""

    name = models.CharField("ứng dụng", max_length=200)
    key_hash = models.CharField("SHA-256 của khóa", max_length=64, unique=True)
    active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "khóa Open311"
        verbose_name_plural = "khóa Open311"

    def __str__(self) -> str:
        return self.name


class StandardAnswer(models.Model):
    """A standard answer (mẫu trả lời) an officer picks and completes: for one category and
    its children, or for every category of the province (no category)."""

    province = models.ForeignKey(
        "org.AdministrativeUnit", verbose_name="tỉnh", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        verbose_name="lĩnh vực",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="standard_answers",
        help_text="Để trống: dùng cho mọi lĩnh vực.",
    )
    title = models.CharField("tên mẫu", max_length=200)
    text = models.TextField("nội dung trả lời")
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "mẫu trả lời"
        verbose_name_plural = "mẫu trả lời"
        ordering = ["province_id", "order", "title"]

    def __str__(self) -> str:
        return self.title
