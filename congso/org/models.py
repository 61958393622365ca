"""Administrative units, agencies, departments, one-stop desks, officers' roles and applicants.

Every model that holds agency or personal data gets its default manager from a
:class:`~congso.org.permissions.RestrictedQuerySet`, so ``Model.objects.restrict(user, action)``
is the one way lists and details are read for a person (see ``permissions.py``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from congso.core.errors import DomainError
from congso.org.identity import validate_agency_code, validate_personal_id, validate_tax_code
from congso.org.permissions import (
    AgencyQuerySet,
    CitizenQuerySet,
    DepartmentQuerySet,
    DeskQuerySet,
    OrganisationQuerySet,
    RepresentativeQuerySet,
    RoleAssignmentQuerySet,
)


def _as_validation_error(exc: DomainError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code)


def agency_code_validator(value: str) -> None:
    """Field validator (admin forms) for :func:`~congso.org.identity.validate_agency_code`."""
    try:
        validate_agency_code(value)
    except DomainError as exc:
        raise _as_validation_error(exc) from exc


def personal_id_validator(value: str) -> None:
    """Field validator for :func:`~congso.org.identity.validate_personal_id`."""
    try:
        validate_personal_id(value)
    except DomainError as exc:
        raise _as_validation_error(exc) from exc


def tax_code_validator(value: str) -> None:
    """Field validator for :func:`~congso.org.identity.validate_tax_code`."""
    try:
        validate_tax_code(value)
    except DomainError as exc:
        raise _as_validation_error(exc) from exc


# --- Administrative units -------------------------------------------------------------------------


class UnitLevel(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    DISTRICT = "district", "Cấp huyện (trước 1/7/2025)"
    COMMUNE = "commune", "Cấp xã"


class UnitKind(models.TextChoices):
    PROVINCE = "tinh", "Tỉnh"
    CENTRAL_CITY = "thanh_pho_trung_uong", "Thành phố trực thuộc trung ương"
    RURAL_DISTRICT = "huyen", "Huyện"
    URBAN_DISTRICT = "quan", "Quận"
    TOWN = "thi_xa", "Thị xã"
    PROVINCIAL_CITY = "thanh_pho", "Thành phố thuộc tỉnh / thuộc thành phố"
    COMMUNE = "xa", "Xã"
    WARD = "phuong", "Phường"
    TOWNSHIP = "thi_tran", "Thị trấn"
    SPECIAL_ZONE = "dac_khu", "Đặc khu"


class AdministrativeUnitQuerySet(models.QuerySet["AdministrativeUnit"]):
    def valid_on(self, day: datetime.date) -> AdministrativeUnitQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def current(self) -> AdministrativeUnitQuerySet:
        return self.valid_on(timezone.localdate())


class AdministrativeUnit(models.Model):
    """A province, (historic) district or commune/ward/special zone, valid over a period.

    Codes are those of the GSO list (QĐ 19/2025/QĐ-TTg since 1/7/2025: province 2 digits,
    commune 5 digits; historic districts 3 digits). A code may be reused by a later unit (the
    2025 communes took the code of one of the communes they replaced), so a code identifies a
    unit only together with a date: see :func:`congso.org.selectors.resolve_unit`.
    ``valid_from`` empty means "since before the records here"; ``valid_to`` is the last day in
    force (inclusive), empty while in force.
    """

    code = models.CharField("mã", max_length=5, db_index=True)
    name = models.CharField("tên", max_length=150)
    level = models.CharField("cấp", max_length=10, choices=UnitLevel.choices)
    kind = models.CharField("loại", max_length=25, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    province = models.ForeignKey(
        "self",
        verbose_name="tỉnh",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Tỉnh chứa đơn vị (để trống với chính đơn vị cấp tỉnh).",
    )
    codename = models.SlugField("tên mã", max_length=100, blank=True)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)
    source = models.CharField("nguồn dữ liệu", max_length=150, blank=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_to__isnull=True),
                name="org_unit_one_current_per_code",
            ),
            models.UniqueConstraint(
                fields=["level", "code", "valid_to"],
                condition=Q(valid_to__isnull=False),
                name="org_unit_one_historic_per_code_and_end",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="org_unit_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["province", "level"], name="org_unit_province_level")]

    def __str__(self) -> str:
        suffix = f" (đến {self.valid_to:%d/%m/%Y})" if self.valid_to else ""
        return f"{self.name} [{self.code}]{suffix}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )

    @property
    def province_id_or_self(self) -> int | None:
        return self.pk if self.level == UnitLevel.PROVINCE else self.province_id


class UnitSuccession(models.Model):
    """A predecessor unit whose territory (all or part) went to a successor unit."""

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="đơn vị cũ",
        on_delete=models.CASCADE,
        related_name="successions",
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="đơn vị mới",
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    whole = models.BooleanField(
        "nhập toàn bộ", default=True, help_text="Sai khi chỉ một phần đơn vị cũ nhập vào."
    )
    effective_on = models.DateField("có hiệu lực từ")
    legal_basis = models.CharField("căn cứ", max_length=150, blank=True)
    note = models.CharField("ghi chú", max_length=200, blank=True)

    class Meta:
        verbose_name = "sắp xếp đơn vị hành chính (cũ → mới)"
        verbose_name_plural = "sắp xếp đơn vị hành chính (cũ → mới)"
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="org_succession_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


# --- Agencies, departments, desks -----------------------------------------------------------------


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", "Trung ương"
    PROVINCE = "province", "Cấp tỉnh"
    DISTRICT = "district", "Cấp huyện (trước 1/7/2025)"
    COMMUNE = "commune", "Cấp xã"


class Agency(models.Model):
    """A public body (cơ quan, đơn vị): a People's Committee, a department (sở), a ministry…"""

    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=50, blank=True)
    code = models.CharField(
        "mã định danh điện tử",
        max_length=13,
        unique=True,
        validators=[agency_code_validator],
        help_text="Theo QCVN 102:2016/BTTTT, dạng V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.12.H56.",
    )
    level = models.CharField("cấp", max_length=10, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="đơn vị hành chính",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
    )
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="tỉnh",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="Tỉnh của đơn vị hành chính (tính tự động); trống với cơ quan trung ương.",
    )
    active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]
        indexes = [models.Index(fields=["province", "active"], name="org_agency_province")]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department (phòng, ban) inside an agency."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField("tên phòng ban", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=50, blank=True)
    active = models.BooleanField("đang hoạt động", default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "phòng ban"
        verbose_name_plural = "phòng ban"
        ordering = ["agency_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="org_department_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.short_name or self.agency.name}"


class DeskKind(models.TextChoices):
    SERVICE_CENTRE = "service_centre", "Trung tâm Phục vụ hành chính công"
    ONE_STOP = "one_stop", "Bộ phận Một cửa"


class Desk(models.Model):
    """A one-stop desk (Bộ phận Một cửa) that receives dossiers and returns results.

    It belongs to an agency and receives for the agencies in ``serves`` (the provincial public
    administration service centre receives for the provincial departments and the People's
    Committee; a commune desk for its commune).
    """

    agency = models.ForeignKey(
        Agency, verbose_name="thuộc cơ quan", on_delete=models.CASCADE, related_name="desks"
    )
    name = models.CharField("tên bộ phận", max_length=255)
    kind = models.CharField("loại", max_length=20, choices=DeskKind.choices)
    serves = models.ManyToManyField(
        Agency,
        verbose_name="tiếp nhận hồ sơ cho các cơ quan",
        related_name="served_by_desks",
        blank=True,
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="địa bàn đặt trụ sở",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    active = models.BooleanField("đang hoạt động", default=True)

    objects = DeskQuerySet.as_manager()

    class Meta:
        verbose_name = "bộ phận một cửa"
        verbose_name_plural = "bộ phận một cửa"
        ordering = ["agency_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="org_desk_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


# --- Officers' roles ------------------------------------------------------------------------------


class Role(models.TextChoices):
    RECEPTION = "reception", "Cán bộ một cửa"
    SPECIALIST = "specialist", "Chuyên viên"
    DEPARTMENT_HEAD = "department_head", "Trưởng phòng"
    LEADER = "leader", "Lãnh đạo cơ quan (ký)"
    CLERK = "clerk", "Văn thư"
    AGENCY_ADMIN = "agency_admin", "Quản trị cơ quan"
    PROVINCE_ADMIN = "province_admin", "Quản trị tỉnh"
    MONITOR = "monitor", "Giám sát (chỉ xem, toàn tỉnh)"


#: Roles whose scope is the whole province of their agency rather than the agency.
PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.MONITOR})


class RoleAssignment(models.Model):
    """One role held by one person in one agency (optionally a department or a desk) over a
    period. ``valid_to`` is the last day (inclusive); empty while held."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="role_assignments"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="phòng ban",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    desk = models.ForeignKey(
        Desk,
        verbose_name="bộ phận một cửa",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Nơi cán bộ một cửa làm việc.",
    )
    valid_from = models.DateField("từ ngày", default=timezone.localdate)
    valid_to = models.DateField("đến hết ngày", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "phân công vai trò"
        verbose_name_plural = "phân công vai trò"
        ordering = ["agency_id", "role", "user_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="org_role_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["user", "valid_to"], name="org_role_user_current")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


# --- Applicants -----------------------------------------------------------------------------------


class GenderChoice(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class Applicant(models.Model):
    """What every applicant has, person or organisation: the unit they live or sit in, an
    e-mail address, when the record was made and changed."""

    email = models.EmailField("thư điện tử", blank=True)
    address_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="xã/phường/đặc khu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        abstract = True


class Citizen(Applicant):
    """A person who applies (công dân). May exist without an account (in-person applicant)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citizen",
    )
    full_name = models.CharField("họ và tên", max_length=200)
    personal_id = models.CharField(
        "số định danh cá nhân",
        max_length=12,
        unique=True,
        validators=[personal_id_validator],
        help_text="12 chữ số (số căn cước / CCCD).",
    )
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    gender = models.CharField("giới tính", max_length=10, choices=GenderChoice.choices, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    address = models.CharField("địa chỉ (số nhà, thôn, tổ…)", max_length=255, blank=True)
    registered_by = models.ForeignKey(
        Agency,
        verbose_name="cơ quan nhập hồ sơ",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Cơ quan có cán bộ tạo hồ sơ người nộp (nộp trực tiếp).",
    )
    objects = CitizenQuerySet.as_manager()

    class Meta:
        verbose_name = "công dân"
        verbose_name_plural = "công dân"
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id})"


