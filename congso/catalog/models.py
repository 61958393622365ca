"""The procedure catalogue: fields, procedures and their dated versions, components (thành phần
hồ sơ), internal processes (quy trình nội bộ, TT 01/2018/TT-VPCP art. 8) and their steps.

Every rule is data with an effective date (RULES.md): what a procedure requires, costs and how
long it may take lives on a :class:`ProcedureVersion`, so a dossier keeps the version in force on
the day it was received. Writes go through :mod:`congso.catalog.services`; reads through
:mod:`congso.catalog.selectors`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from congso.org.models import Agency, Department, Role

#: Default MIME types a component file may have, and the default size limit (10 MB).
DEFAULT_ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_MAX_SIZE_BYTES = 10 * 1024 * 1024


def default_allowed_types() -> list[str]:
    return list(DEFAULT_ALLOWED_TYPES)


class Level(models.TextChoices):
    """The level that decides a case (cấp thực hiện), after the 1/7/2025 reform."""

    CENTRAL = "central", "Cấp trung ương"
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", "Công dân"
    ORGANISATION = "organisation", "Tổ chức, doanh nghiệp"


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    DAYS = "days", "ngày"
    INSTANT = "instant", "giải quyết ngay trong ngày"


#: Units of the per-case limits of the national database (``unit_raw``) that can be counted.
CASE_UNITS: dict[str, str] = {
    "WORKING_DAY": TimeLimitUnit.WORKING_DAYS,
    "DAY": TimeLimitUnit.DAYS,
    "WORKING_HOUR": TimeLimitUnit.WORKING_HOURS,
    "HOUR": TimeLimitUnit.WORKING_HOURS,
    **{unit.value: unit.value for unit in TimeLimitUnit if unit != TimeLimitUnit.INSTANT},
}


def approximate_days(value: Decimal, unit: str) -> Decimal:
    """A limit in calendar days, roughly (5 working days a week, 8 hours a day): only to pick the
    longest of several cases."""
    if unit == TimeLimitUnit.WORKING_DAYS:
        return value * 7 / 5
    if unit == TimeLimitUnit.WORKING_HOURS:
        return value / 8 * 7 / 5
    return value


def _limit_words(value: Decimal, unit: str) -> str:
    number = f"{value.normalize():f}".replace(".", ",")
    return f"{number} {TimeLimitUnit(unit).label}"


class OnlineLevel(models.TextChoices):
    """ND 224/2026 art. 14: full online is the default; partial must be justified publicly."""

    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Không cung cấp trực tuyến"


class ResultType(models.TextChoices):
    CERTIFICATE = "certificate", "Giấy chứng nhận, giấy xác nhận"
    EXTRACT = "extract", "Trích lục"
    LICENSE = "license", "Giấy phép"
    NOTICE = "notice", "Văn bản, quyết định, thông báo"
    COPY = "copy", "Bản sao"


class OriginalOrCopy(models.TextChoices):
    ORIGINAL = "original", "Bản chính"
    COPY = "copy", "Bản sao"
    ORIGINAL_OR_COPY = "original_or_copy", "Bản chính hoặc bản sao"
    CERTIFIED_COPY = "certified_copy", "Bản sao có chứng thực"


class StepKind(models.TextChoices):
    STEP = "step", "Bước xử lý"
    CONSULTATION = "consultation", "Xin ý kiến phối hợp"
    INTERAGENCY = "interagency", "Liên thông"


class StepAction(models.TextChoices):
    """What an officer may do at a step (the dossier workflow's officer actions)."""

    RECEIVE = "receive", "Tiếp nhận hồ sơ"
    NOT_ACCEPT = "not_accept", "Từ chối tiếp nhận"
    REQUEST_SUPPLEMENT = "request_supplement", "Yêu cầu bổ sung hồ sơ"
    START_PROCESSING = "start_processing", "Chuyển xử lý"
    FORWARD = "forward", "Chuyển bước tiếp theo"
    SEND_BACK = "send_back", "Trả lại bước trước"
    CONSULT = "consult", "Xin ý kiến phối hợp"
    ANSWER_CONSULTATION = "answer_consultation", "Trả lời xin ý kiến"
    TRANSFER = "transfer", "Chuyển liên thông"
    REQUEST_PAYMENT = "request_payment", "Yêu cầu thực hiện nghĩa vụ tài chính"
    CONFIRM_PAYMENT = "confirm_payment", "Xác nhận đã nộp"
    REFUSE = "refuse", "Từ chối giải quyết"
    COMPLETE = "complete", "Hoàn thành, có kết quả"
    RETURN_RESULT = "return_result", "Trả kết quả"
    APOLOGISE = "apologise", "Xin lỗi và hẹn lại ngày trả"


class Field(models.Model):
    """A field (lĩnh vực) of procedures, e.g. Hộ tịch (national sector code G15-TP07)."""

    code = models.SlugField(
        "mã",
        max_length=100,
        unique=True,
        help_text="Khóa ổn định, tạo từ tên lĩnh vực không dấu (ví dụ ho-tich).",
    )
    name = models.CharField("tên lĩnh vực", max_length=255)
    sector_code = models.CharField(
        "mã lĩnh vực (CSDLQG)",
        max_length=30,
        blank=True,
        help_text="Mã lĩnh vực trong CSDL quốc gia về TTHC, ví dụ G15-TP07; để trống nếu chưa rõ.",
    )

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sector_code})" if self.sector_code else self.name


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính), identified by its national code."""

    code = models.CharField(
        "mã thủ tục",
        max_length=30,
        unique=True,
        help_text="Mã TTHC quốc gia, ví dụ 1.001193; mã tạm của địa phương (DP.…) khi chưa có.",
    )
    national_code = models.BooleanField(
        "là mã quốc gia",
        default=True,
        help_text="Sai khi mã là mã tạm của địa phương vì chưa xác minh được mã quốc gia.",
    )
    name = models.CharField("tên thủ tục", max_length=1000)
    search_text = models.CharField(
        "chuỗi tìm kiếm",
        max_length=1100,
        db_index=True,
        editable=False,
        help_text="Tên và mã, chữ thường, không dấu (tự động).",
    )
    field = models.ForeignKey(
        Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures"
    )
    levels = models.JSONField("cấp thực hiện", default=list)
    applicant_types = models.JSONField("đối tượng thực hiện", default=list)
    active = models.BooleanField("đang áp dụng", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class ProcedureVersion(models.Model):
    """What a procedure is over a period: time limit, fees, components, form, legal bases.

    ``effective_to`` is the last day in force (inclusive), empty while in force. The ranges of
    one procedure's versions never overlap (checked by the services).
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField("phiên bản")
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)
    competent_agency_text = models.TextField("cơ quan có thẩm quyền", blank=True)
    received_at_text = models.TextField("nơi tiếp nhận", blank=True)
    submission_channels = models.JSONField("cách thức nộp", default=list, blank=True)
    time_limit_value = models.DecimalField(
        "thời hạn giải quyết",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Để trống khi không có một thời hạn cố định (xem mô tả thời hạn).",
    )
    time_limit_unit = models.CharField(
        "đơn vị thời hạn", max_length=20, choices=TimeLimitUnit.choices, blank=True
    )
    time_limit_text = models.TextField("mô tả thời hạn", blank=True)
    same_day_cutoff = models.TimeField(
        "giờ chốt trả trong ngày",
        null=True,
        blank=True,
        help_text="Chỉ cho thủ tục trả kết quả trong ngày: hồ sơ nhận sau giờ này được trả "
        "trước khi hết giờ làm việc của ngày làm việc tiếp theo. Để trống: theo giờ chốt của "
        "lịch làm việc (15 giờ).",
    )
    time_limit_cases = models.JSONField("thời hạn theo trường hợp", default=list, blank=True)
    fees = models.JSONField(
        "phí, lệ phí",
        default=list,
        blank=True,
        help_text='Danh sách [{"name", "amount_vnd", "condition", "legal_basis"}].',
    )
    result_type = models.CharField(
        "loại kết quả", max_length=20, choices=ResultType.choices, blank=True
    )
    result_name = models.TextField("tên kết quả", blank=True)
    online_level = models.CharField(
        "mức độ dịch vụ công trực tuyến",
        max_length=10,
        choices=OnlineLevel.choices,
        blank=True,
        help_text="Để trống khi chưa xác định.",
    )
    partial_reason = models.TextField(
        "lý do chỉ cung cấp một phần",
        blank=True,
        help_text="Công khai khi thủ tục chỉ cung cấp trực tuyến một phần (NĐ 224/2026 Điều 14).",
    )
    legal_bases = models.JSONField("căn cứ pháp lý", default=list, blank=True)
    form_schema = models.JSONField("biểu mẫu điện tử", default=dict, blank=True)
    prefill = models.JSONField(
        "nguồn điền sẵn",
        default=dict,
        blank=True,
        help_text="Trường biểu mẫu → nguồn dữ liệu điền sẵn (tự động từ biểu mẫu).",
    )
    source = models.JSONField("nguồn dữ liệu", default=dict, blank=True)
    notes = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        ordering = ["procedure_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"], name="catalog_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="catalog_version_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_value__isnull=True) | Q(time_limit_value__gte=0),
                name="catalog_version_limit_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["procedure", "effective_from"], name="catalog_version_period")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version} (từ {self.effective_from:%d/%m/%Y})"

    def case_limits(self) -> list[tuple[str, Decimal, str]]:
        """The per-case limits of the national database (``time_limit_cases``) that can be
        counted: ``(case_code, value, unit)``, unit one of :class:`TimeLimitUnit`."""
        limits = []
        for case in self.time_limit_cases or ():
            if not isinstance(case, dict):
                continue
            unit = CASE_UNITS.get(str(case.get("unit_raw") or case.get("unit") or ""))
            try:
                value = Decimal(str(case.get("value")))
            except (ArithmeticError, ValueError):
                continue
            if unit and value.is_finite() and value > 0:
                limits.append((str(case.get("case_code") or ""), value, unit))
        return limits

    @property
    def has_computable_limit(self) -> bool:
        """Whether a due instant can be computed for every dossier of this version."""
        return (
            self.time_limit_unit == TimeLimitUnit.INSTANT
            or self.time_limit_value is not None
            or bool(self.case_limits())
        )

    @property
    def time_limit_label(self) -> str:
        """'5 ngày làm việc', 'giải quyết ngay trong ngày', 'tối đa 5 ngày làm việc, tùy
        trường hợp', or — never an editor's note — a plain sentence when none can be counted."""
        if self.time_limit_unit == TimeLimitUnit.INSTANT:
            return TimeLimitUnit.INSTANT.label
        if self.time_limit_value is not None:
            return _limit_words(self.time_limit_value, self.time_limit_unit)
        cases = self.case_limits()
        if cases:
            _, value, unit = max(cases, key=lambda case: approximate_days(case[1], case[2]))
            return f"tối đa {_limit_words(value, unit)}, tùy trường hợp"
        return "Cơ quan giải quyết thông báo ngày hẹn khi tiếp nhận hồ sơ"


