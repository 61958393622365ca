"""Fixtures for the org tests: one real province (51, Quảng Ngãi) from the package, plus a
second (48, Đà Nẵng) where a test needs another province. Never the whole country."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from congso.accounts.models import User
from congso.org import services
from congso.org.loaders import load_units
from congso.org.models import AdministrativeUnit, Agency, AgencyLevel, Role, RoleAssignment

PROVINCE = "51"
OTHER_PROVINCE = "48"
#: Two real communes of province 51 in the package data (2025.10.1).
COMMUNE = "21025"  # Phường Cẩm Thành
OTHER_COMMUNE = "21028"  # Phường Nghĩa Lộ


@pytest.fixture
def units(db: Any) -> None:
    load_units(province_codes=[PROVINCE])


@pytest.fixture
def two_provinces(db: Any) -> None:
    load_units(province_codes=[PROVINCE, OTHER_PROVINCE])


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, **extra: Any) -> User:
        return User.objects.create_user(username=username, password="x", **extra)

    return make


@pytest.fixture
def make_agency(db: Any) -> Callable[..., Agency]:
    counter = iter(range(1, 99))

    def make(
        name: str,
        *,
        province: str = PROVINCE,
        level: str = AgencyLevel.PROVINCE,
        unit_code: str | None = None,
        code: str | None = None,
    ) -> Agency:
        return services.agency_create(
            actor=None,
            name=name,
            code=code or f"000.00.{next(counter):02d}.H{province}",
            level=level,
            unit_code=unit_code or province,
        )

    return make


@pytest.fixture
def grant(db: Any) -> Callable[..., RoleAssignment]:
    def give(user: User, role: Role, agency: Agency, **extra: Any) -> RoleAssignment:
        return services.role_assign(actor=None, user=user, role=role, agency=agency, **extra)

    return give


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def province_unit(code: str = PROVINCE) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, level="province", valid_to__isnull=True)