class Organisation(Applicant):
    """An organisation that applies (tổ chức, doanh nghiệp), identified by its tax code."""

    name = models.CharField("tên tổ chức", max_length=255)
    tax_code = models.CharField(
        "mã số thuế",
        max_length=14,
        unique=True,
        validators=[tax_code_validator],
        help_text="10 chữ số, hoặc 10 chữ số-3 chữ số với đơn vị phụ thuộc.",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    registered_by = models.ForeignKey(
        Agency,
        verbose_name="cơ quan nhập hồ sơ",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "tổ chức"
        verbose_name_plural = "tổ chức"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


# --- Representatives of organisations (issue 13 item 4) -------------------------------------------


class RepresentativeRole(models.TextChoices):
    LEGAL = "legal_representative", "Người đại diện theo pháp luật"
    AUTHORISED = "authorised", "Người được ủy quyền"


class RepresentativeSource(models.TextChoices):
    ADMIN = "admin", "Cán bộ, quản trị viên nhập (đã đối chiếu giấy tờ)"
    NATIONAL_IDENTITY = "national_identity", "Hệ thống định danh và xác thực điện tử (VNeID)"
    BUSINESS_REGISTRY = "business_registry", "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"


class Representative(models.Model):
    """A citizen who may act for an organisation (submit its dossiers online), over a period.

    Written by :mod:`congso.org.representation` (officers, administrators, and the feeds of the
    national identity and business registries); read by the dossier intake, which refuses an
    online submission for an organisation from anyone who is not a current representative.
    ``valid_to`` is the last day (inclusive); empty while in force.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="tổ chức",
        on_delete=models.CASCADE,
        related_name="representatives",
    )
    citizen = models.ForeignKey(
        Citizen,
        verbose_name="công dân (người đại diện)",
        on_delete=models.CASCADE,
        related_name="representations",
    )
    role = models.CharField("tư cách", max_length=30, choices=RepresentativeRole.choices)
    source = models.CharField(
        "nguồn", max_length=30, choices=RepresentativeSource.choices, default="admin"
    )
    evidence = models.CharField(
        "giấy tờ chứng minh",
        max_length=255,
        blank=True,
        help_text="Ví dụ: Giấy chứng nhận đăng ký doanh nghiệp số …; Giấy ủy quyền số … ngày ….",
    )
    valid_from = models.DateField("từ ngày", default=timezone.localdate)
    valid_to = models.DateField("đến hết ngày", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        verbose_name = "người đại diện của tổ chức"
        verbose_name_plural = "người đại diện của tổ chức"
        ordering = ["organisation_id", "role", "citizen_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="org_representative_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["organisation", "citizen", "role"],
                condition=Q(valid_to__isnull=True),
                name="org_representative_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["citizen", "organisation"], name="org_representative_citizen")
        ]

    def __str__(self) -> str:
        return f"{self.citizen} – {self.get_role_display()} – {self.organisation}"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)
