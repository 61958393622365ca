"""Integration: the LGSP request log, the national status mapping, the portal sync outbox and
its reconciliation, webhook subscriptions and deliveries (docs/integration.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LgspCall(models.Model):
    """One call through the provincial integration platform (the X-Road security server's
    message log): a unique message id per call, the service, the outcome, the time it took."""

    class Outcome(models.TextChoices):
        OK = "ok", "Thành công"
        REFUSED = "refused", "Bị từ chối (mã lỗi của dịch vụ)"
        UNAVAILABLE = "unavailable", "Không phản hồi / lỗi máy chủ"
        TIMEOUT = "timeout", "Quá thời gian chờ"
        CIRCUIT_OPEN = "circuit_open", "Ngắt mạch (không gọi)"

    message_id = models.UUIDField("mã thông điệp", unique=True)
    province = models.CharField("tỉnh", max_length=10, blank=True)
    service = models.CharField("dịch vụ", max_length=60)
    subject = models.CharField("đối tượng (mã hồ sơ)", max_length=60, blank=True, db_index=True)
    request_sha256 = models.CharField("SHA-256 nội dung gửi", max_length=64)
    outcome = models.CharField("kết quả", max_length=15, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField("mã HTTP", null=True, blank=True)
    error_code = models.CharField("mã lỗi của dịch vụ", max_length=30, blank=True)
    detail = models.CharField("chi tiết", max_length=500, blank=True)
    started_at = models.DateTimeField("gọi lúc", db_index=True)
    duration_ms = models.PositiveIntegerField("thời gian (ms)", default=0)

    class Meta:
        verbose_name = "nhật ký gọi LGSP"
        verbose_name_plural = "nhật ký gọi LGSP"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service} {self.message_id} {self.outcome}"


class StatusMapping(models.Model):
    """Local dossier state → national status code (1–10), versioned by effective date: the
    row in force for a change is the one with the latest ``effective_from`` not after it."""

    local_status = models.CharField("trạng thái trong congso", max_length=25)
    national_code = models.PositiveSmallIntegerField("mã trạng thái quốc gia (1–10)")
    effective_from = models.DateField("áp dụng từ ngày")
    legal_basis = models.CharField("căn cứ", max_length=200, blank=True)

    class Meta:
        verbose_name = "ánh xạ trạng thái quốc gia"
        verbose_name_plural = "ánh xạ trạng thái quốc gia"
        ordering = ["local_status", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_status", "effective_from"], name="integration_mapping_once"
            ),
            models.CheckConstraint(
                condition=models.Q(national_code__gte=1, national_code__lte=10),
                name="integration_mapping_code_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_status} → {self.national_code} (từ {self.effective_from:%d/%m/%Y})"


class SyncItem(models.Model):
    """The sync outbox: one row per dossier change, written in the change's transaction with
    the payloads as they were then; sent in ``seq`` order per dossier by the worker."""

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã đồng bộ"
        SKIPPED = "skipped", "Không cần gửi (không đổi / cổng đã có)"
        DEAD = "dead", "Gửi lỗi nhiều lần (cần đồng bộ lại)"
        REFUSED = "refused", "Không đồng bộ được (thiếu mã quốc gia…)"

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.CASCADE,
        related_name="sync_items",
    )
    dossier_code = models.CharField("mã hồ sơ", max_length=60, db_index=True)
    seq = models.PositiveIntegerField("thứ tự trong hồ sơ")
    action = models.CharField("thao tác", max_length=30)
    province = models.CharField("tỉnh", max_length=10, blank=True)
    dossier_payload = models.JSONField("dữ liệu hồ sơ (DongBoHoSoMC)")
    progress_payload = models.JSONField("tiến độ (CapNhatTienDoHoSoMC)")
    payload_sha256 = models.CharField("SHA-256 dữ liệu hồ sơ", max_length=64)
    state = models.CharField(
        "trạng thái", max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lần tới lúc")
    uncertain = models.BooleanField(
        "lần gửi trước không rõ kết quả",
        default=False,
        help_text="Quá thời gian chờ hoặc câu trả lời không khớp: tra cứu cổng trước khi gửi lại.",
    )
    last_error = models.TextField("lỗi gần nhất", blank=True)
    last_message_id = models.UUIDField("mã thông điệp gần nhất", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", db_index=True)
    sent_at = models.DateTimeField("đồng bộ lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mục đồng bộ cổng quốc gia"
        verbose_name_plural = "mục đồng bộ cổng quốc gia"
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="integration_sync_seq_once")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="integration_sync_due")]

    def __str__(self) -> str:
        return f"{self.dossier_code} #{self.seq} {self.action} ({self.state})"


class PortalRecord(models.Model):
    """What congso knows the portal holds for a dossier (after its last confirmed send)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.CASCADE,
        related_name="portal_record",
    )
    created_on_portal = models.BooleanField("đã có trên cổng", default=False)
    last_sha256 = models.CharField("SHA-256 dữ liệu hồ sơ đã gửi", max_length=64, blank=True)
    progress_count = models.PositiveIntegerField("số dòng tiến độ đã gửi", default=0)
    updated_at = models.DateTimeField("cập nhật lúc")

    class Meta:
        verbose_name = "hồ sơ trên cổng quốc gia"
        verbose_name_plural = "hồ sơ trên cổng quốc gia"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.progress_count} dòng tiến độ"


