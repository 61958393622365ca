"""Notification templates (versioned), citizens' preferences, messages and delivery reports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

#: Channel ids are plugin ids (``congso.notify.channels``): an open set, no choices in the
#: database; labels come from the registry.
CHANNEL_MAX_LENGTH = 30


def channel_label(channel: str) -> str:
    from congso.notify.channels import channels

    return channels.label(channel)


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "Đã nhận hồ sơ nộp trực tuyến"
    RECEIVED = "received", "Đã tiếp nhận hồ sơ"
    PROCESSING = "processing", "Bắt đầu xử lý"
    SUPPLEMENT = "supplement", "Yêu cầu bổ sung hồ sơ"
    RESULT_READY = "result_ready", "Đã có kết quả"
    RETURNED = "returned", "Đã trả kết quả"
    APOLOGY = "apology", "Xin lỗi, hẹn lại ngày trả"
    REFUSED = "refused", "Từ chối / dừng xử lý"
    WITHDRAWN = "withdrawn", "Xác nhận rút hồ sơ"
    PASSWORD_RESET = "password_reset", "Đặt lại mật khẩu"
    FEEDBACK = "feedback", "Phản ánh, kiến nghị"
    EOFFICE_REMINDER = "eoffice_reminder", "Nhắc việc văn bản"


class Template(models.Model):
    """One version of the text for an event on a channel. Never edited in place: a change
    writes the next version (``services.template_publish``); the newest version is used."""

    event = models.CharField("sự kiện", max_length=30, choices=EventKind.choices)
    channel = models.CharField("kênh", max_length=CHANNEL_MAX_LENGTH)
    version = models.PositiveIntegerField("phiên bản")
    subject = models.CharField("tiêu đề thư", max_length=255, blank=True)
    body = models.TextField(
        "nội dung",
        help_text="Cú pháp mẫu Django, ví dụ {{ code }}, {{ appointment }}, {{ reason }}.",
    )
    body_html = models.TextField("nội dung HTML (thư điện tử)", blank=True)
    external_id = models.CharField(
        "mã mẫu ở nhà cung cấp",
        max_length=64,
        blank=True,
        help_text="Kênh dùng mẫu đã được nhà cung cấp duyệt (Zalo ZNS): mã mẫu (template_id).",
    )
    params = models.JSONField(
        "tham số của mẫu",
        default=dict,
        blank=True,
        help_text="Tên tham số của mẫu đã duyệt → giá trị (cú pháp mẫu Django), ví dụ "
        '{"ma_ho_so": "{{ code }}", "ngay_hen": "{{ appointment }}"}.',
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "mẫu thông báo"
        verbose_name_plural = "mẫu thông báo"
        ordering = ["event", "channel", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "version"], name="notify_template_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} – {channel_label(self.channel)} v{self.version}"


class Preference(models.Model):
    """A citizen's choice of channels. No row, or no choice saved for a channel: the channel's
    default (``Channel.wanted_by_default``: SMS and e-mail on), nothing muted."""

    citizen = models.OneToOneField(
        "org.Citizen",
        verbose_name="công dân",
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    channels = models.JSONField(
        "kênh nhận thông báo",
        default=dict,
        blank=True,
        help_text='Mã kênh → có nhận hay không, ví dụ {"sms": true, "email": false, "zalo": true}.',
    )
    unsubscribed = models.BooleanField(
        "từ chối thông báo không bắt buộc",
        default=False,
        help_text="Vẫn nhận các thông báo bắt buộc (tiếp nhận, bổ sung, kết quả, từ chối…).",
    )
    unsubscribe_token = models.UUIDField("mã hủy đăng ký", default=uuid.uuid4, unique=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "lựa chọn nhận thông báo"
        verbose_name_plural = "lựa chọn nhận thông báo"

    def __str__(self) -> str:
        return str(self.citizen)

    def choice(self, channel: str) -> bool | None:
        """The citizen's saved choice for ``channel``; None when they never chose."""
        value = (self.channels or {}).get(channel)
        return value if isinstance(value, bool) else None


