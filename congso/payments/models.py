"""Payment intents, the callbacks received, refunds, bank statements with their mismatches,
and e-receipts (docs/payments.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from congso.dossiers.models import Dossier
from congso.org.models import Agency


class IntentStatus(models.TextChoices):
    CREATED = "created", "Mới tạo"
    PENDING = "pending", "Đang chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    FAILED = "failed", "Không thành công"
    EXPIRED = "expired", "Hết hạn"
    CANCELLED = "cancelled", "Đã hủy"
    REFUND_REQUESTED = "refund_requested", "Đề nghị hoàn tiền"
    PARTIALLY_REFUNDED = "partially_refunded", "Đã hoàn một phần"
    REFUNDED = "refunded", "Đã hoàn tiền"


#: An intent in one of these holds its idempotency key: at most one per dossier and fee request.
LIVE = (
    IntentStatus.CREATED,
    IntentStatus.PENDING,
    IntentStatus.PAID,
    IntentStatus.REFUND_REQUESTED,
    IntentStatus.PARTIALLY_REFUNDED,
    IntentStatus.REFUNDED,
)
#: Money was received for an intent in one of these.
SETTLED = (
    IntentStatus.PAID,
    IntentStatus.REFUND_REQUESTED,
    IntentStatus.PARTIALLY_REFUNDED,
    IntentStatus.REFUNDED,
)


class PaymentIntent(models.Model):
    """One amount to collect for one fee request of one dossier, through one provider."""

    #: Sent to the gateway as its order reference (VNPay ``vnp_TxnRef``): unique per attempt.
    reference = models.CharField("mã giao dịch", max_length=40, unique=True)
    #: ``<dossier code>/<fee request>``: one live intent per key (constraint below).
    idempotency_key = models.CharField("khóa chống trùng", max_length=100)
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField("kênh thanh toán", max_length=30)
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)")
    currency = models.CharField("loại tiền", max_length=3, default="VND")
    #: The fee lines frozen when the payment was started: [{"name", "amount_vnd", "kind"}].
    lines = models.JSONField("các khoản thu", default=list)
    description = models.CharField("nội dung", max_length=255)
    payer_name = models.CharField("người nộp", max_length=255)
    status = models.CharField(
        "trạng thái", max_length=20, choices=IntentStatus.choices, default=IntentStatus.CREATED
    )
    #: Where the citizen's browser goes to pay (the signed gateway request; no secret in it).
    start_url = models.TextField("địa chỉ thanh toán", blank=True)
    provider_ref = models.CharField("mã giao dịch của kênh", max_length=64, blank=True)
    detail = models.CharField("thông tin từ kênh", max_length=255, blank=True)
    refunded_vnd = models.PositiveBigIntegerField("đã hoàn (đồng)", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc")
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    paid_at = models.DateTimeField("thanh toán lúc", null=True, blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "giao dịch thanh toán"
        verbose_name_plural = "giao dịch thanh toán"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(status__in=[s.value for s in LIVE]),
                name="payments_one_live_intent_per_request",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="payments_provider_ref_once",
            ),
            models.CheckConstraint(
                condition=Q(refunded_vnd__lte=models.F("amount_vnd")),
                name="payments_refund_not_above_amount",
            ),
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="payments_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="payments_intent_expiry")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.dossier_id}, {self.amount_vnd} VND)"


class Callback(models.Model):
    """Every return, notification or webhook received, verbatim, with what was done with it."""

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", "Thông báo từ máy chủ (IPN)"
        RETURN = "return", "Người nộp quay lại"
        WEBHOOK = "webhook", "Thông báo của ngân hàng"

    provider = models.CharField("kênh", max_length=30)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    intent = models.ForeignKey(
        PaymentIntent,
        verbose_name="giao dịch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
    )
    reference = models.CharField("mã giao dịch nhận được", max_length=64, blank=True)
    params = models.JSONField("tham số", default=dict)
    body = models.TextField("nội dung", blank=True)
    remote_addr = models.CharField("địa chỉ gửi", max_length=45, blank=True)
    received_at = models.DateTimeField("nhận lúc")
    #: ``applied`` (changed the intent), ``duplicate``, or the reason it was refused
    #: (``checksum``, ``replay``, ``not_found``, ``amount``, ``other``).
    verdict = models.CharField("kết quả", max_length=20)
    answer = models.CharField("trả lời", max_length=255, blank=True)

    class Meta:
        verbose_name = "thông báo thanh toán"
        verbose_name_plural = "thông báo thanh toán"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.reference} ({self.verdict})"


class Refund(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Đã đề nghị"
        DONE = "done", "Đã hoàn"

    intent = models.ForeignKey(
        PaymentIntent, verbose_name="giao dịch", on_delete=models.PROTECT, related_name="refunds"
    )
    amount_vnd = models.PositiveBigIntegerField("số tiền hoàn (đồng)")
    reason = models.TextField("lý do")
    status = models.CharField(
        "trạng thái", max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    provider_ref = models.CharField("chứng từ hoàn tiền", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đề nghị",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField("đề nghị lúc")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xác nhận",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField("hoàn lúc", null=True, blank=True)

    class Meta:
        verbose_name = "hoàn tiền"
        verbose_name_plural = "hoàn tiền"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="payments_refund_positive"),
            models.UniqueConstraint(
                fields=["intent"],
                condition=Q(status="requested"),
                name="payments_one_open_refund",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intent_id}: {self.amount_vnd} VND ({self.status})"


class Statement(models.Model):
    """One imported statement file of a provider or the collecting bank (đối soát)."""

    provider = models.CharField("kênh", max_length=30)
    day = models.DateField("ngày giao dịch")
    file_name = models.CharField("tệp", max_length=255)
    digest = models.CharField("SHA-256 của tệp", max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField("nhập lúc")

    class Meta:
        verbose_name = "bảng kê đối soát"
        verbose_name_plural = "bảng kê đối soát"
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "digest"], name="payments_statement_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.day:%d/%m/%Y} ({self.file_name})"


class StatementLine(models.Model):
    statement = models.ForeignKey(
        Statement, verbose_name="bảng kê", on_delete=models.CASCADE, related_name="lines"
    )
    line_no = models.PositiveIntegerField("dòng")
    provider_ref = models.CharField("mã giao dịch của kênh", max_length=64, blank=True)
    reference = models.CharField("mã giao dịch", max_length=64, blank=True)
    dossier_code = models.CharField("mã hồ sơ", max_length=60, blank=True)
    amount_vnd = models.BigIntegerField("số tiền (đồng)")
    booked_at = models.DateTimeField("thời điểm", null=True, blank=True)
    note = models.CharField("nội dung chuyển khoản", max_length=255, blank=True)
    intent = models.ForeignKey(
        PaymentIntent,
        verbose_name="giao dịch khớp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statement_lines",
    )

    class Meta:
        verbose_name = "dòng bảng kê"
        verbose_name_plural = "dòng bảng kê"
        ordering = ["statement_id", "line_no"]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.line_no} {self.amount_vnd} VND"


class Mismatch(models.Model):
    class Kind(models.TextChoices):
        NOT_RECORDED = "not_recorded", "Đã thu nhưng hệ thống chưa ghi nhận"
        NOT_PAID = "not_paid", "Hệ thống ghi đã thu nhưng không có trong bảng kê"
        AMOUNT_DIFFERS = "amount_differs", "Số tiền không khớp"

    statement = models.ForeignKey(
        Statement, verbose_name="bảng kê", on_delete=models.CASCADE, related_name="mismatches"
    )
    kind = models.CharField("loại chênh lệch", max_length=20, choices=Kind.choices)
    intent = models.ForeignKey(
        PaymentIntent, verbose_name="giao dịch", null=True, blank=True, on_delete=models.SET_NULL
    )
    line = models.ForeignKey(
        StatementLine, verbose_name="dòng", null=True, blank=True, on_delete=models.SET_NULL
    )
    dossier_code = models.CharField("mã hồ sơ", max_length=60, blank=True)
    recorded_vnd = models.BigIntegerField("số tiền hệ thống (đồng)", null=True, blank=True)
    statement_vnd = models.BigIntegerField("số tiền bảng kê (đồng)", null=True, blank=True)
    resolved_at = models.DateTimeField("xử lý lúc", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xử lý",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField("cách xử lý", blank=True)

    class Meta:
        verbose_name = "chênh lệch đối soát"
        verbose_name_plural = "chênh lệch đối soát"
        ordering = ["statement_id", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier_code}"


class ReceiptSeries(models.Model):
    """A receipt template and series of one collecting agency in one year, with its counter."""

    agency = models.ForeignKey(Agency, verbose_name="đơn vị thu", on_delete=models.PROTECT)
    template = models.CharField("mẫu số", max_length=20)
    series = models.CharField("ký hiệu", max_length=20)
    year = models.PositiveSmallIntegerField("năm")
    last = models.PositiveIntegerField("số đã cấp", default=0)

    class Meta:
        verbose_name = "ký hiệu biên lai"
        verbose_name_plural = "ký hiệu biên lai"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "template", "series", "year"], name="payments_series_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.series} {self.year}"


class Receipt(models.Model):
    """An e-receipt (biên lai điện tử) for one paid intent. A cancelled one keeps its number."""

    series = models.ForeignKey(
        ReceiptSeries, verbose_name="ký hiệu", on_delete=models.PROTECT, related_name="receipts"
    )
    number = models.PositiveIntegerField("số")
    intent = models.OneToOneField(
        PaymentIntent, verbose_name="giao dịch", on_delete=models.PROTECT, related_name="receipt"
    )
    dossier_code = models.CharField("mã hồ sơ", max_length=60)
    agency_name = models.CharField("đơn vị thu", max_length=255)
    payer_name = models.CharField("người nộp", max_length=255)
    payer_id = models.CharField("số định danh người nộp", max_length=14, blank=True)
    payer_address = models.CharField("địa chỉ người nộp", max_length=255, blank=True)
    lines = models.JSONField("các khoản thu", default=list)
    amount_vnd = models.PositiveBigIntegerField("tổng số tiền (đồng)")
    amount_words = models.CharField("số tiền bằng chữ", max_length=255)
    method = models.CharField("hình thức thanh toán", max_length=100)
    lookup_code = models.CharField("mã tra cứu", max_length=20, unique=True)
    issued_at = models.DateTimeField("lập lúc")
    cancelled_at = models.DateTimeField("hủy lúc", null=True, blank=True)
    cancel_reason = models.TextField("lý do hủy", blank=True)

    class Meta:
        verbose_name = "biên lai điện tử"
        verbose_name_plural = "biên lai điện tử"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="payments_receipt_number")
        ]

    def __str__(self) -> str:
        return f"{self.series.series} {self.number_text}"

    @property
    def number_text(self) -> str:
        return f"{self.number:07d}"


# --- Fee engine (congso/payments/fees.py; docs/payments.md "Fee engine") ---------------------


class DueStage(models.TextChoices):
    SUBMISSION = "submission", "Khi nộp hồ sơ (trước khi tiếp nhận)"
    RECEPTION = "reception", "Khi tiếp nhận hồ sơ"
    RESULT = "result", "Trước khi nhận kết quả (khi cán bộ yêu cầu)"


class FeeKind(models.TextChoices):
    FEE = "phi", "Phí"
    CHARGE = "le_phi", "Lệ phí"


class FeeSchedule(models.Model):
    """How and when the fees of one procedure version are collected. Its ``lines`` replace the
    catalogue's fee lines when given (with their kind and case)."""

    procedure_version = models.OneToOneField(
        "catalog.ProcedureVersion",
        verbose_name="thủ tục (phiên bản)",
        on_delete=models.CASCADE,
        related_name="fee_schedule",
    )
    due = models.CharField(
        "thời điểm nộp", max_length=12, choices=DueStage.choices, default=DueStage.RESULT
    )
    case_field = models.CharField(
        "trường chọn trường hợp",
        max_length=100,
        blank=True,
        help_text="Tên trường của tờ khai mà giá trị là trường hợp (mức thu theo trường hợp).",
    )
    pay_within_days = models.PositiveSmallIntegerField(
        "hạn nộp (ngày)", null=True, blank=True, help_text="Trống: không có hạn riêng."
    )
    lines = models.JSONField(
        "các khoản thu",
        default=list,
        blank=True,
        help_text='[{"kind": "phi"|"le_phi", "name", "amount_vnd", "case", "legal_basis"}]; '
        "trống: theo các khoản phí, lệ phí của thủ tục.",
    )

    class Meta:
        verbose_name = "biểu phí của thủ tục"
        verbose_name_plural = "biểu phí của thủ tục"

    def __str__(self) -> str:
        return f"{self.procedure_version} ({self.get_due_display()})"


