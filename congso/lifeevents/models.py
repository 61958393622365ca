"""Procedure groups (liên thông thủ tục, ND 63/2024/NĐ-CP) and proactive services (dịch vụ
công chủ động, ND 224/2026/NĐ-CP art. 16), as data.

* :class:`ProcedureGroup` / :class:`GroupVersion`: the component procedures, one combined form,
  the mapping of its fields to each component's form, the routing of each component to its
  agency, with effective dates (``docs/lifeevents.md``).
* :class:`GroupApplication` / :class:`GroupMember`: one submission of a group — one dossier per
  component (its own code and deadline), linked by the application's group code.
* :class:`LifeEventRule` / :class:`Offer`: an event (a birth or a death registered, an age
  reached) → the procedures offered, who is eligible, the level (remind → prepare → recommend
  → act), and each offer made to a citizen with its consent trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from congso.catalog.models import Procedure
from congso.dossiers.models import Dossier
from congso.org.models import Citizen


class ProcedureGroup(models.Model):
    code = models.SlugField("mã nhóm", max_length=50, unique=True)
    name = models.CharField("tên nhóm thủ tục liên thông", max_length=500)
    short_name = models.CharField("tên ngắn", max_length=200, blank=True)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500, blank=True)
    description = models.TextField("mô tả", blank=True)
    active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "nhóm thủ tục liên thông"
        verbose_name_plural = "nhóm thủ tục liên thông"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GroupVersion(models.Model):
    """What a group is over a period. ``components``: a list of ``{procedure, routing,
    agency_label, fields, values, templates, files, declaration}`` (``groups.read_components``);
    ``form_schema``: the combined form, in the catalogue's form-schema language."""

    group = models.ForeignKey(
        ProcedureGroup, verbose_name="nhóm", on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField("phiên bản")
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)
    form_schema = models.JSONField("biểu mẫu chung", default=dict)
    components = models.JSONField("thủ tục thành phần", default=list)
    routing_field = models.CharField(
        "trường xác định địa bàn",
        max_length=63,
        help_text="Trường địa chỉ của biểu mẫu chung chọn xã/phường giải quyết.",
    )

    class Meta:
        verbose_name = "phiên bản nhóm thủ tục"
        verbose_name_plural = "phiên bản nhóm thủ tục"
        ordering = ["group", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="lifeevents_group_version")
        ]

    def __str__(self) -> str:
        return f"{self.group.code} v{self.version}"


