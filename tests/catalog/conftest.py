"""Fixtures for the catalogue tests: the units of one real province (51, Quảng Ngãi), a few
agencies, and procedures built from records of the interchange format."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from congso.accounts.models import User
from congso.catalog import services
from congso.catalog.models import ProcedureVersion
from congso.catalog.specs import read_record
from congso.org import services as org_services
from congso.org.loaders import load_units
from congso.org.models import Agency, AgencyLevel

PROVINCE = "51"
COMMUNE = "21025"  # Phường Cẩm Thành, Quảng Ngãi
SO_TU_PHAP = "000.00.01.H51"
SO_XAY_DUNG = "000.00.03.H51"
UBND_XA = "000.00.51.H51"
SPECIALIST_DEPARTMENT = "Phòng Hành chính tư pháp"


def record(**overrides: Any) -> dict[str, Any]:
    """A record of the interchange format (a real procedure: đăng ký khai sinh, 1.001193)."""
    base: dict[str, Any] = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": {"name": "Hộ tịch", "code": "G15-TP07"},
        "levels": ["commune"],
        "applicant_types": ["citizen"],
        "version": 1,
        "effective_from": "2025-07-01",
        "competent_agency": "Ủy ban nhân dân cấp xã",
        "received_at": "Trung tâm Phục vụ hành chính công cấp xã",
        "submission_channels": ["online", "postal", "direct"],
        "time_limit": {"value": 1, "unit": "working_days", "text": "01 ngày làm việc"},
        "fees": [
            {
                "name": "Lệ phí đăng ký khai sinh đúng hạn",
                "amount_vnd": 0,
                "condition": "Đăng ký đúng hạn",
                "legal_basis": "Luật Hộ tịch 2014 Điều 11",
            },
            {"name": "Phí cấp bản sao", "amount_vnd": 8000, "condition": None, "legal_basis": None},
        ],
        "components": [
            {
                "code": "to-khai",
                "name": "Tờ khai đăng ký khai sinh",
                "original_or_copy": "original",
                "quantity": 1,
                "mandatory": True,
                "condition": None,
                "template": "Mẫu theo Thông tư 04/2020/TT-BTP",
            },
            {
                "code": "giay-chung-sinh",
                "name": "Giấy chứng sinh",
                "original_or_copy": "original",
                "quantity": 1,
                "mandatory": True,
                "condition": None,
                "template": None,
            },
        ],
        "result": {"type": "certificate", "name": "Giấy khai sinh"},
        "online_level": "full",
        "partial_reason": None,
        "legal_bases": ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"],
        "source": {"title": "CSDLQG về TTHC", "url": "https://dichvucong.gov.vn/"},
        "notes": "",
        "form_schema": {},
    }
    base.update(copy.deepcopy(overrides))
    return base


def steps(*hours: float, **extra: Any) -> list[dict[str, Any]]:
    """Sequential steps with these hours (reception, specialist…, return)."""
    result = []
    for index, value in enumerate(hours, start=1):
        role = "reception" if index in (1, len(hours)) else "specialist"
        result.append(
            {
                "order": index,
                "name": f"Bước {index}",
                "role": role,
                "hours": value,
                "allowed_actions": ["forward"],
            }
        )
    for step in result:
        step.update(extra)
    return result


@pytest.fixture
def units(db: Any) -> None:
    load_units(province_codes=[PROVINCE])


@pytest.fixture
def agencies(units: None) -> dict[str, Agency]:
    so_tu_phap = org_services.agency_create(
        actor=None,
        name="Sở Tư pháp tỉnh Quảng Ngãi",
        short_name="STP",
        code=SO_TU_PHAP,
        level=AgencyLevel.PROVINCE,
        unit_code=PROVINCE,
    )
    org_services.department_create(actor=None, agency=so_tu_phap, name=SPECIALIST_DEPARTMENT)
    so_xay_dung = org_services.agency_create(
        actor=None,
        name="Sở Xây dựng tỉnh Quảng Ngãi",
        short_name="SXD",
        code=SO_XAY_DUNG,
        level=AgencyLevel.PROVINCE,
        unit_code=PROVINCE,
    )
    commune = org_services.agency_create(
        actor=None,
        name="Ủy ban nhân dân phường Cẩm Thành",
        short_name="UBND phường Cẩm Thành",
        code=UBND_XA,
        level=AgencyLevel.COMMUNE,
        unit_code=COMMUNE,
    )
    return {"stp": so_tu_phap, "sxd": so_xay_dung, "commune": commune}


@pytest.fixture
def make_version(db: Any) -> Callable[..., ProcedureVersion]:
    def make(**overrides: Any) -> ProcedureVersion:
        spec = read_record(record(**overrides))
        version, _ = services.record_apply(
            actor=None, procedure_spec=spec.procedure, number=spec.version, content=spec.content
        )
        if spec.processes is not None:
            services.processes_apply(actor=None, version=version, specs=spec.processes)
        return version

    return make


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser(username="admin", password="x")