class Component(models.Model):
    """A document of the dossier (thành phần hồ sơ) in one version of a procedure."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name="phiên bản thủ tục",
        on_delete=models.CASCADE,
        related_name="components",
    )
    order = models.PositiveIntegerField("thứ tự")
    code = models.SlugField(
        "mã thành phần",
        max_length=60,
        help_text="Duy nhất trong phiên bản; biểu mẫu gắn tệp theo mã.",
    )
    name = models.TextField("tên giấy tờ")
    original_or_copy = models.CharField(
        "bản chính/bản sao", max_length=20, choices=OriginalOrCopy.choices
    )
    quantity = models.PositiveSmallIntegerField("số lượng", default=1)
    mandatory = models.BooleanField("bắt buộc", default=True)
    condition = models.TextField("điều kiện (khi nào phải nộp)", blank=True)
    template = models.FileField(
        "tệp mẫu đơn, tờ khai", upload_to="catalog/templates/%Y/", null=True, blank=True
    )
    template_name = models.TextField("mẫu đơn, tờ khai", blank=True)
    allowed_types = models.JSONField(
        "loại tệp được nộp", default=default_allowed_types, help_text="Danh sách kiểu MIME."
    )
    max_size_bytes = models.PositiveIntegerField(
        "dung lượng tối đa (byte)", default=DEFAULT_MAX_SIZE_BYTES
    )

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="catalog_component_code"),
        ]

    def __str__(self) -> str:
        return self.name if len(self.name) <= 80 else f"{self.name[:79]}…"


class Process(models.Model):
    """The internal process (quy trình nội bộ) of one procedure version at one competent agency."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name="phiên bản thủ tục",
        on_delete=models.CASCADE,
        related_name="processes",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan giải quyết",
        on_delete=models.PROTECT,
        related_name="catalog_processes",
    )
    name = models.CharField("tên quy trình", max_length=255)
    active = models.BooleanField("đang áp dụng", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        ordering = ["version_id", "agency_id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "agency"], name="catalog_process_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency}"


class ProcessStep(models.Model):
    """One step: who acts (role, department, agency), for how many working hours, doing what.

    Steps run in ``order``; consecutive steps sharing a ``parallel_group`` run at the same time
    (a consultation beside the appraisal, inter-agency steps sent to several agencies at once)
    and count once, for the longest of them, against the legal time limit.
    """

    process = models.ForeignKey(
        Process, verbose_name="quy trình", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=255)
    kind = models.CharField("loại bước", max_length=20, choices=StepKind.choices)
    role = models.CharField("vai trò thực hiện", max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="phòng ban thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Cơ quan phối hợp hoặc liên thông; để trống là cơ quan của quy trình.",
    )
    hours = models.DecimalField("thời gian (giờ làm việc)", max_digits=7, decimal_places=2)
    is_lead = models.BooleanField("cơ quan chủ trì (liên thông)", default=False)
    parallel_group = models.PositiveIntegerField(
        "nhóm song song",
        null=True,
        blank=True,
        help_text="Các bước liền nhau cùng số nhóm được thực hiện song song.",
    )
    allowed_actions = models.JSONField("thao tác được phép", default=list)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["process_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["process", "order"], name="catalog_step_order"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="catalog_step_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class CatalogueRevision(models.Model):
    """One row whose ``token`` changes whenever any catalogue table is written.

    Database triggers (migration ``0002``) set a new random token on every insert, update,
    delete or truncate of the catalogue tables, in the writer's transaction, whoever writes
    (services, admin, shell, raw SQL). :mod:`congso.catalog.cache` compares it with the token
    its per-process copy was read under, so a catalogue change is seen by the next read.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField("mã phiên bản danh mục")

    class Meta:
        db_table = "catalog_revision"
        verbose_name = "phiên bản danh mục"
        verbose_name_plural = "phiên bản danh mục"

    def __str__(self) -> str:
        return f"catalogue revision {self.token}"


class PhrasingSource(models.TextChoices):
    SEED = "seed", "Dữ liệu ban đầu"
    OFFICER = "officer", "Cán bộ thêm"
    SEARCH_LOG = "search_log", "Từ nhật ký tìm kiếm"


class Phrasing(models.Model):
    """An everyday phrase a citizen types and what it means in the catalogue's words (or which
    procedures), for the finder (:mod:`congso.catalog.finder`). Officers edit them; a change
    gives the catalogue a new revision token (trigger of migration ``0004``), so every
    process's index and finder are rebuilt."""

    phrase = models.CharField(
        "cách nói của người dân",
        max_length=200,
        unique=True,
        help_text="Ví dụ: sinh em bé, sổ đỏ, mở quán. Có dấu hay không dấu đều được.",
    )
    means = models.CharField(
        "từ ngữ trong danh mục",
        max_length=500,
        blank=True,
        help_text="Từ ngữ trong tên thủ tục mà cách nói này chỉ đến, ví dụ: đăng ký khai sinh.",
    )
    codes = models.JSONField(
        "mã thủ tục chỉ đến",
        default=list,
        blank=True,
        help_text='Tùy chọn: mã các thủ tục mà cách nói này chỉ đến (ví dụ ["1.001193"]).',
    )
    active = models.BooleanField("đang dùng", default=True)
    source = models.CharField(
        "nguồn", max_length=20, choices=PhrasingSource.choices, default=PhrasingSource.OFFICER
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "cách nói thường ngày"
        verbose_name_plural = "cách nói thường ngày"
        ordering = ["phrase"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means or ', '.join(self.codes)}"


class SearchLog(models.Model):
    """What citizens searched on the portal, one row per normalised query: how often, how many
    results, how often a result was opened. Queries nobody clicked are where officers look for
    phrasings to add. Citizen text, shown inert; no user is recorded."""

    normalised = models.CharField("câu tìm (không dấu)", max_length=200, unique=True)
    query = models.CharField("câu tìm (như người dân gõ)", max_length=200)
    searches = models.PositiveIntegerField("số lần tìm", default=0)
    clicks = models.PositiveIntegerField("số lần mở kết quả", default=0)
    results = models.PositiveIntegerField("số kết quả (lần cuối)", default=0)
    top_code = models.CharField("thủ tục đứng đầu (lần cuối)", max_length=30, blank=True)
    clicked_code = models.CharField("thủ tục được mở (lần cuối)", max_length=30, blank=True)
    phrasing = models.ForeignKey(
        Phrasing,
        verbose_name="cách nói đã duyệt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="search_logs",
    )
    first_at = models.DateTimeField("lần đầu", auto_now_add=True)
    last_at = models.DateTimeField("lần cuối", auto_now=True)

    class Meta:
        verbose_name = "nhật ký tìm kiếm"
        verbose_name_plural = "nhật ký tìm kiếm"
        ordering = ["-searches", "normalised"]

    def __str__(self) -> str:
        return self.query
