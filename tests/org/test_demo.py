"""The demo province loader: complete, idempotent, usable (password and TOTP)."""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.org.demo import DEMO_TOTP_KEY_HEX, load_demo
from congso.org.identity import validate_personal_id, validate_tax_code
from congso.org.models import (
    AdministrativeUnit,
    Agency,
    Citizen,
    Department,
    Desk,
    DeskKind,
    Organisation,
    Role,
    RoleAssignment,
)
from congso.org.permissions import can
from congso.org.selectors import is_officer


def state() -> dict[str, Any]:
    return {
        "units": AdministrativeUnit.objects.count(),
        "agencies": sorted(Agency.objects.values_list("code", "name")),
        "departments": Department.objects.count(),
        "desks": sorted(Desk.objects.values_list("name", flat=True)),
        "roles": sorted(RoleAssignment.objects.values_list("user__username", "role", "agency_id")),
        "users": sorted(User.objects.values_list("username", "password")),
        "devices": sorted(TOTPDevice.objects.values_list("user__username", "key", "confirmed")),
        "citizens": sorted(Citizen.objects.values_list("personal_id", "full_name")),
        "organisations": Organisation.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
@override_settings(DEMO_PASSWORD="mat-khau-thu")
def test_load_demo_twice_gives_the_same_result() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = state()
    started = time.monotonic()
    second_out = StringIO()
    call_command("load_demo", "--province", "51", stdout=second_out)
    assert time.monotonic() - started < 30
    assert state() == first
    assert second_out.getvalue() == out.getvalue()

    text = out.getvalue()
    assert "Vai trò" in text and "Tên đăng nhập" in text and "Mật khẩu" in text
    for username in (
        "motcua.tinh",
        "chuyenvien.stp",
        "lanhdao.stp",
        "vanthu.stp",
        "quantri.tinh",
        "giamsat.tinh",
        "truongphong.stp",
        "quantri.stp",
        "motcua.camthanh",
        "congdan.mot",
    ):
        assert username in text
    assert "mat-khau-thu" in text
    assert "otpauth://totp/" in text


@pytest.mark.django_db
@override_settings(DEMO_PASSWORD="mat-khau-thu")
def test_demo_content() -> None:
    result = load_demo()
    assert result.province.code == "51"
    agencies = Agency.objects.all()
    # the People's Committee, 8 departments and the provincial police
    assert agencies.filter(level="province").count() == 1 + 8 + 1
    # 10 commune People's Committees and their police
    assert agencies.filter(level="commune").count() == 10 + 10
    assert agencies.get(code="000.00.30.H51").name == "Công an tỉnh Quảng Ngãi"
    assert agencies.get(code="000.01.30.H51").parent == agencies.get(code="000.00.30.H51")
    assert agencies.get(code="000.00.00.H51").name == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert agencies.get(code="000.00.01.H51").name == "Sở Tư pháp tỉnh Quảng Ngãi"
    centre = Desk.objects.get(kind=DeskKind.SERVICE_CENTRE)
    assert centre.name == "Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi"
    assert centre.serves.count() == 10
    assert Desk.objects.filter(kind=DeskKind.ONE_STOP).count() == 10
    # Every commune agency sits on a real commune of the province.
    for agency in agencies.filter(level="commune"):
        assert agency.unit is not None and agency.unit.province == result.province
    # Every role is represented.
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    # Demo citizens: fictitious names, valid numbers.
    for citizen in Citizen.objects.all():
        assert citizen.full_name.startswith("Công Dân Thử Nghiệm")
        validate_personal_id(
            citizen.personal_id, birth_date=citizen.birth_date, gender=citizen.gender
        )
    validate_tax_code(Organisation.objects.get().tax_code)

    # Logins work: the password, and a TOTP code from the published demo key.
    officer = authenticate(username="motcua.tinh", password="mat-khau-thu")
    assert officer is not None and is_officer(officer)
    device = TOTPDevice.objects.get(user=officer, confirmed=True)
    assert device.key == DEMO_TOTP_KEY_HEX
    assert device.verify_token(str(totp(bytes.fromhex(DEMO_TOTP_KEY_HEX))).zfill(6))
    citizen_user = authenticate(username="congdan.mot", password="mat-khau-thu")
    assert citizen_user is not None and not is_officer(citizen_user)
    assert not TOTPDevice.objects.filter(user=citizen_user).exists()
    assert can(citizen_user, "view", Citizen.objects.get(user=citizen_user))

    # The demo officers are scoped as documented.
    specialist = User.objects.get(username="chuyenvien.stp")
    assert not can(specialist, "view", Agency.objects.get(code="000.00.05.H51"))
    monitor = User.objects.get(username="giamsat.tinh")
    assert Agency.objects.restrict(monitor).count() == 30
    assert not Agency.objects.restrict(monitor, "change").exists()


@pytest.mark.django_db
def test_demo_for_another_province_and_unknown_code() -> None:
    result = load_demo(province_code="1", password="x")
    assert result.province.name == "Thành phố Hà Nội"
    assert Agency.objects.get(code="000.00.00.H01").name == "Ủy ban nhân dân thành phố Hà Nội"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="62"):
        call_command("load_demo", "--province", "62", stdout=StringIO())
