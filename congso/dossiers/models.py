"""Dossiers (hồ sơ thủ tục hành chính) and everything recorded about them.

Writes go through :mod:`congso.dossiers.services` only; reads for a person through
``Dossier.objects.restrict(user, action)`` (:mod:`congso.dossiers.permissions`).

What the printed forms of TT 01/2018 read:

* form 01 (receipt and appointment): :class:`Dossier` (code, applicant snapshot, procedure,
  ``received_at``, ``initial_appointment_at``) and its :class:`DossierComponent` rows;
* form 02 (supplement request): :class:`SupplementRequest` (``items``, ``reason``);
* form 03 (refusal): :class:`Dossier` ``outcome_reason`` with the ``not_accept``/``refuse``
  :class:`DossierHistory` row;
* form 04 (apology and new date): :class:`Dossier` ``apology_*`` and ``appointment_at``;
* form 05 (processing-control slip): the :class:`DossierHistory` rows (who, which step, when,
  due, outcome, note) with the :class:`DossierStep` rows;
* form 06 (tracking book): dossiers of a desk over a period (``desk`` + ``received_at``, indexed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from congso.dossiers.deadlines import TIMELINESS_LABELS_VI, Timeliness
from congso.dossiers.permissions import DossierQuerySet
from congso.dossiers.workflow import LABELS_VI, NATIONAL_CODE, Status
from congso.org.models import RepresentativeRole


class CodeRule(models.Model):
    """The dossier-code format in force from a date (TT 01/2018 art. 19 is the first)."""

    effective_from = models.DateField("áp dụng từ ngày", unique=True)
    pattern = models.CharField(
        "mẫu mã số",
        max_length=100,
        help_text="Ví dụ {agency}-{yymmdd}-{seq:04d}; tên dùng được: agency, yymmdd, yyyy, yy, "
        "mm, dd, seq.",
    )
    legal_basis = models.CharField("căn cứ", max_length=200, blank=True)

    class Meta:
        verbose_name = "quy định mã số hồ sơ"
        verbose_name_plural = "quy định mã số hồ sơ"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.pattern} (từ {self.effective_from:%d/%m/%Y})"


class CodeCounter(models.Model):
    """The last sequence number issued for one receiving-agency identifier on one day."""

    agency_code = models.CharField("mã định danh cơ quan tiếp nhận", max_length=13)
    day = models.DateField("ngày")
    last = models.PositiveIntegerField("số thứ tự đã cấp", default=0)

    class Meta:
        verbose_name = "bộ đếm mã số hồ sơ"
        verbose_name_plural = "bộ đếm mã số hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="dossiers_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day:%d/%m/%Y}: {self.last}"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "Trực tiếp tại Bộ phận Một cửa"
    ONLINE = "online", "Trực tuyến"
    POSTAL = "postal", "Qua dịch vụ bưu chính công ích"


#: KenhThucHien codes of the national portal (RULES.md §1).
CHANNEL_NATIONAL_CODE = {Channel.IN_PERSON: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}


class ReturnMethod(models.TextChoices):
    DESK = "desk", "Tại Bộ phận Một cửa"
    POST = "post", "Qua dịch vụ bưu chính"
    ONLINE = "online", "Trực tuyến"


class TimelinessChoice(models.TextChoices):
    EARLY = Timeliness.EARLY.value, TIMELINESS_LABELS_VI[Timeliness.EARLY]
    ON_TIME = Timeliness.ON_TIME.value, TIMELINESS_LABELS_VI[Timeliness.ON_TIME]
    LATE = Timeliness.LATE.value, TIMELINESS_LABELS_VI[Timeliness.LATE]


STATUS_CHOICES = [(status.value, LABELS_VI[status]) for status in Status]


class Dossier(models.Model):
    """One application for one procedure, from submission to the return of its result.

    ``version`` goes up by one with every change; a change made from a stale copy fails with
    ``concurrent_update`` (see ``services._kernel._lock``). Deadlines: ``due_at`` is the legal
    due time used for the early/on-time/late classification (restarted by a complete
    supplement, pushed back by waiting for payment); ``appointment_at`` is the date told to the
    applicant (the same, except after an apology, form 04, which moves only the appointment).
    """

    code = models.CharField("mã số hồ sơ", max_length=60, unique=True)
    code_rule = models.ForeignKey(
        CodeRule, verbose_name="quy định mã số", on_delete=models.PROTECT, related_name="+"
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name="thủ tục (phiên bản)",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    process = models.ForeignKey(
        "catalog.Process",
        verbose_name="quy trình nội bộ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        help_text="Trống: quy trình mặc định một bước (chưa công bố quy trình nội bộ).",
    )
    channel = models.CharField("hình thức nộp", max_length=10, choices=Channel.choices)
    status = models.CharField(
        "trạng thái", max_length=25, choices=STATUS_CHOICES, default=Status.SUBMITTED.value
    )
    version = models.PositiveIntegerField("phiên bản", default=1)

    applicant_citizen = models.ForeignKey(
        "org.Citizen",
        verbose_name="công dân nộp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    applicant_organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name="tổ chức nộp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    applicant_name = models.CharField("tên người nộp", max_length=255)
    applicant_id_number = models.CharField("số định danh / mã số thuế", max_length=14)
    applicant_address = models.CharField("địa chỉ", max_length=255, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản nộp",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_dossiers",
    )

    desk = models.ForeignKey(
        "org.Desk",
        verbose_name="bộ phận một cửa tiếp nhận",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_agency = models.ForeignKey(
        "org.Agency",
        verbose_name="cơ quan tiếp nhận (mã trong mã số hồ sơ)",
        on_delete=models.PROTECT,
        related_name="+",
    )
    competent_agency = models.ForeignKey(
        "org.Agency",
        verbose_name="cơ quan có thẩm quyền giải quyết",
        on_delete=models.PROTECT,
        related_name="competent_dossiers",
    )
    form_data = models.JSONField("dữ liệu tờ khai", default=dict, blank=True)

    submitted_at = models.DateTimeField("nộp lúc")
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ tiếp nhận",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    clock_started_at = models.DateTimeField(
        "bắt đầu tính thời hạn từ",
        null=True,
        blank=True,
        help_text="Lúc tiếp nhận, hoặc lúc nhận đủ hồ sơ bổ sung (thời hạn tính lại từ đầu).",
    )
    due_at = models.DateTimeField("hạn giải quyết", null=True, blank=True)
    appointment_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    initial_appointment_at = models.DateTimeField("ngày hẹn trả ban đầu", null=True, blank=True)
    paused_at = models.DateTimeField("tạm dừng tính thời hạn từ", null=True, blank=True)
    paused_seconds = models.PositiveIntegerField("thời gian làm việc đã tạm dừng (giây)", default=0)
    supplement_count = models.PositiveSmallIntegerField(
        "số lần yêu cầu bổ sung sau tiếp nhận", default=0
    )
    apology_at = models.DateTimeField("xin lỗi, hẹn lại lúc", null=True, blank=True)
    apology_reason = models.TextField("lý do quá hạn", blank=True)
    rescheduled_from = models.DateTimeField("ngày hẹn trước khi hẹn lại", null=True, blank=True)

    plan_index = models.PositiveSmallIntegerField("vị trí trong quy trình", null=True, blank=True)
    stage = models.PositiveSmallIntegerField("lượt bước hiện tại", default=0)
    status_before_withdrawal = models.CharField(
        "trạng thái trước khi xin rút", max_length=25, choices=STATUS_CHOICES, blank=True
    )

    ended_at = models.DateTimeField("kết thúc xử lý lúc", null=True, blank=True)
    timeliness = models.CharField(
        "kết quả đúng hạn", max_length=10, choices=TimelinessChoice.choices, blank=True
    )
    processed_at = models.DateTimeField("có kết quả lúc", null=True, blank=True)
    result_summary = models.TextField("kết quả giải quyết", blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    return_method = models.CharField(
        "hình thức trả kết quả", max_length=10, choices=ReturnMethod.choices, blank=True
    )
    outcome_reason = models.TextField("lý do từ chối / dừng xử lý", blank=True)

    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant_citizen__isnull=False, applicant_organisation__isnull=True)
                | Q(applicant_citizen__isnull=True, applicant_organisation__isnull=False),
                name="dossiers_one_applicant",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="dossiers_status_due"),
            models.Index(fields=["competent_agency", "status"], name="dossiers_competent"),
            models.Index(fields=["desk", "received_at"], name="dossiers_desk_received"),
            models.Index(fields=["submitted_at", "id"], name="dossiers_submitted_order"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def state(self) -> Status:
        return Status(self.status)

    @property
    def status_label(self) -> str:
        return LABELS_VI[self.state]

    @property
    def national_status(self) -> int:
        return NATIONAL_CODE[self.state]

    @property
    def channel_national_code(self) -> int:
        return CHANNEL_NATIONAL_CODE[Channel(self.channel)]


class DossierComponent(models.Model):
    """One slot of the dossier (thành phần hồ sơ), with the limits of the catalogue component in
    force at submission, and its paper/verification/digitisation marks."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="components"
    )
    component = models.ForeignKey(
        "catalog.Component",
        verbose_name="thành phần trong danh mục",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField("mã thành phần", max_length=60)
    name = models.CharField("tên thành phần", max_length=500)
    mandatory = models.BooleanField("bắt buộc", default=True)
    allowed_types = models.JSONField("loại tệp cho phép", default=list, blank=True)
    max_size_bytes = models.PositiveBigIntegerField("dung lượng tối đa (byte)", null=True)
    paper_received = models.BooleanField("đã nhận bản giấy", default=False)
    verified = models.BooleanField("đã đối chiếu, kiểm tra", default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người kiểm tra",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField("kiểm tra lúc", null=True, blank=True)
    digitised = models.BooleanField("đã số hóa", default=False)
    digitised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người số hóa",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    digitised_at = models.DateTimeField("số hóa lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["dossier_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="dossiers_component_code")
        ]

    def __str__(self) -> str:
        return f"{self.dossier.code} – {self.name}"


class SupplementRequest(models.Model):
    """A request to complete the dossier (form 02): everything missing, at once."""

    class Phase(models.TextChoices):
        RECEPTION = "reception", "Khi tiếp nhận"
        APPRAISAL = "appraisal", "Khi thẩm định"

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="supplements"
    )
    phase = models.CharField("giai đoạn", max_length=10, choices=Phase.choices)
    reason = models.TextField("lý do")
    items = models.JSONField(
        "nội dung cần bổ sung",
        default=list,
        help_text="Danh sách {component hoặc field, label, note}.",
    )
    counts = models.BooleanField(
        "tính vào số lần yêu cầu bổ sung",
        default=True,
        help_text="Sai với yêu cầu gửi trước khi tiếp nhận (hồ sơ trực tuyến).",
    )
    requested_at = models.DateTimeField("yêu cầu lúc")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người yêu cầu",
        on_delete=models.PROTECT,
        related_name="+",
    )
    fulfilled_at = models.DateTimeField("đã bổ sung lúc", null=True, blank=True)

    class Meta:
        verbose_name = "yêu cầu bổ sung"
        verbose_name_plural = "yêu cầu bổ sung"
        ordering = ["dossier_id", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier.code} – {self.requested_at:%d/%m/%Y}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """``dossiers/<year>/<month>/<dossier id>/<component>/v<n>-<name>``: by the dossier's id,
    not its code, since a new dossier's files are written before its number is taken (the
    counter is locked only at the end of the transaction, issue 22). Files stored before keep
    the names they have (under the code)."""
    dossier = instance.component.dossier
    return (
        f"dossiers/{dossier.submitted_at:%Y/%m}/{dossier.pk}/"
        f"{instance.component.code}/v{instance.version}-{filename}"
    )


