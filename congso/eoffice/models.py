"""Official documents (ND 30/2020/NĐ-CP), their registers, circuits, assignments and the edXML
packages exchanged for them (QCVN 102:2016). Written only by :mod:`congso.eoffice.services` and
:mod:`congso.eoffice.exchange`; read through :mod:`congso.eoffice.selectors`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from congso.org.permissions import (
    PROVINCE_WIDE,
    VIEW,
    RestrictedQuerySet,
    role_agencies,
    role_provinces,
)


class DocumentType(models.Model):
    """A type of administrative document (ND 30/2020, Annex III) and its abbreviation, as data
    with an effective date. ``abbreviation`` is empty for the công văn (no type in its
    notation)."""

    code = models.CharField("mã", max_length=10)
    name = models.CharField("tên loại", max_length=100)
    abbreviation = models.CharField("chữ viết tắt", max_length=10, blank=True)
    effective_from = models.DateField("hiệu lực từ")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="eoffice_doctype_code_from"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    OUTGOING = "out", "Văn bản đi"
    INCOMING = "in", "Văn bản đến"


class RegisterCounter(models.Model):
    """The last number given in one register: (agency, direction, year, confidential series).
    Incremented with one upsert in the transaction that numbers the document
    (:mod:`congso.eoffice.registers`)."""

    agency_code = models.CharField("mã định danh cơ quan", max_length=13)
    direction = models.CharField("sổ", max_length=3, choices=Direction.choices)
    year = models.PositiveSmallIntegerField("năm")
    confidential = models.BooleanField("sổ văn bản mật", default=False)
    last = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "sổ văn bản"
        verbose_name_plural = "sổ văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["agency_code", "direction", "year", "confidential"],
                name="eoffice_register_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.direction} {self.year}: {self.last}"


class Urgency(models.IntegerChoices):
    """Độ khẩn (ND 30/2020 art. 15; QCVN 102 ``OtherInfo/Priority``)."""

    NORMAL = 0, "Thường"
    URGENT = 1, "Khẩn"
    VERY_URGENT = 2, "Thượng khẩn"
    FLASH = 3, "Hỏa tốc"


class Confidentiality(models.IntegerChoices):
    """Độ mật (Luật Bảo vệ bí mật nhà nước 2018)."""

    NORMAL = 0, "Thường"
    CONFIDENTIAL = 1, "Mật"
    SECRET = 2, "Tối mật"
    TOP_SECRET = 3, "Tuyệt mật"


class Competence(models.TextChoices):
    """The signer's authority prefix (ND 30/2020 art. 13)."""

    NONE = "", "Ký trực tiếp"
    TM = "TM.", "TM. (thay mặt tập thể)"
    KT = "KT.", "KT. (ký thay)"
    Q = "Q.", "Q. (quyền)"
    TL = "TL.", "TL. (thừa lệnh)"
    TUQ = "TUQ.", "TUQ. (thừa ủy quyền)"


class State(models.TextChoices):
    # Outgoing
    DRAFT = "draft", "Dự thảo"
    IN_REVIEW = "in_review", "Đang trình duyệt"
    APPROVED = "approved", "Đã duyệt, chờ ký"
    SIGNED = "signed", "Đã ký, chờ cấp số"
    ISSUED = "issued", "Đã ban hành"
    RECALLED = "recalled", "Đã thu hồi"
    # Incoming
    ARRIVED = "arrived", "Đã đến, chờ vào sổ"
    RETURNED = "returned", "Đã trả lại"
    REGISTERED = "registered", "Đã vào sổ, chờ phân công"
    ASSIGNED = "assigned", "Đã phân công"
    PROCESSING = "processing", "Đang xử lý"
    DONE = "done", "Hoàn thành"
    WITHDRAWN = "withdrawn", "Nơi gửi đã lấy lại"