class Message(models.Model):
    """One notice to one recipient on one channel; ``key`` is its idempotency key (sent to
    Kannel in the DLR URL, used as the e-mail's Message-ID)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        SENT = "sent", "Đã gửi"
        DELIVERED = "delivered", "Đã nhận"
        FAILED = "failed", "Gửi thất bại"
        DEAD = "dead", "Ngừng gửi (hết số lần thử)"
        NO_REPORT = "no_report", "Đã gửi, không có báo cáo phát"
        SKIPPED = "skipped", "Không gửi"

    key = models.UUIDField("mã gửi (idempotency)", default=uuid.uuid4, unique=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent",
        verbose_name="sự kiện",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField("loại thông báo", max_length=30, choices=EventKind.choices)
    channel = models.CharField("kênh", max_length=CHANNEL_MAX_LENGTH)
    template = models.ForeignKey(
        Template, verbose_name="mẫu", on_delete=models.PROTECT, null=True, blank=True
    )
    fallback_for = models.ForeignKey(
        "self",
        verbose_name="thay cho tin",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fallbacks",
        help_text="Tin của kênh khác không gửi được, mà tin này thay thế (Zalo → SMS).",
    )
    recipient = models.CharField("người nhận (số / địa chỉ)", max_length=254)
    subject = models.CharField("tiêu đề", max_length=255, blank=True)
    body = models.TextField("nội dung")
    body_html = models.TextField("nội dung HTML", blank=True)
    payload = models.JSONField(
        "dữ liệu gửi theo kênh",
        default=dict,
        blank=True,
        help_text="Ngoài nội dung: mã mẫu và tham số (Zalo ZNS).",
    )
    segments = models.PositiveSmallIntegerField("số tin SMS", default=0)
    mandatory = models.BooleanField("bắt buộc", default=True)
    urgent = models.BooleanField("khẩn (gửi cả giờ nghỉ)", default=False)
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    attempt_limit = models.PositiveSmallIntegerField("giới hạn số lần gửi", default=6)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    operator_answer = models.CharField("phản hồi nhà mạng", max_length=255, blank=True)
    duplicates = models.PositiveSmallIntegerField("số bản trùng (theo báo cáo phát)", default=0)
    created_at = models.DateTimeField("tạo lúc")
    not_before = models.DateTimeField("gửi từ", null=True, blank=True)
    sending_at = models.DateTimeField("bắt đầu gửi lúc", null=True, blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    delivered_at = models.DateTimeField("nhận lúc", null=True, blank=True)
    failed_at = models.DateTimeField("thất bại lúc", null=True, blank=True)

    class Meta:
        verbose_name = "tin thông báo"
        verbose_name_plural = "tin thông báo"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"], name="notify_message_event_channel_unique"
            )
        ]
        indexes = [
            models.Index(fields=["status", "sending_at"], name="notify_msg_status"),
            models.Index(fields=["recipient", "sent_at"], name="notify_msg_recipient"),
            models.Index(fields=["created_at", "channel"], name="notify_msg_day"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_label} {self.recipient} – {self.get_kind_display()}"

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)


class DeliveryReport(models.Model):
    """One delivery report (DLR) from the gateway, as received."""

    message = models.ForeignKey(
        Message, verbose_name="tin", on_delete=models.CASCADE, related_name="reports"
    )
    attempt = models.PositiveSmallIntegerField("lần gửi")
    dlr_type = models.PositiveSmallIntegerField("loại báo cáo (Kannel)")
    answer = models.CharField("phản hồi nhà mạng", max_length=255, blank=True)
    received_at = models.DateTimeField("nhận lúc")

    class Meta:
        verbose_name = "báo cáo phát tin"
        verbose_name_plural = "báo cáo phát tin"
        ordering = ["message_id", "received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.attempt}: {self.dlr_type}"


class RateWindow(models.Model):
    """SMS sent to one number in one clock hour: the per-number limit is claimed here with one
    conditional ``UPDATE … SET sent = sent + 1 WHERE … AND sent < limit``, so two workers
    sending to the same number at once cannot both pass a check and exceed it."""

    recipient = models.CharField("số điện thoại", max_length=20)
    hour = models.DateTimeField("giờ (đầu giờ)")
    sent = models.PositiveIntegerField("số tin đã gửi", default=0)

    class Meta:
        verbose_name = "hạn mức SMS theo số"
        verbose_name_plural = "hạn mức SMS theo số"
        constraints = [
            models.UniqueConstraint(fields=["recipient", "hour"], name="notify_rate_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.hour:%Y-%m-%d %H}h: {self.sent}"


#: The counters of :class:`NotifyDailyFigure`: one per message status.
FIGURE_COUNTERS = (
    "queued",
    "sending",
    "sent",
    "delivered",
    "failed",
    "dead",
    "no_report",
    "skipped",
)


class NotifyDailyFigure(models.Model):
    """Messages per local day of creation, channel and competent agency of the dossier, by
    their **current** status: each status change moves one message from one counter to
    another (``figures.record_status``, in the transaction of the change). ``agency_id`` 0:
    a message without a dossier. Rebuilt from the messages by ``manage.py
    rebuild_notify_figures``."""

    day = models.DateField("ngày (tạo tin)")
    channel = models.CharField("kênh", max_length=CHANNEL_MAX_LENGTH)
    agency_id = models.BigIntegerField("cơ quan (0: không có hồ sơ)", default=0)
    queued = models.IntegerField("chờ gửi", default=0)
    sending = models.IntegerField("đang gửi", default=0)
    sent = models.IntegerField("đã gửi", default=0)
    delivered = models.IntegerField("đã nhận", default=0)
    failed = models.IntegerField("gửi thất bại", default=0)
    dead = models.IntegerField("ngừng gửi", default=0)
    no_report = models.IntegerField("không có báo cáo phát", default=0)
    skipped = models.IntegerField("không gửi", default=0)

    class Meta:
        verbose_name = "số liệu thông báo theo ngày"
        verbose_name_plural = "số liệu thông báo theo ngày"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "agency_id"], name="notify_daily_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.agency_id}"