class ReconciliationRun(models.Model):
    """The nightly comparison of one day's dossiers with what the portal holds."""

    day = models.DateField("ngày đối soát")
    started_at = models.DateTimeField("bắt đầu lúc")
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    dossiers = models.PositiveIntegerField("số hồ sơ", default=0)
    differences = models.PositiveIntegerField("số hồ sơ lệch", default=0)
    changes = models.PositiveIntegerField("số thay đổi trong ngày", default=0)
    synced_within_5_min = models.PositiveIntegerField("đồng bộ trong 5 phút", default=0)
    error = models.TextField("lỗi", blank=True)

    class Meta:
        verbose_name = "đợt đối soát cổng quốc gia"
        verbose_name_plural = "đợt đối soát cổng quốc gia"
        ordering = ["-day", "-pk"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.differences}/{self.dossiers} lệch"

    @property
    def percent_within_5_min(self) -> float | None:
        if not self.changes:
            return None
        return round(100 * self.synced_within_5_min / self.changes, 1)


class ReconciliationDifference(models.Model):
    run = models.ForeignKey(
        ReconciliationRun,
        verbose_name="đợt đối soát",
        on_delete=models.CASCADE,
        related_name="rows",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="+"
    )
    dossier_code = models.CharField("mã hồ sơ", max_length=60)
    field = models.CharField("trường", max_length=60)
    local_value = models.TextField("giá trị trong congso", blank=True)
    portal_value = models.TextField("giá trị trên cổng", blank=True)

    class Meta:
        verbose_name = "sai lệch đối soát"
        verbose_name_plural = "sai lệch đối soát"
        ordering = ["run_id", "dossier_code", "field"]

    def __str__(self) -> str:
        return f"{self.dossier_code}.{self.field}"


# --- Webhooks ------------------------------------------------------------------------------------


