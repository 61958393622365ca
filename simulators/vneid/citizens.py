"""The seeded accounts of the VNeID / national-portal simulator.

Personal ID numbers follow RULES.md §4: the birth-registration province code (``051``, the demo
province Quảng Ngãi), the century-and-gender digit, the two last digits of the birth year, six
more digits. Two of them are the demo province's own citizens (``congso.org.demo``): one with a
local account (its first national sign-in asks to merge), one registered at a desk without an
account (its first national sign-in links it).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, replace
from typing import Any


def personal_id(*, province: str, male: bool, birth: datetime.date, tail: int) -> str:
    century_digit = (birth.year // 100 - 19) * 2 + (0 if male else 1)
    return f"{province}{century_digit}{birth.year % 100:02d}{tail:06d}"


@dataclass(frozen=True)
class SimCitizen:
    sub: str
    personal_id: str
    full_name: str
    birth_date: str  # dd/mm/yyyy, as the national systems write it
    male: bool
    level: int  # the account's level (1: basic, 2: verified in person / chip card)
    phone: str = ""
    email: str = ""
    permanent: str = ""
    current: str = ""
    tax_code: str = ""
    #: The enterprise the person represents (the portal SSO's MaSoDoanhNghiep, TenDoanhNghiep).
    business_tax_code: str = ""
    business_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _citizen(
    sub: str,
    name: str,
    male: bool,
    birth: datetime.date,
    tail: int,
    level: int,
    phone: str,
) -> SimCitizen:
    return SimCitizen(
        sub=sub,
        personal_id=personal_id(province="051", male=male, birth=birth, tail=tail),
        full_name=name,
        birth_date=birth.strftime("%d/%m/%Y"),
        male=male,
        level=level,
        phone=phone,
        email=f"{sub}@example.vn",
        permanent="Số 12, đường Lê Lợi, phường Cẩm Thành, tỉnh Quảng Ngãi",
        current="Số 12, đường Lê Lợi, phường Cẩm Thành, tỉnh Quảng Ngãi",
    )


#: Level 2 and level 1 accounts; the demo's own citizens 1 (local account) and 3 (no account).
SEEDED: tuple[SimCitizen, ...] = (
    # An is also the legal representative of a company (the portal SSO says so).
    replace(
        _citizen(
            "vneid-an", "Nguyễn Văn An", True, datetime.date(1990, 4, 15), 100001, 2, "0912000001"
        ),
        business_tax_code="4301020261",
        business_name="Công ty TNHH Nông sản Trà Bồng",
    ),
    _citizen(
        "vneid-binh", "Trần Thị Bình", False, datetime.date(1995, 8, 2), 100002, 1, "0912000002"
    ),
    _citizen(
        "vneid-mot", "Công Dân Thử Nghiệm Một", True, datetime.date(1985, 3, 12), 1, 2, "0912000003"
    ),
    _citizen(
        "vneid-ba", "Công Dân Thử Nghiệm Ba", True, datetime.date(2001, 11, 20), 3, 1, "0912000004"
    ),
)