class FeeRule(models.Model):
    """An exemption or reduction (miễn, giảm) with its legal basis and effective dates."""

    class Effect(models.TextChoices):
        EXEMPT = "exempt", "Miễn"
        PERCENT = "percent", "Giảm theo tỷ lệ (%)"
        AMOUNT = "amount", "Giảm một số tiền (đồng)"

    name = models.CharField("tên", max_length=255)
    procedure_code = models.CharField(
        "mã thủ tục", max_length=40, blank=True, help_text="Trống: mọi thủ tục."
    )
    kind = models.CharField(
        "loại khoản thu",
        max_length=10,
        choices=FeeKind.choices,
        blank=True,
        help_text="Trống: cả hai.",
    )
    channel = models.CharField(
        "hình thức nộp", max_length=10, blank=True, help_text="Ví dụ: online. Trống: mọi hình thức."
    )
    case = models.CharField("trường hợp", max_length=255, blank=True)
    effect = models.CharField("cách tính", max_length=10, choices=Effect.choices)
    value = models.PositiveIntegerField("mức giảm", default=0)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500)
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)

    class Meta:
        verbose_name = "miễn, giảm phí, lệ phí"
        verbose_name_plural = "miễn, giảm phí, lệ phí"
        ordering = ["-effective_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(effect="percent") | Q(value__lte=100), name="payments_rule_percent"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="payments_rule_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FeeAssessment(models.Model):
    """What the dossier owes at one stage, computed once and frozen with its lines. Paid when a
    settled intent carries its ``key``; nothing to pay when its total is 0 (exempt)."""

    key = models.CharField("khóa chống trùng", max_length=100, unique=True)
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="fee_assessments"
    )
    stage = models.CharField("thời điểm nộp", max_length=12, choices=DueStage.choices)
    reason = models.CharField("nội dung", max_length=255)
    case = models.CharField("trường hợp", max_length=255, blank=True)
    lines = models.JSONField("các khoản thu", default=list)
    total_vnd = models.PositiveBigIntegerField("số tiền phải nộp (đồng)")
    computed_at = models.DateTimeField("tính lúc")
    due_by = models.DateTimeField("hạn nộp", null=True, blank=True)
    paid_at = models.DateTimeField("đã nộp lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khoản phải nộp của hồ sơ"
        verbose_name_plural = "khoản phải nộp của hồ sơ"
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.key} ({self.total_vnd} VND)"

    @property
    def open(self) -> bool:
        return self.paid_at is None and self.total_vnd > 0