class Subscription(models.Model):
    """A webhook: events of the chosen types (filtered by agency and procedure) are posted, as
    signed CloudEvents, to ``callback_url``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đăng ký",
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    name = models.CharField("tên", max_length=100)
    callback_url = models.URLField("địa chỉ nhận (callback URL)", max_length=500)
    secret = models.CharField("khóa bí mật (HMAC)", max_length=100)
    event_types = models.JSONField(
        "loại sự kiện",
        default=list,
        help_text="Rỗng: mọi sự kiện; «vn.congso.dossier.*»: một kênh.",
    )
    agency_code = models.CharField("lọc theo cơ quan (mã định danh)", max_length=13, blank=True)
    procedure_code = models.CharField("lọc theo thủ tục (mã)", max_length=30, blank=True)
    active = models.BooleanField("đang hoạt động", default=True)
    suspended_at = models.DateTimeField("tạm dừng lúc", null=True, blank=True)
    suspended_reason = models.TextField("lý do tạm dừng", blank=True)
    dead_in_a_row = models.PositiveSmallIntegerField("số lần gửi hỏng liên tiếp", default=0)
    created_at = models.DateTimeField("tạo lúc")

    class Meta:
        verbose_name = "đăng ký webhook"
        verbose_name_plural = "đăng ký webhook"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} → {self.callback_url}"


class Delivery(models.Model):
    """One event for one subscription: the delivery log (attempts, last answer)."""

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        DELIVERED = "delivered", "Đã gửi"
        DEAD = "dead", "Gửi không được"

    subscription = models.ForeignKey(
        Subscription,
        verbose_name="đăng ký",
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.CharField("mã sự kiện (CloudEvents id)", max_length=80)
    event_type = models.CharField("loại sự kiện", max_length=80)
    subject = models.CharField("đối tượng", max_length=80, blank=True)
    message = models.JSONField("thông điệp (CloudEvents)")
    state = models.CharField(
        "trạng thái", max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lần tới lúc")
    last_status = models.PositiveSmallIntegerField("mã HTTP gần nhất", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc")
    delivered_at = models.DateTimeField("gửi được lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lần gửi webhook"
        verbose_name_plural = "nhật ký gửi webhook"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="integration_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="integration_delivery_due")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.subscription_id} ({self.state})"


class ProcedureMapping(models.Model):
    """A local procedure (provisional code ``DP.…``) mapped to a national one for the portal
    sync: suggested by name, confirmed by an officer; only a confirmed mapping is used."""

    procedure = models.OneToOneField(
        "catalog.Procedure",
        verbose_name="thủ tục địa phương",
        on_delete=models.CASCADE,
        related_name="national_mapping",
    )
    national_code = models.CharField("mã thủ tục quốc gia", max_length=30)
    national_name = models.CharField("tên thủ tục quốc gia", max_length=1000, blank=True)
    similarity = models.FloatField("độ giống tên (0–1)", default=0)
    suggested_at = models.DateTimeField("gợi ý lúc", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ xác nhận",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)

    class Meta:
        verbose_name = "ánh xạ thủ tục sang mã quốc gia"
        verbose_name_plural = "ánh xạ thủ tục sang mã quốc gia"
        ordering = ["procedure_id"]

    def __str__(self) -> str:
        return f"{self.procedure_id} → {self.national_code}"


# --- Liên thông between systems (congso/integration/transfers.py) --------------------------------


def transfer_result_path(instance: Transfer, filename: str) -> str:
    return f"transfers/{instance.transfer_id}/{filename}"


class Transfer(models.Model):
    """One dossier sent to another system (``out``: this instance sent it, ``dossier`` is the
    origin's) or received from one (``in``: ``dossier`` is the local copy, none when it could
    not be taken and was sent back)."""

    class Direction(models.TextChoices):
        OUT = "out", "Chuyển đi"
        IN = "in", "Nhận về"

    class State(models.TextChoices):
        SENT = "sent", "Đã gửi, chờ nơi nhận tiếp nhận"
        RECEIVED = "received", "Nơi nhận đã tiếp nhận"
        PROCESSING = "processing", "Nơi nhận đang xử lý"
        DONE = "done", "Đã có kết quả"
        RETURNED = "returned", "Nơi nhận trả lại hồ sơ"

    transfer_id = models.UUIDField("mã liên thông", unique=True)
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ tại hệ thống này",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    partner_unit = models.CharField("mã hệ thống đối tác (trên LGSP)", max_length=30)
    partner_name = models.CharField("hệ thống đối tác", max_length=255)
    agency_code = models.CharField("cơ quan giải quyết (mã)", max_length=13)
    agency_name = models.CharField("cơ quan giải quyết", max_length=255)
    origin_code = models.CharField("mã hồ sơ tại nơi tiếp nhận", max_length=60, db_index=True)
    origin_agency = models.CharField("nơi tiếp nhận", max_length=255, blank=True)
    origin_appointment_at = models.DateTimeField(
        "ngày hẹn trả của nơi tiếp nhận", null=True, blank=True
    )
    remote_code = models.CharField("mã hồ sơ tại nơi nhận", max_length=60, blank=True)
    remote_due_at = models.DateTimeField("hạn giải quyết tại nơi nhận", null=True, blank=True)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.SENT)
    reason = models.TextField("lý do chuyển / trả lại", blank=True)
    result_summary = models.TextField("kết quả giải quyết", blank=True)
    result_file = models.FileField(
        "tệp kết quả điện tử", upload_to=transfer_result_path, max_length=300, blank=True
    )
    result_name = models.CharField("tên tệp kết quả", max_length=255, blank=True)
    result_sha256 = models.CharField("SHA-256 tệp kết quả", max_length=64, blank=True)
    created_at = models.DateTimeField("tạo lúc")
    updated_at = models.DateTimeField("cập nhật lúc")

    class Meta:
        verbose_name = "hồ sơ liên thông giữa hệ thống"
        verbose_name_plural = "hồ sơ liên thông giữa hệ thống"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.origin_code} → {self.partner_name} ({self.state})"


class TransferMessage(models.Model):
    """The transfers' outbox: one signed message to the partner, sent by the worker through the
    LGSP with retries (like the portal sync); at most one of each kind per transfer."""

    class Kind(models.TextChoices):
        PACKAGE = "package", "Hồ sơ liên thông (gói hồ sơ)"
        RECEIVED = "received", "Đã tiếp nhận"
        PROCESSING = "processing", "Đang xử lý"
        RESULT = "result", "Kết quả"
        RETURNED = "returned", "Trả lại hồ sơ"

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        DEAD = "dead", "Gửi lỗi nhiều lần"

    transfer = models.ForeignKey(
        Transfer, verbose_name="liên thông", on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    message = models.JSONField("thông điệp đã ký")
    state = models.CharField(
        "trạng thái", max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lần tới lúc")
    last_error = models.TextField("lỗi gần nhất", blank=True)
    created_at = models.DateTimeField("tạo lúc")
    sent_at = models.DateTimeField("gửi được lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông điệp liên thông gửi đi"
        verbose_name_plural = "thông điệp liên thông gửi đi"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "kind"], name="integration_transfer_message_once"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="integration_transfer_due")
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.kind} ({self.state})"


class InboundMessage(models.Model):
    """Every message the platform delivered to this instance, kept: applied once per
    (transfer id, kind); a copy is recorded as a duplicate; one whose signature does not
    verify is refused and kept for inspection."""

    class State(models.TextChoices):
        APPLIED = "applied", "Đã xử lý"
        DUPLICATE = "duplicate", "Trùng (đã xử lý trước đó)"
        REFUSED = "refused", "Bị từ chối"

    platform_id = models.CharField("mã thông điệp trên LGSP", max_length=60, db_index=True)
    transfer_id = models.CharField("mã liên thông", max_length=60, db_index=True)
    kind = models.CharField("loại", max_length=20)
    sender = models.CharField("nơi gửi (trên LGSP)", max_length=30)
    message = models.JSONField("thông điệp")
    state = models.CharField("trạng thái", max_length=10, choices=State.choices)
    error_code = models.CharField("mã lỗi", max_length=40, blank=True)
    error = models.TextField("lý do", blank=True)
    received_at = models.DateTimeField("nhận lúc")

    class Meta:
        verbose_name = "thông điệp liên thông nhận được"
        verbose_name_plural = "thông điệp liên thông nhận được"
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer_id", "kind"],
                condition=models.Q(state="applied"),
                name="integration_inbound_applied_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.kind} ({self.state})"
