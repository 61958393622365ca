"""A small world for dossier tests: one province (51), two commune People's Committees with their
one-stop desks, a provincial department for consultations and inter-agency steps, officers for
every role involved, two citizens, one procedure with a published internal process.

Everything is created with the ORM (fast); the clock is a fixture (``clock.set(...)``) that
replaces ``django.utils.timezone.now``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from congso.accounts.models import User
from congso.catalog.models import (
    Component,
    Field,
    Procedure,
    ProcedureVersion,
    Process,
    ProcessStep,
)
from congso.dossiers import services
from congso.dossiers.models import Dossier
from congso.org.demo import demo_tax_code
from congso.org.models import (
    AdministrativeUnit,
    Agency,
    AgencyLevel,
    Citizen,
    Desk,
    DeskKind,
    Organisation,
    Representative,
    RepresentativeRole,
    Role,
    RoleAssignment,
    UnitKind,
    UnitLevel,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64

FORM_SCHEMA = {
    "version": 1,
    "title": "Tờ khai đăng ký khai sinh",
    "fields": [
        {
            "name": "ho_ten_tre",
            "type": "text",
            "label": "Họ, chữ đệm, tên của trẻ",
            "required": True,
        },
        {"name": "ngay_sinh", "type": "date", "label": "Ngày sinh", "required": True},
        {
            "name": "to_khai",
            "type": "file",
            "label": "Tờ khai",
            "component": "to-khai",
            "required": True,
        },
    ],
}
FORM = {"ho_ten_tre": "Nguyễn Văn An", "ngay_sinh": "2026-01-20"}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=VN)


def pdf(name: str = "to-khai.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def online_files() -> dict[str, list[Any]]:
    return {"to-khai": [pdf()], "giay-chung-sinh": [png("giay-chung-sinh.png")]}


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.now = at(2026, 3, 2, 9, 0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, value: datetime.datetime) -> datetime.datetime:
        self.now = value
        return value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class World:
    province: AdministrativeUnit
    commune_a: Agency
    commune_b: Agency
    department: Agency
    desk_a: Desk
    desk_b: Desk
    procedure: Procedure
    version: ProcedureVersion
    process: Process
    users: dict[str, User] = field(default_factory=dict)
    citizen: Citizen | None = None
    other_citizen: Citizen | None = None
    organisation: Organisation | None = None

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def _agency(name: str, code: str, level: str, province: AdministrativeUnit) -> Agency:
    return Agency.objects.create(
        name=name, short_name=name, code=code, level=level, unit=province, province=province
    )


def _officer(username: str, role: str, agency: Agency, desk: Desk | None = None) -> User:
    user = User.objects.create_user(username=username, password="x", full_name=username)
    RoleAssignment.objects.create(
        user=user, role=role, agency=agency, desk=desk, valid_from=datetime.date(2020, 1, 1)
    )
    return user


def build_world() -> World:
    province = AdministrativeUnit.objects.create(
        code="51", name="Quảng Ngãi", level=UnitLevel.PROVINCE, kind=UnitKind.PROVINCE
    )
    commune_a = _agency("UBND xã A", "000.00.51.H51", AgencyLevel.COMMUNE, province)
    commune_b = _agency("UBND xã B", "000.00.52.H51", AgencyLevel.COMMUNE, province)
    department = _agency("Sở Tư pháp", "000.00.01.H51", AgencyLevel.PROVINCE, province)
    desk_a = Desk.objects.create(agency=commune_a, name="Một cửa xã A", kind=DeskKind.ONE_STOP)
    desk_a.serves.add(commune_a)
    desk_b = Desk.objects.create(agency=commune_b, name="Một cửa xã B", kind=DeskKind.ONE_STOP)
    desk_b.serves.add(commune_b)

    field_row = Field.objects.create(code="ho-tich", name="Hộ tịch", sector_code="G15-TP07")
    procedure = Procedure.objects.create(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        search_text="thu tuc dang ky khai sinh 1.001193",
        field=field_row,
        levels=["commune"],
        applicant_types=["citizen", "organisation"],
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=1,
        effective_from=datetime.date(2025, 7, 1),
        submission_channels=["online", "postal", "direct"],
        time_limit_value=Decimal(3),
        time_limit_unit="working_days",
        online_level="full",
        form_schema=FORM_SCHEMA,
    )
    Component.objects.create(
        version=version,
        order=1,
        code="to-khai",
        name="Tờ khai đăng ký khai sinh",
        original_or_copy="original",
        mandatory=True,
        allowed_types=["application/pdf"],
    )
    Component.objects.create(
        version=version,
        order=2,
        code="giay-chung-sinh",
        name="Giấy chứng sinh",
        original_or_copy="original",
        mandatory=True,
    )
    Component.objects.create(
        version=version,
        order=3,
        code="giay-uy-quyen",
        name="Văn bản ủy quyền",
        original_or_copy="certified_copy",
        mandatory=False,
        max_size_bytes=100,
    )
    process = Process.objects.create(version=version, agency=commune_a, name="Quy trình khai sinh")
    for order, (name, role, hours, actions) in enumerate(
        [
            ("Tiếp nhận hồ sơ", Role.RECEPTION, "2", []),
            ("Thẩm định hồ sơ", Role.SPECIALIST, "12", []),
            ("Ký duyệt kết quả", Role.LEADER, "4", ["send_back", "complete", "refuse"]),
            ("Trả kết quả", Role.RECEPTION, "1", []),
        ],
        start=1,
    ):
        ProcessStep.objects.create(
            process=process,
            order=order,
            name=name,
            kind="step",
            role=role,
            hours=Decimal(hours),
            allowed_actions=actions,
        )
    world = World(
        province=province,
        commune_a=commune_a,
        commune_b=commune_b,
        department=department,
        desk_a=desk_a,
        desk_b=desk_b,
        procedure=procedure,
        version=version,
        process=process,
    )
    world.users = {
        "reception_a": _officer("motcua.a", Role.RECEPTION, commune_a, desk_a),
        "specialist_a": _officer("chuyenvien.a", Role.SPECIALIST, commune_a),
        "leader_a": _officer("lanhdao.a", Role.LEADER, commune_a),
        "reception_b": _officer("motcua.b", Role.RECEPTION, commune_b, desk_b),
        "specialist_b": _officer("chuyenvien.b", Role.SPECIALIST, commune_b),
        "leader_b": _officer("lanhdao.b", Role.LEADER, commune_b),
        "specialist_stp": _officer("chuyenvien.stp", Role.SPECIALIST, department),
        "leader_stp": _officer("lanhdao.stp", Role.LEADER, department),
        "monitor": _officer("giamsat.tinh", Role.MONITOR, department),
        "citizen_user": User.objects.create_user(username="congdan.mot", password="x"),
        "other_user": User.objects.create_user(username="congdan.hai", password="x"),
    }
    world.citizen = Citizen.objects.create(
        user=world.users["citizen_user"],
        full_name="Công Dân Một",
        personal_id="051085000001",
        phone="0912345678",
    )
    world.other_citizen = Citizen.objects.create(
        user=world.users["other_user"], full_name="Công Dân Hai", personal_id="051192000002"
    )
    world.organisation = Organisation.objects.create(
        name="Công ty TNHH Thử Nghiệm", tax_code=demo_tax_code("51")
    )
    # The first citizen is the company's legal representative (issue 13 item 4); the second
    # is no representative of it.
    Representative.objects.create(
        organisation=world.organisation,
        citizen=world.citizen,
        role=RepresentativeRole.LEGAL,
        valid_from=datetime.date(2025, 1, 1),
    )
    return world


@pytest.fixture
def world(db: Any, clock: Clock) -> World:
    return build_world()


def submit(world: World, **extra: Any) -> Dossier:
    """A citizen submits online (now)."""
    params: dict[str, Any] = {
        "actor": world.citizen_user,
        "procedure": world.procedure,
        "competent_agency": world.commune_a,
        "form_data": dict(FORM),
        "files": online_files(),
    }
    params.update(extra)
    return services.dossier_submit_online(**params)


def receive(world: World, dossier: Dossier) -> Dossier:
    return services.dossier_receive(actor=world.reception_a, dossier=dossier)


def to_processing(world: World, clock: Clock, start: datetime.datetime) -> Dossier:
    """Submitted, received and handed to the specialist at ``start``."""
    clock.set(start)
    dossier = receive(world, submit(world))
    return services.dossier_start_processing(actor=world.reception_a, dossier=dossier)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)
