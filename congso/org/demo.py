"""The demo province: units, agencies, desks, officers for every role, applicants.

DEMO DATA ONLY. Every demo account shares one password (``settings.DEMO_PASSWORD``, env
``CONGSO_DEMO_PASSWORD``) and every demo officer gets a confirmed TOTP device with the same,
published key (:data:`DEMO_TOTP_KEY_HEX`), so anyone can log in. Never load it into a
production database.

Idempotent: a second run finds everything by its natural key (agency code, department and desk
name, username, personal ID, tax code, role held) and changes nothing.

Agency codes follow the QCVN 102:2016 form ``V1V2V3.Z1Z2.Y1Y2.MX1X2`` with a demo convention
(the real identifiers are assigned by the province's decision): level 1 ``H`` + the province's
two-digit code (``H51``); the provincial People's Committee ``000.00.00.H51``; departments
``000.00.01.H51`` … ``000.00.08.H51``; the ten commune People's Committees ``000.00.51.H51`` …
``000.00.60.H51``.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.audit.services import record
from congso.audit.services import snapshot as audit_snapshot
from congso.core.errors import DomainError
from congso.org import representation, services
from congso.org.identity import Gender, personal_id_prefix, tax_code_check_digit
from congso.org.loaders import load_shipped_history, load_units
from congso.org.models import (
    AdministrativeUnit,
    Agency,
    AgencyLevel,
    Citizen,
    Department,
    Desk,
    DeskKind,
    Organisation,
    Representative,
    RepresentativeRole,
    Role,
    UnitKind,
    UnitLevel,
)
from congso.org.permissions import current_roles

#: The published demo TOTP secret: the 20 bytes of "congso-demo-totp-key", hex-encoded.
DEMO_TOTP_KEY_HEX = b"congso-demo-totp-key".hex()
DEMO_TOTP_SECRET = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode("ascii")
DEMO_DEVICE_NAME = "Ứng dụng xác thực (demo)"
DEMO_COMMUNE_COUNT = 10
POLICE_Y = 30
POLICE_DEPARTMENT = "Phòng Hồ sơ nghiệp vụ"

#: (name, short name, username suffix, specialist department), post-1/3/2025 names.
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("Sở Tư pháp", "STP", "stp", "Phòng Hành chính tư pháp"),
    ("Sở Tài chính", "STC", "stc", "Phòng Đăng ký kinh doanh"),
    ("Sở Xây dựng", "SXD", "sxd", "Phòng Quản lý hoạt động xây dựng"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT", "snnmt", "Phòng Quản lý đất đai"),
    ("Sở Y tế", "SYT", "syt", "Phòng Nghiệp vụ Y"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT", "sgddt", "Phòng Quản lý văn bằng"),
    ("Sở Công Thương", "SCT", "sct", "Phòng Quản lý thương mại"),
    ("Sở Nội vụ", "SNV", "snv", "Phòng Công chức, viên chức"),
)

#: Names for the officers whose names appear on official documents in the e-office demo (the
#: signer, the clerks who number and register, the handlers); the others keep "role (demo) –
#: agency". Commune clerks take theirs from ``COMMUNE_CLERKS`` in order.
OFFICE_NAMES: dict[str, str] = {
    "lanhdao.tinh": "Hoàng Văn Thắng",
    "vanthu.tinh": "Nguyễn Thị Thu Hà",
    "lanhdao.stp": "Trần Đức Long",
    "vanthu.stp": "Đỗ Thị Lan",
    "chuyenvien.stp": "Vũ Ngọc Anh",
    "truongphong.stp": "Bùi Văn Hải",
}
COMMUNE_CLERKS: tuple[str, ...] = (
    "Lương Thị Mai",
    "Phan Thị Thanh Hương",
    "Đinh Thị Ngọc Ánh",
    "Trương Thị Kim Oanh",
    "Huỳnh Thị Bích Ngọc",
    "Lê Thị Hồng Nhung",
    "Nguyễn Thị Minh Thư",
    "Võ Thị Thu Trang",
    "Phạm Thị Mỹ Duyên",
    "Cao Thị Lệ Quyên",
)

#: (full name, gender, birth date, has an account)
CITIZENS: tuple[tuple[str, Gender, datetime.date, bool], ...] = (
    ("Công Dân Thử Nghiệm Một", Gender.MALE, datetime.date(1985, 3, 12), True),
    ("Công Dân Thử Nghiệm Hai", Gender.FEMALE, datetime.date(1992, 7, 1), True),
    ("Công Dân Thử Nghiệm Ba", Gender.MALE, datetime.date(2001, 11, 20), False),
    ("Công Dân Thử Nghiệm Bốn", Gender.FEMALE, datetime.date(2004, 1, 5), False),
    ("Công Dân Thử Nghiệm Năm", Gender.MALE, datetime.date(1968, 9, 30), False),
)
CITIZEN_USERNAMES = ("congdan.mot", "congdan.hai")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    agency: str
    username: str
    officer: bool


@dataclass
class DemoResult:
    province: AdministrativeUnit
    logins: list[DemoLogin] = field(default_factory=list)
    password: str = ""


def _place(unit: AdministrativeUnit) -> str:
    """'tỉnh Quảng Ngãi', 'thành phố Hà Nội', 'xã Tịnh Khê', 'đặc khu Lý Sơn'."""
    for prefix in ("Thành phố ", "Tỉnh ", "Đặc khu ", "Phường ", "Xã "):
        if unit.name.startswith(prefix):
            return prefix.lower() + unit.name[len(prefix) :]
    if unit.level == UnitLevel.PROVINCE and unit.kind == UnitKind.PROVINCE:
        return f"tỉnh {unit.name}"
    return unit.name


def _slug(unit: AdministrativeUnit) -> str:
    """'xa_tinh_khe' → 'tinhkhe' (for demo usernames)."""
    codename = unit.codename or unit.code
    for prefix in ("xa_", "phuong_", "dac_khu_"):
        if codename.startswith(prefix):
            codename = codename[len(prefix) :]
            break
    return codename.replace("_", "")


def demo_personal_id(
    index: int, *, gender: Gender, birth_date: datetime.date, province: str
) -> str:
    """A number of valid form: the province's birth-registration code (its two-digit code with
    a leading zero), century and gender, birth year, then 00000<n>."""
    return (
        personal_id_prefix(
            birth_province_code=f"0{province}", gender=gender, birth_year=birth_date.year
        )
        + f"{index:06d}"
    )


def demo_tax_code(province: str) -> str:
    """A tax code with a valid check digit: the province code, 9999 and a counter."""
    for counter in range(1000):
        first_nine = f"{province}9999{counter:03d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise RuntimeError("no tax code with a valid check digit found")  # pragma: no cover


class _Builder:
    def __init__(self, province_code: str, password: str):
        self.province_code = province_code
        self.password = password
        self.level1 = f"H{province_code}"
        self._password_hash: str | None = None
        self.result: DemoResult

    # -- accounts ---------------------------------------------------------------------------

    def password_hash(self) -> str:
        """One hash for every demo account. Reuse the stored one when it still matches the
        password (idempotent, and one PBKDF2 run instead of fifty)."""
        if self._password_hash is None:
            user_model = get_user_model()
            stored = (
                user_model.objects.filter(username__in=(*CITIZEN_USERNAMES, "quantri.tinh"))
                .exclude(password="")
                .values_list("password", flat=True)
                .first()
            )
            if stored and check_password(self.password, stored):
                self._password_hash = stored
            else:
                self._password_hash = make_password(self.password)
        return self._password_hash

    def user(self, username: str, full_name: str) -> Any:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "is_active": True}
        )
        password_hash = self.password_hash()
        if created or user.password != password_hash or user.full_name != full_name:
            user.full_name = full_name
            user.password = password_hash
            user.is_active = True
            user.save(update_fields=["full_name", "password", "is_active"])
            action = "org.demo.user_create" if created else "org.demo.user_reset"
            record(actor=None, action=action, target=user, after=audit_snapshot(user))
        return user

    def totp(self, user: Any) -> None:
        device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
        if device is None:
            TOTPDevice.objects.create(
                user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True
            )
            record(actor=None, action="org.demo.totp_create", target=user)
        elif device.key != DEMO_TOTP_KEY_HEX or not device.confirmed:
            device.key = DEMO_TOTP_KEY_HEX
            device.confirmed = True
            device.save(update_fields=["key", "confirmed"])

    def officer(
        self,
        username: str,
        role: Role,
        agency: Agency,
        *,
        department: Department | None = None,
        desk: Desk | None = None,
        full_name: str = "",
    ) -> None:
        full_name = (
            full_name
            or OFFICE_NAMES.get(username)
            or f"{role.label} (demo) – {agency.short_name or agency.name}"
        )
        user = self.user(username, full_name)
        self.totp(user)
        held = current_roles(user, (role.value,)).filter(agency=agency, department=department)
        if not held.exists():
            services.role_assign(
                actor=None, user=user, role=role, agency=agency, department=department, desk=desk
            )
        self.result.logins.append(
            DemoLogin(role=role.label, agency=agency.name, username=username, officer=True)
        )

    # -- organisation -----------------------------------------------------------------------

    def agency(
        self,
        *,
        name: str,
        short_name: str,
        y: int,
        level: str,
        unit: AdministrativeUnit,
        z: int = 0,
        parent: Agency | None = None,
    ) -> Agency:
        code = f"000.{z:02d}.{y:02d}.{self.level1}"
        existing = Agency.objects.filter(code=code).first()
        if existing is not None:
            return existing
        if parent is None and (y or z):
            parent = Agency.objects.get(code=f"000.00.00.{self.level1}")
        return services.agency_create(
            actor=None,
            name=name,
            short_name=short_name,
            code=code,
            level=level,
            unit_code=unit.code,
            parent=parent,
        )

    def department(self, agency: Agency, name: str) -> Department:
        existing = Department.objects.filter(agency=agency, name=name).first()
        return existing or services.department_create(actor=None, agency=agency, name=name)

    def desk(self, agency: Agency, name: str, kind: str, serves: list[Agency]) -> Desk:
        existing = Desk.objects.filter(agency=agency, name=name).first()
        if existing is not None:
            return existing
        return services.desk_create(actor=None, agency=agency, name=name, kind=kind, serves=serves)

    def build(self) -> DemoResult:
        load_units(province_codes=[self.province_code])
        load_shipped_history(province_codes=[self.province_code])
        province = AdministrativeUnit.objects.get(
            level=UnitLevel.PROVINCE, code=self.province_code, valid_to__isnull=True
        )
        self.result = DemoResult(province=province, password=self.password)
        place = _place(province)

        committee = self.agency(
            name=f"Ủy ban nhân dân {place}",
            short_name=f"UBND {place}",
            y=0,
            level=AgencyLevel.PROVINCE,
            unit=province,
        )
        sos: list[tuple[Agency, Department, str]] = []
        for index, (name, short, suffix, specialist_department) in enumerate(DEPARTMENTS, 1):
            agency = self.agency(
                name=f"{name} {place}",
                short_name=short,
                y=index,
                level=AgencyLevel.PROVINCE,
                unit=province,
            )
            self.department(agency, "Văn phòng Sở")
            sos.append((agency, self.department(agency, specialist_department), suffix))
        # The provincial police issue criminal-record certificates (lý lịch tư pháp) since 2025;
        # commune police handle residence registration. Codes: y = 30 (see docs/org.md).
        police = self.agency(
            name=f"Công an {place}",
            short_name="CAT",
            y=POLICE_Y,
            level=AgencyLevel.PROVINCE,
            unit=province,
        )
        police_records = self.department(police, POLICE_DEPARTMENT)
        centre = self.desk(
            committee,
            f"Trung tâm Phục vụ hành chính công {place}",
            DeskKind.SERVICE_CENTRE,
            [committee, *(agency for agency, _, _ in sos), police],
        )

        self.officer("quantri.tinh", Role.PROVINCE_ADMIN, committee)
        self.officer("giamsat.tinh", Role.MONITOR, committee)
        self.officer("motcua.tinh", Role.RECEPTION, committee, desk=centre)
        self.officer("lanhdao.tinh", Role.LEADER, committee)
        self.officer("vanthu.tinh", Role.CLERK, committee)
        for agency, department, suffix in [*sos, (police, police_records, "cat")]:
            if suffix == "stp":
                self.officer("quantri.stp", Role.AGENCY_ADMIN, agency)
                self.officer("vanthu.stp", Role.CLERK, agency)
            self.officer(f"chuyenvien.{suffix}", Role.SPECIALIST, agency, department=department)
            self.officer(
                f"truongphong.{suffix}", Role.DEPARTMENT_HEAD, agency, department=department
            )
            self.officer(f"lanhdao.{suffix}", Role.LEADER, agency)

        communes = list(
            AdministrativeUnit.objects.filter(
                level=UnitLevel.COMMUNE, province=province, valid_to__isnull=True
            ).order_by("code")[:DEMO_COMMUNE_COUNT]
        )
        used: set[str] = set()
        for index, commune in enumerate(communes):
            commune_place = _place(commune)
            agency = self.agency(
                name=f"Ủy ban nhân dân {commune_place}",
                short_name=f"UBND {commune_place}",
                y=51 + index,
                level=AgencyLevel.COMMUNE,
                unit=commune,
            )
            commune_police = self.agency(
                name=f"Công an {commune_place}",
                short_name=f"CA {commune_place}"[:50],
                y=POLICE_Y,
                z=index + 1,
                level=AgencyLevel.COMMUNE,
                unit=commune,
                parent=police,
            )
            desk = self.desk(
                agency,
                f"Bộ phận Một cửa {commune_place}",
                DeskKind.ONE_STOP,
                [agency, commune_police],
            )
            slug = _slug(commune)
            if slug in used:
                slug = f"{slug}{commune.code}"
            used.add(slug)
            self.officer(f"motcua.{slug}", Role.RECEPTION, agency, desk=desk)
            # The commune's văn thư registers the documents it receives (e-office).
            self.officer(
                f"vanthu.{slug}",
                Role.CLERK,
                agency,
                full_name=COMMUNE_CLERKS[index % len(COMMUNE_CLERKS)],
            )
            self.officer(f"chuyenvien.{slug}", Role.SPECIALIST, agency)
            self.officer(f"lanhdao.{slug}", Role.LEADER, agency)
            self.officer(f"congan.{slug}", Role.SPECIALIST, commune_police)
            self.officer(f"truongcongan.{slug}", Role.LEADER, commune_police)

        self.applicants(committee, communes)
        return self.result

    def applicants(self, committee: Agency, communes: list[AdministrativeUnit]) -> None:
        for index, (full_name, gender, birth_date, has_account) in enumerate(CITIZENS, 1):
            personal_id = demo_personal_id(
                index, gender=gender, birth_date=birth_date, province=self.province_code
            )
            user = None
            if has_account:
                username = CITIZEN_USERNAMES[index - 1]
                user = self.user(username, full_name)
                self.result.logins.append(
                    DemoLogin(role="Công dân", agency="", username=username, officer=False)
                )
            if Citizen.objects.filter(personal_id=personal_id).exists():
                continue
            unit = communes[(index - 1) % len(communes)] if communes else None
            services.citizen_create(
                actor=None,
                full_name=full_name,
                personal_id=personal_id,
                birth_date=birth_date,
                gender=gender,
                address=f"Số {index}, đường Thử Nghiệm",
                address_unit_code=unit.code if unit else None,
                user=user,
                agency=None if has_account else committee,
            )
        tax_code = demo_tax_code(self.province_code)
        organisation = Organisation.objects.filter(tax_code=tax_code).first()
        if organisation is None:
            organisation = services.organisation_create(
                actor=None,
                name="Công ty TNHH Thử Nghiệm Công Sở",
                tax_code=tax_code,
                address="Số 1, đường Thử Nghiệm",
                address_unit_code=communes[0].code if communes else None,
                agency=committee,
            )
        self.representatives(organisation)

    def representatives(self, organisation: Organisation) -> None:
        """The demo citizens with accounts act for the demo company (issue 13 item 4): the first
        as its legal representative, the second as an authorised person."""
        roles = (RepresentativeRole.LEGAL, RepresentativeRole.AUTHORISED)
        for username, role in zip(CITIZEN_USERNAMES, roles, strict=False):
            citizen = Citizen.objects.filter(user__username=username).first()
            if (
                citizen is None
                or Representative.objects.filter(
                    organisation=organisation, citizen=citizen, role=role
                ).exists()
            ):
                continue
            representation.representative_add(
                actor=None,
                organisation=organisation,
                citizen=citizen,
                role=role,
                evidence="Dữ liệu thử nghiệm (demo)",
                valid_from=datetime.date(2025, 1, 1),
            )


@transaction.atomic
def load_demo(*, province_code: str | None = None, password: str | None = None) -> DemoResult:
    """Build (or find) the demo province; returns the logins to print."""
    code = str(province_code or settings.DEMO_PROVINCE_CODE).strip().zfill(2)
    secret = password if password is not None else settings.DEMO_PASSWORD
    if not secret:
        raise DomainError(
            "demo_password_empty", "Mật khẩu demo (CONGSO_DEMO_PASSWORD) không được để trống."
        )
    return _Builder(code, secret).build()


def otpauth_uri(username: str) -> str:
    """The otpauth:// URI an authenticator app accepts for a demo officer."""
    device = TOTPDevice(
        user=get_user_model()(username=username), name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX
    )
    return str(device.config_url)
