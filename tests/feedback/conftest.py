"""A small province for feedback tests: province 51 with two communes, a neighbouring province
with one, the commune People's Committee, the provincial transport department, officers, the
default category tree and two routing rules."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from congso.accounts.models import User
from congso.feedback import services
from congso.feedback.models import Category
from congso.org.models import (
    AdministrativeUnit,
    Agency,
    AgencyLevel,
    Role,
    RoleAssignment,
    UnitKind,
    UnitLevel,
)
from tests.dossiers.conftest import Clock, at

__all__ = ["Clock", "at"]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FEEDBACK_PROVINCE = "51"
    return settings.MEDIA_ROOT


@dataclass
class Province:
    province: AdministrativeUnit
    ward_a: AdministrativeUnit
    ward_b: AdministrativeUnit
    foreign_ward: AdministrativeUnit
    commune_a: Agency
    transport: Agency
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def category(self, code: str) -> Category:
        return Category.objects.get(province=self.province, code=code)


def _officer(username: str, role: str, agency: Agency, email: str = "") -> User:
    user = User.objects.create_user(
        username=username, password="x", full_name=username, email=email
    )
    RoleAssignment.objects.create(
        user=user, role=role, agency=agency, valid_from=datetime.date(2020, 1, 1)
    )
    return user


def build_province() -> Province:
    province = AdministrativeUnit.objects.create(
        code="51", name="Quảng Ngãi", level=UnitLevel.PROVINCE, kind=UnitKind.PROVINCE
    )
    other = AdministrativeUnit.objects.create(
        code="48", name="Đà Nẵng", level=UnitLevel.PROVINCE, kind=UnitKind.CENTRAL_CITY
    )

    def ward(code: str, name: str, of: AdministrativeUnit) -> AdministrativeUnit:
        return AdministrativeUnit.objects.create(
            code=code,
            name=name,
            level=UnitLevel.COMMUNE,
            kind=UnitKind.WARD,
            parent=of,
            province=of,
        )

    ward_a = ward("21001", "Phường Cẩm Thành", province)
    ward_b = ward("21002", "Phường Nghĩa Lộ", province)
    foreign = ward("20194", "Phường Hải Châu", other)
    commune_a = Agency.objects.create(
        name="UBND phường Cẩm Thành",
        code="000.00.51.H51",
        level=AgencyLevel.COMMUNE,
        unit=ward_a,
        province=province,
    )
    transport = Agency.objects.create(
        name="Sở Xây dựng",
        code="000.00.02.H51",
        level=AgencyLevel.PROVINCE,
        unit=province,
        province=province,
    )
    world = Province(province, ward_a, ward_b, foreign, commune_a, transport)
    world.users = {
        "operator": _officer("tongdai.1022", Role.RECEPTION, transport),
        "clerk_a": _officer("tiepnhan.a", Role.RECEPTION, commune_a),
        "handler_a": _officer("chuyenvien.a", Role.SPECIALIST, commune_a, "cv.a@example.vn"),
        "leader_a": _officer("lanhdao.a", Role.LEADER, commune_a, "ld.a@example.vn"),
        "handler_t": _officer("chuyenvien.sxd", Role.SPECIALIST, transport, "cv.sxd@example.vn"),
        "leader_t": _officer("lanhdao.sxd", Role.LEADER, transport, "ld.sxd@example.vn"),
        "citizen": User.objects.create_user(username="congdan", password="x"),
    }
    services.categories_seed(actor=None, province_unit=province)
    start = datetime.date(2025, 7, 1)
    services.rule_add(
        actor=None, category=world.category("giao-thong"), agency=transport, valid_from=start
    )
    services.rule_add(
        actor=None,
        category=world.category("moi-truong"),
        agency=transport,
        valid_from=start,
        priority=200,
    )
    services.rule_add(
        actor=None,
        category=world.category("moi-truong"),
        agency=commune_a,
        unit=ward_a,
        valid_from=start,
    )
    return world


@pytest.fixture
def pv(db: Any, clock: Clock) -> Province:
    return build_province()


def jpeg_with_location(name: str = "o-ga.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), (120, 90, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (15.0, 7.0, 12.0)
    gps[3] = "E"
    gps[4] = (108.0, 48.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