class GroupApplication(models.Model):
    """One submission of a group: its code links the component dossiers."""

    code = models.CharField("mã hồ sơ liên thông", max_length=40, unique=True)
    version = models.ForeignKey(
        GroupVersion, verbose_name="phiên bản nhóm", on_delete=models.PROTECT
    )
    applicant_citizen = models.ForeignKey(
        Citizen, verbose_name="người nộp", on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản nộp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    form_data = models.JSONField("dữ liệu biểu mẫu chung", default=dict)
    submitted_at = models.DateTimeField("nộp lúc")
    due_at = models.DateTimeField("hẹn trả chung (muộn nhất)", null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ liên thông"
        verbose_name_plural = "hồ sơ liên thông"
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return self.code


class GroupMember(models.Model):
    application = models.ForeignKey(
        GroupApplication,
        verbose_name="hồ sơ liên thông",
        on_delete=models.CASCADE,
        related_name="members",
    )
    order = models.PositiveIntegerField("thứ tự")
    procedure = models.ForeignKey(Procedure, verbose_name="thủ tục", on_delete=models.PROTECT)
    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ thành phần", on_delete=models.PROTECT, related_name="+"
    )
    routing = models.CharField("nơi giải quyết (loại)", max_length=40)

    class Meta:
        verbose_name = "hồ sơ thành phần"
        verbose_name_plural = "hồ sơ thành phần"
        ordering = ["application", "order"]

    def __str__(self) -> str:
        return f"{self.application.code} #{self.order}"


class Event(models.TextChoices):
    BIRTH_REGISTERED = "birth_registered", "Đăng ký khai sinh xong"
    DEATH_REGISTERED = "death_registered", "Đăng ký khai tử xong"
    AGE_REACHED = "age_reached", "Đến tuổi"
    DOCUMENT_EXPIRING = "document_expiring", "Giấy tờ sắp hết hạn"
    BUSINESS_REGISTERED = "business_registered", "Đăng ký hộ kinh doanh xong"


class Level(models.IntegerChoices):
    """ND 224/2026/NĐ-CP art. 16."""

    REMIND = 1, "Mức 1: nhắc thực hiện"
    PREPARE = 2, "Mức 2: nhắc và chuẩn bị hồ sơ"
    RECOMMEND = 3, "Mức 3: nhắc, chuẩn bị hồ sơ và khuyến nghị"
    ACT = 4, "Mức 4: tự động thực hiện"


class LifeEventRule(models.Model):
    """An event → what is offered. ``trigger_procedure``: the procedure whose completed dossier
    is the event (birth, death, business registration); ``age_years``: for an age reached.
    ``offer_procedures``: the group's components offered (empty: all of them);
    ``eligibility``: conditions on the event's data (``offers.eligible``); ``prefill``:
    combined field → where its value comes from (``dossier.<field>``, ``citizen.<attribute>``)."""

    code = models.SlugField("mã quy tắc", max_length=50, unique=True)
    name = models.CharField("tên quy tắc", max_length=300)
    event = models.CharField("sự kiện", max_length=30, choices=Event.choices)
    trigger_procedure = models.CharField("thủ tục phát sinh sự kiện", max_length=30, blank=True)
    age_years = models.PositiveIntegerField("tuổi", null=True, blank=True)
    group = models.ForeignKey(
        ProcedureGroup,
        verbose_name="nhóm thủ tục đề nghị",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
    )
    offer_procedures = models.JSONField("thủ tục đề nghị", default=list, blank=True)
    level = models.PositiveSmallIntegerField("mức độ chủ động", choices=Level.choices)
    act_allowed = models.BooleanField(
        "pháp luật cho phép tự động thực hiện",
        default=False,
        help_text="Chỉ khi được đánh dấu mới đặt được mức 4; kết quả qua hàng đợi cán bộ duyệt.",
    )
    eligibility = models.JSONField("điều kiện", default=list, blank=True)
    prefill = models.JSONField("điền sẵn", default=dict, blank=True)
    title = models.CharField("tiêu đề lời mời", max_length=300)
    message = models.TextField("nội dung thông báo")
    recommendation = models.TextField("khuyến nghị (mức 3)", blank=True)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500, blank=True)
    minutes_saved = models.PositiveIntegerField(
        "thời gian tiết kiệm ước tính (phút)",
        default=0,
        help_text="So với tự tìm và nộp riêng từng thủ tục (ước tính, dùng cho thống kê).",
    )
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)
    active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "quy tắc sự kiện cuộc sống"
        verbose_name_plural = "quy tắc sự kiện cuộc sống"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Đã gửi lời mời"
    REVIEW = "review", "Chờ cán bộ duyệt (tự động thực hiện)"
    ACCEPTED = "accepted", "Đã đồng ý, đã nộp"
    DECLINED = "declined", "Đã từ chối"
    COMPLETED = "completed", "Đã có kết quả"
    REMINDED = "reminded", "Đã nhắc"


class Offer(models.Model):
    """One offer to one citizen. ``prepared``: the combined form prefilled (levels 2–4);
    ``subject``: who the event is about (shown to the citizen); ``trail``: every step with its
    time (the audit log has each too)."""

    rule = models.ForeignKey(
        LifeEventRule, verbose_name="quy tắc", on_delete=models.PROTECT, related_name="offers"
    )
    citizen = models.ForeignKey(
        Citizen, verbose_name="công dân", on_delete=models.CASCADE, related_name="+"
    )
    source_dossier = models.ForeignKey(
        Dossier,
        verbose_name="hồ sơ phát sinh",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    event_key = models.CharField("khóa sự kiện", max_length=100)
    level = models.PositiveSmallIntegerField("mức độ", choices=Level.choices)
    status = models.CharField("trạng thái", max_length=20, choices=OfferStatus.choices)
    subject = models.JSONField("về người", default=dict, blank=True)
    procedures = models.JSONField("thủ tục đề nghị", default=list)
    prepared = models.JSONField("hồ sơ chuẩn bị sẵn", default=dict, blank=True)
    application = models.ForeignKey(
        GroupApplication,
        verbose_name="hồ sơ liên thông đã nộp",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_at = models.DateTimeField("đồng ý lúc", null=True, blank=True)
    decided_at = models.DateTimeField("quyết định lúc", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ duyệt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField("có kết quả lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc")
    trail = models.JSONField("các bước", default=list)

    class Meta:
        verbose_name = "lời mời dịch vụ công chủ động"
        verbose_name_plural = "lời mời dịch vụ công chủ động"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "citizen", "event_key"], name="lifeevents_offer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} → {self.citizen_id}"