class Attachment(models.Model):
    """One uploaded file for a component slot. Never overwritten: a supplement adds a version."""

    component = models.ForeignKey(
        DossierComponent,
        verbose_name="thành phần",
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    version = models.PositiveIntegerField("phiên bản")
    file = models.FileField("tệp", upload_to=attachment_path, max_length=300)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    mime_type = models.CharField("loại tệp (theo nội dung)", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    supplement = models.ForeignKey(
        SupplementRequest,
        verbose_name="theo yêu cầu bổ sung",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tải lên",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("tải lên lúc")

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["component_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "version"], name="dossiers_attachment_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"


class StepKind(models.TextChoices):
    STEP = "step", "Bước xử lý"
    CONSULTATION = "consultation", "Xin ý kiến phối hợp"
    INTERAGENCY = "interagency", "Liên thông"


class StepStatus(models.TextChoices):
    ACTIVE = "active", "Đang thực hiện"
    DONE = "done", "Đã xong"
    SENT_BACK = "sent_back", "Trả lại bước trước"
    CANCELLED = "cancelled", "Đã hủy"


class DossierStep(models.Model):
    """One run of one step of the internal process (or an ad hoc consultation / inter-agency
    step) for one dossier. A step sent back to is run again as a new row, so the rows are the
    dossier's full processing record (form 05)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="steps"
    )
    stage = models.PositiveSmallIntegerField("lượt")
    plan_index = models.PositiveSmallIntegerField("vị trí trong quy trình", null=True, blank=True)
    process_step = models.ForeignKey(
        "catalog.ProcessStep",
        verbose_name="bước trong quy trình",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="bước xin ý kiến",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consultations",
    )
    kind = models.CharField("loại", max_length=15, choices=StepKind.choices)
    name = models.CharField("tên bước", max_length=255)
    role = models.CharField("vai trò thực hiện", max_length=20)
    agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="phòng ban",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người được giao",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossier_steps",
    )
    is_lead = models.BooleanField("chủ trì", default=False)
    allowed_actions = models.JSONField("thao tác cho phép", default=list, blank=True)
    hours = models.DecimalField("số giờ làm việc", max_digits=8, decimal_places=2, null=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=StepStatus.choices, default=StepStatus.ACTIVE
    )
    started_at = models.DateTimeField("bắt đầu lúc")
    due_at = models.DateTimeField("hạn", null=True, blank=True)
    ended_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    timeliness = models.CharField(
        "kết quả đúng hạn", max_length=10, choices=TimelinessChoice.choices, blank=True
    )
    request_note = models.TextField("nội dung giao / xin ý kiến", blank=True)
    note = models.TextField("ý kiến, kết quả", blank=True)

    class Meta:
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "bước xử lý hồ sơ"
        ordering = ["dossier_id", "stage", "pk"]
        indexes = [
            models.Index(fields=["agency", "status"], name="dossiers_step_agency"),
            models.Index(fields=["assignee", "status"], name="dossiers_step_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier.code} – {self.name}"


class DossierHistory(models.Model):
    """One line of the dossier's processing record: every transition writes one."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField("thao tác", max_length=30)
    from_status = models.CharField("từ trạng thái", max_length=25, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=25)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField("người thực hiện (tên)", max_length=255)
    step = models.ForeignKey(
        DossierStep,
        verbose_name="bước",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    step_name = models.CharField("tên bước", max_length=255, blank=True)
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="cơ quan thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("lúc")
    due_at = models.DateTimeField("hạn", null=True, blank=True)
    outcome = models.CharField("kết quả", max_length=30, blank=True)
    note = models.TextField("ghi chú", blank=True)
    data = models.JSONField("dữ liệu kèm theo", default=dict, blank=True)

    class Meta:
        verbose_name = "lịch sử xử lý hồ sơ"
        verbose_name_plural = "lịch sử xử lý hồ sơ"
        ordering = ["dossier_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier.code} – {self.action} – {self.at:%d/%m/%Y %H:%M}"


class DossierEvent(models.Model):
    """The outbox: one row per transition, published by the ``dossiers.publish_event`` job."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="events"
    )
    history = models.OneToOneField(
        DossierHistory,
        verbose_name="dòng lịch sử",
        on_delete=models.CASCADE,
        null=True,
        related_name="event",
    )
    kind = models.CharField("loại sự kiện", max_length=40)
    payload = models.JSONField("nội dung", default=dict)
    created_at = models.DateTimeField("tạo lúc")
    published_at = models.DateTimeField("đã phát lúc", null=True, blank=True)

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"
        ordering = ["pk"]
        indexes = [models.Index(fields=["published_at"], name="dossiers_event_unpublished")]

    def __str__(self) -> str:
        return f"{self.dossier.code} – {self.kind}"


class Rating(models.Model):
    """The applicant's satisfaction with the handling (once, after the result is returned)."""

    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField("điểm (1–5)")
    comment = models.TextField("nhận xét", blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đánh giá",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("đánh giá lúc")

    class Meta:
        verbose_name = "đánh giá mức độ hài lòng"
        verbose_name_plural = "đánh giá mức độ hài lòng"
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="dossiers_rating_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier.code}: {self.score}/5"


# --- Acting for others (issue 13 item 4) ----------------------------------------------------------


class DeclarationKind(models.TextChoices):
    ORGANISATION = "organisation", "Nộp cho tổ chức (người đại diện đã đăng ký)"
    ON_BEHALF = "on_behalf", "Nộp thay người khác"


class Relationship(models.TextChoices):
    """What a citizen submitting for another person declares (the officer checks it)."""

    AUTHORISED = "authorised", "Người được ủy quyền (có văn bản ủy quyền)"
    PARENT_OF_MINOR = "parent_of_minor", "Cha, mẹ của người chưa thành niên"
    GUARDIAN = "guardian", "Người giám hộ"
    OTHER = "other_representative", "Người đại diện theo pháp luật khác"


class ApplicantDeclaration(models.Model):
    """Who an online dossier was submitted for, when not for the signed-in citizen themself.

    ``organisation``: the citizen is a registered representative of the dossier's organisation
    (``representative`` is that link, ``relationship`` its role). ``on_behalf``: the citizen
    declares acting for the person named in the form (``principal_*``) as ``relationship``,
    with the proof in the dossier component ``giay-to-nop-thay``; the desk checks it at
    reception (``checked_at``/``checked_by``). The dossier's applicant remains the submitting
    citizen (``submitter``, the account, the receipt and the notifications)."""

    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="declaration"
    )
    kind = models.CharField("hình thức", max_length=20, choices=DeclarationKind.choices)
    relationship = models.CharField("quan hệ, tư cách", max_length=30)
    note = models.TextField("giải thích của người nộp", blank=True)
    principal_name = models.CharField("người (tổ chức) được nộp thay", max_length=255)
    principal_id_number = models.CharField(
        "số định danh / mã số thuế của người được nộp thay", max_length=14, blank=True
    )
    submitter = models.ForeignKey(
        "org.Citizen",
        verbose_name="công dân nộp",
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitter_name = models.CharField("họ tên người nộp", max_length=200)
    submitter_id_number = models.CharField("số định danh người nộp", max_length=12)
    representative = models.ForeignKey(
        "org.Representative",
        verbose_name="đăng ký người đại diện",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    check_required = models.BooleanField("cần kiểm tra khi tiếp nhận", default=False)
    checked_at = models.DateTimeField("kiểm tra lúc", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ kiểm tra",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("khai lúc")

    class Meta:
        verbose_name = "khai báo nộp thay"
        verbose_name_plural = "khai báo nộp thay"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_kind_display()}"

    @property
    def relationship_label(self) -> str:
        choices = (
            RepresentativeRole.choices
            if self.kind == DeclarationKind.ORGANISATION
            else Relationship.choices
        )
        return str(dict(choices).get(self.relationship, self.relationship))