class DocumentQuerySet(RestrictedQuerySet["Document"]):
    """An officer sees the documents of the agencies where they hold a role (province
    administrators and monitors: the province); confidential ones only their agency's clerks
    and leaders, the people on their circuit and those assigned to them."""

    def scope_filter(self, user: Any, action: str) -> Q:
        agencies = Q(agency_id__in=role_agencies(user))
        if action == VIEW:
            agencies |= Q(agency__province_id__in=role_provinces(user, PROVINCE_WIDE))
        open_ = agencies & Q(confidentiality=Confidentiality.NORMAL)
        keepers = Q(agency_id__in=role_agencies(user, ("clerk", "leader")))
        involved = Q(approvals__reviewer=user) | Q(assignments__user=user) | Q(created_by=user)
        return Q(pk__in=Document.objects.filter(open_ | keepers | involved).values("pk"))


class Document(models.Model):
    """One official document in one agency's hands: an outgoing one it drafts and issues, or an
    incoming one it received. The fields are ND 30's metadata (Annex VI) and QCVN 102's
    ``MessageHeader``; the number is given at issue (outgoing) or registration (incoming)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    state = models.CharField("trạng thái", max_length=12, choices=State.choices)
    doc_type = models.ForeignKey(
        DocumentType, verbose_name="loại văn bản", on_delete=models.PROTECT, related_name="+"
    )
    # Số và ký hiệu (of the issuer: ours when outgoing, the sender's when incoming).
    code_number = models.CharField("số", max_length=20, blank=True)
    code_notation = models.CharField("ký hiệu", max_length=60, blank=True)
    #: The part of the notation after the type: the issuer's abbreviation, and for a công văn
    #: the drafting unit's (``UBND-VP``).
    notation_suffix = models.CharField("ký hiệu cơ quan, đơn vị", max_length=40, blank=True)
    issuer_code = models.CharField("mã định danh cơ quan ban hành", max_length=13)
    issuer_name = models.CharField("cơ quan ban hành", max_length=255)
    place = models.CharField("địa danh", max_length=100, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    subject = models.TextField("trích yếu")
    content = models.TextField("nội dung tóm tắt", blank=True)
    steering_type = models.PositiveSmallIntegerField("loại chỉ đạo", default=0)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signer_name = models.CharField("họ tên người ký", max_length=200, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=200, blank=True)
    signer_competence = models.CharField(
        "thẩm quyền ký", max_length=5, choices=Competence.choices, blank=True
    )
    #: Nơi nhận as written on the document (the exchange recipients are :class:`Dispatch`).
    to_places = models.JSONField("nơi nhận", default=list, blank=True)
    urgency = models.PositiveSmallIntegerField("độ khẩn", choices=Urgency.choices, default=0)
    confidentiality = models.PositiveSmallIntegerField(
        "độ mật", choices=Confidentiality.choices, default=0
    )
    reply_due = models.DateField("hạn trả lời", null=True, blank=True)
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    reply_to = models.ForeignKey(
        "self",
        verbose_name="trả lời văn bản",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name="thay thế, sửa đổi văn bản",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    # The register (sổ đi or sổ đến) entry.
    register_year = models.PositiveSmallIntegerField("năm của sổ", null=True, blank=True)
    register_number = models.PositiveIntegerField("số trong sổ", null=True, blank=True)
    registered_at = models.DateTimeField("vào sổ lúc", null=True, blank=True)
    #: QCVN 102 ``DocumentId``: ``<OrganId>,<yyyy/MM/dd>,<number/notation>``.
    document_id = models.CharField("mã văn bản liên thông", max_length=120, blank=True)
    #: Incoming: the earlier record of the same issuer, number and notation (a warning).
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="trùng với",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField("lý do trả lại", blank=True)
    for_information = models.BooleanField("chỉ để biết", default=False)
    due_at = models.DateTimeField("hạn xử lý", null=True, blank=True)
    done_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    version = models.PositiveIntegerField("phiên bản", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "agency",
                    "direction",
                    "register_year",
                    "confidentiality",
                    "register_number",
                ],
                condition=Q(register_number__isnull=False),
                name="eoffice_document_register_entry",
            ),
            models.UniqueConstraint(
                fields=["agency", "document_id"],
                condition=Q(direction="in") & ~Q(document_id="") & ~Q(state="returned"),
                name="eoffice_document_incoming_once",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "direction", "state"], name="eoffice_doc_state"),
            models.Index(fields=["document_id"], name="eoffice_doc_documentid"),
        ]

    def __str__(self) -> str:
        return self.number_notation or f"Dự thảo #{self.pk}"

    @property
    def number_notation(self) -> str:
        if not self.code_number:
            return ""
        return f"{self.code_number}/{self.code_notation}"

    @property
    def confidential(self) -> bool:
        return self.confidentiality != Confidentiality.NORMAL


def document_file_path(instance: DocumentFile, filename: str) -> str:
    document = instance.document
    return f"eoffice/{document.agency.code}/{document.pk}/v{instance.version}/{filename}"


class FileRole(models.TextChoices):
    MAIN = "main", "Văn bản chính"
    ATTACHMENT = "attachment", "Phụ lục, tài liệu kèm theo"


class DocumentFile(models.Model):
    """A file of one version of a document: the main PDF or an attachment."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="files"
    )
    version = models.PositiveIntegerField("phiên bản")
    role = models.CharField("vai trò", max_length=10, choices=FileRole.choices)
    name = models.CharField("tên tệp", max_length=255)
    mime_type = models.CharField("loại", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField("tệp", upload_to=document_file_path, max_length=300)
    #: The main file as signed by the leader (PAdES), when it is.
    signed = models.BooleanField("đã ký số", default=False)
    created_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tệp văn bản"
        verbose_name_plural = "tệp văn bản"
        ordering = ["document_id", "version", "role", "pk"]

    def __str__(self) -> str:
        return self.name


class DocumentVersion(models.Model):
    """The metadata of a document as one version left it (draft edits; updates received)."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("phiên bản")
    data = models.JSONField("nội dung")
    note = models.CharField("ghi chú", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản văn bản"
        verbose_name_plural = "phiên bản văn bản"
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="eoffice_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class Decision(models.TextChoices):
    PENDING = "pending", "Chờ ý kiến"
    APPROVED = "approved", "Đã duyệt (ký nháy)"
    SENT_BACK = "sent_back", "Trả lại để sửa"


class Approval(models.Model):
    """One step of the review circuit of an outgoing draft (visa), in order."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="approvals"
    )
    round = models.PositiveSmallIntegerField("lượt trình", default=1)
    position = models.PositiveSmallIntegerField("thứ tự")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người duyệt",
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(
        "ý kiến", max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    comment = models.TextField("nhận xét", blank=True)
    decided_at = models.DateTimeField("lúc", null=True, blank=True)

    class Meta:
        verbose_name = "bước duyệt"
        verbose_name_plural = "bước duyệt"
        ordering = ["document_id", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "round", "position"], name="eoffice_approval_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} #{self.round}.{self.position}: {self.decision}"


class Channel(models.TextChoices):
    AXIS = "axis", "Trục liên thông văn bản"
    PAPER = "paper", "Bản giấy"
    EMAIL = "email", "Thư điện tử"


class Dispatch(models.Model):
    """One recipient of an issued document, and what we know of its handling there (the last
    status package it sent back)."""

    class Delivery(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"
        MARKED = "marked", "Đã gửi (ngoài hệ thống)"

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="dispatches"
    )
    recipient_code = models.CharField("mã định danh nơi nhận", max_length=13, blank=True)
    recipient_name = models.CharField("nơi nhận", max_length=255)
    channel = models.CharField("cách gửi", max_length=10, choices=Channel.choices)
    delivery = models.CharField(
        "gửi", max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    status_code = models.CharField("trạng thái nơi nhận", max_length=2, blank=True)
    status_description = models.TextField("mô tả trạng thái", blank=True)
    status_at = models.DateTimeField("cập nhật lúc", null=True, blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "nơi nhận văn bản"
        verbose_name_plural = "nơi nhận văn bản"
        ordering = ["document_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "recipient_code"],
                condition=~Q(recipient_code=""),
                name="eoffice_dispatch_once",
            )
        ]

    def __str__(self) -> str:
        return self.recipient_name


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "Chủ trì"
    CO = "co", "Phối hợp"
    INFO = "info", "Để biết"


class Assignment(models.Model):
    """Who handles an incoming document (assigned by the leader)."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="cán bộ", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("vai trò", max_length=5, choices=AssignmentRole.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người phân công",
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField("phân công lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phân công xử lý"
        verbose_name_plural = "phân công xử lý"
        ordering = ["document_id", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="eoffice_assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.user_id} ({self.role})"


class Comment(models.Model):
    """An internal comment on a document (processing notes, review remarks)."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người viết",
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("nội dung")
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "ý kiến xử lý"
        verbose_name_plural = "ý kiến xử lý"
        ordering = ["document_id", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.text[:40]}"


class PackageKind(models.TextChoices):
    EDOC = "edoc", "Văn bản"
    STATUS = "status", "Trạng thái"


class Package(models.Model):
    """An edXML package as it went out or came in, kept byte for byte (a refused one too, for
    inspection), with the result of its checks."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Hợp lệ"
        MALFORMED = "malformed", "Sai cấu trúc"
        UNSIGNED = "unsigned", "Thiếu hoặc sai chữ ký số"
        UNKNOWN_RECIPIENT = "unknown_recipient", "Nơi nhận không thuộc hệ thống"
        UNMATCHED = "unmatched", "Không khớp văn bản nào"
        DUPLICATE = "duplicate", "Trùng gói đã nhận"

    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    kind = models.CharField("loại gói", max_length=10, choices=PackageKind.choices)
    #: The QCVN 102 DocumentId the package is about.
    document_key = models.CharField("mã văn bản liên thông", max_length=120, blank=True)
    business_type = models.PositiveSmallIntegerField("nghiệp vụ", null=True, blank=True)
    status_code = models.CharField("mã trạng thái", max_length=2, blank=True)
    from_code = models.CharField("nơi gửi", max_length=13, blank=True)
    to_code = models.CharField("nơi nhận", max_length=13, blank=True)
    remote_id = models.CharField("mã trên trục", max_length=100, blank=True)
    data = models.BinaryField("nội dung gói")
    sha256 = models.CharField("SHA-256", max_length=64)
    outcome = models.CharField("kết quả kiểm tra", max_length=20, choices=Outcome.choices)
    problem = models.TextField("lỗi", blank=True)
    document = models.ForeignKey(
        Document,
        verbose_name="văn bản",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="packages",
    )
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "gói tin edXML"
        verbose_name_plural = "gói tin edXML"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["direction", "remote_id"], name="eoffice_pkg_remote")]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_key or self.sha256[:12]}"


class OutboxItem(models.Model):
    """One package to carry to one recipient over the axis. ``key`` makes a send idempotent:
    ``edoc|<DocumentId>|<recipient>|<business type>`` or
    ``status|<DocumentId>|<sender>|<recipient>|<code>``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi (hết số lần thử)"

    key = models.CharField("khóa", max_length=200, unique=True)
    package = models.ForeignKey(
        Package, verbose_name="gói tin", on_delete=models.PROTECT, related_name="+"
    )
    dispatch = models.ForeignKey(
        Dispatch,
        verbose_name="nơi nhận",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox",
    )
    recipient_code = models.CharField("nơi nhận", max_length=13)
    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    next_attempt_at = models.DateTimeField("thử lại lúc", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    remote_ref = models.CharField("mã trên trục", max_length=100, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "gói chờ gửi"
        verbose_name_plural = "gói chờ gửi"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.key


class StatusEvent(models.Model):
    """A handling status of a document (QCVN 102 status codes), sent by us or received."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="status_events"
    )
    dispatch = models.ForeignKey(
        Dispatch,
        verbose_name="nơi nhận",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_events",
    )
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    code = models.CharField("mã trạng thái", max_length=2)
    description = models.TextField("mô tả", blank=True)
    staff = models.CharField("người xử lý", max_length=200, blank=True)
    at = models.DateTimeField("lúc")

    class Meta:
        verbose_name = "trạng thái xử lý"
        verbose_name_plural = "trạng thái xử lý"
        ordering = ["document_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.code}"


class IncomingUpdate(models.Model):
    """An update or replacement of a document we received (BussinessDocType 2 or 3), waiting
    for the clerk: accepted, it becomes the record's next version (``diff`` says what changed);
    the sender is answered 15 or 16."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Chờ văn thư"
        APPLIED = "applied", "Đã cập nhật"
        REFUSED = "refused", "Đã từ chối"

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="updates"
    )
    package = models.ForeignKey(
        Package, verbose_name="gói tin", on_delete=models.PROTECT, related_name="+"
    )
    business_type = models.PositiveSmallIntegerField("nghiệp vụ")
    reason = models.TextField("lý do", blank=True)
    diff = models.JSONField("thay đổi", default=dict)
    decision = models.CharField(
        "quyết định", max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người quyết định",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("lúc", null=True, blank=True)
    created_at = models.DateTimeField("nhận lúc", auto_now_add=True)

    class Meta:
        verbose_name = "cập nhật văn bản đến"
        verbose_name_plural = "cập nhật văn bản đến"
        ordering = ["document_id", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "package"], name="eoffice_update_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.business_type} {self.decision}"


class AxisAgency(models.Model):
    """An agency of the national directory, as the axis lists it (synced by
    ``exchange.sync_directory``): the recipients one may address beyond this instance."""

    code = models.CharField("mã định danh", max_length=13, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    parent_code = models.CharField("mã cơ quan cấp trên", max_length=13, blank=True)
    active = models.BooleanField("đang hoạt động", default=True)
    synced_at = models.DateTimeField("đồng bộ lúc")

    class Meta:
        verbose_name = "cơ quan trên trục liên thông"
        verbose_name_plural = "danh bạ cơ quan trên trục liên thông"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def _session_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class ExternalSigning(models.Model):
    """A document prepared for the leader's signature made outside the server (hash-only
    signing on a token or a remote signing service): the prepared file waits here until the
    detached CMS comes back (``services.document_external_finish``)."""

    document = models.ForeignKey(
        Document, verbose_name="văn bản", on_delete=models.CASCADE, related_name="+"
    )
    profile = models.ForeignKey(
        "signing.SignerProfile",
        verbose_name="hồ sơ chữ ký",
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.CharField("mã phiên", max_length=40, unique=True, default=_session_token)
    prepared = models.BinaryField("tệp đã chuẩn bị")
    region_start = models.PositiveIntegerField("đầu vùng chữ ký")
    region_end = models.PositiveIntegerField("cuối vùng chữ ký")
    digest = models.CharField("SHA-256 phần được ký", max_length=64)
    based_on_sha256 = models.CharField("SHA-256 tệp gốc", max_length=64)
    created_at = models.DateTimeField("tạo lúc")
    finished_at = models.DateTimeField("hoàn tất lúc", null=True, blank=True)

    class Meta:
        verbose_name = "phiên ký từ xa văn bản"
        verbose_name_plural = "phiên ký từ xa văn bản"

    def __str__(self) -> str:
        return f"{self.document_id}: {self.token[:8]}"
