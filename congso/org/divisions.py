"""Reference data about administrative units that the ``vietnam-provinces`` package lacks.

The package (2025.10.1) carries only the units in force since 1/7/2025: 34 provinces and 3,321
communes, wards and special zones, with their QĐ 19/2025/QĐ-TTg codes. It has no district level,
no pre-2025 unit and no old→new map (later releases that add them need Python 3.12).

What is kept here is the province level before 1/7/2025 and how it was merged, which is public
law: the 63 provinces and their GSO codes (the same list as the birth-registration codes of the
personal ID number, TT 07/2016/TT-BCA and TT 59/2021/TT-BCA) and the merger of NQ 202/2025/QH15
(each new province keeps the code of one of the provinces merged into it). Districts and
pre-2025 communes are not invented: ``load_units --historic-units/--successions`` imports them
from the official GSO exports (see docs/org.md).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import vietnam_provinces

from congso.org.identity import BIRTH_PROVINCE_CODES

#: First day of the two-level local government (NQ 202/2025/QH15, Law 72/2025/QH15).
REFORM_DATE = datetime.date(2025, 7, 1)
#: Last day the pre-2025 units were in force.
HISTORIC_VALID_TO = REFORM_DATE - datetime.timedelta(days=1)

PACKAGE_SOURCE = f"vietnam-provinces {vietnam_provinces.__version__}"
PROVINCE_MERGER_SOURCE = "NQ 202/2025/QH15; mã tỉnh theo TT 07/2016/TT-BCA"
PROVINCE_MERGER_BASIS = "NQ 202/2025/QH15"


@dataclass(frozen=True)
class HistoricProvince:
    code: str
    name: str
    kind: str  # "tinh" or "thanh_pho_trung_uong"
    successor: str  # code of the province it became part of on 1/7/2025


#: Official names before 1/7/2025 ("Thành phố Huế" since 1/1/2025, NQ 1314/NQ-UBTVQH15).
_CITY_NAMES = {
    "01": "Thành phố Hà Nội",
    "31": "Thành phố Hải Phòng",
    "46": "Thành phố Huế",
    "48": "Thành phố Đà Nẵng",
    "79": "Thành phố Hồ Chí Minh",
    "92": "Thành phố Cần Thơ",
}

#: Old province code → new province code, NQ 202/2025/QH15 art. 1. The eleven provinces that
#: were not merged map to themselves.
PROVINCE_MERGER_2025: dict[str, str] = {
    "01": "01",
    "04": "04",
    "11": "11",
    "12": "12",
    "14": "14",
    "20": "20",
    "22": "22",
    "38": "38",
    "40": "40",
    "42": "42",
    "46": "46",
    # Tuyên Quang + Hà Giang
    "08": "08",
    "02": "08",
    # Lào Cai + Yên Bái → Lào Cai (code 15)
    "10": "15",
    "15": "15",
    # Thái Nguyên + Bắc Kạn
    "19": "19",
    "06": "19",
    # Bắc Ninh + Bắc Giang → Bắc Ninh (code 24)
    "27": "24",
    "24": "24",
    # Phú Thọ + Vĩnh Phúc + Hòa Bình
    "25": "25",
    "26": "25",
    "17": "25",
    # Hải Phòng + Hải Dương
    "31": "31",
    "30": "31",
    # Hưng Yên + Thái Bình
    "33": "33",
    "34": "33",
    # Ninh Bình + Hà Nam + Nam Định
    "37": "37",
    "35": "37",
    "36": "37",
    # Quảng Trị + Quảng Bình → Quảng Trị (code 44)
    "45": "44",
    "44": "44",
    # Đà Nẵng + Quảng Nam
    "48": "48",
    "49": "48",
    # Quảng Ngãi + Kon Tum
    "51": "51",
    "62": "51",
    # Gia Lai + Bình Định → Gia Lai (code 52)
    "64": "52",
    "52": "52",
    # Khánh Hòa + Ninh Thuận
    "56": "56",
    "58": "56",
    # Đắk Lắk + Phú Yên
    "66": "66",
    "54": "66",
    # Lâm Đồng + Đắk Nông + Bình Thuận
    "68": "68",
    "67": "68",
    "60": "68",
    # Đồng Nai + Bình Phước
    "75": "75",
    "70": "75",
    # Hồ Chí Minh + Bình Dương + Bà Rịa - Vũng Tàu
    "79": "79",
    "74": "79",
    "77": "79",
    # Tây Ninh + Long An → Tây Ninh (code 80)
    "72": "80",
    "80": "80",
    # Đồng Tháp + Tiền Giang → Đồng Tháp (code 82)
    "87": "82",
    "82": "82",
    # Vĩnh Long + Bến Tre + Trà Vinh
    "86": "86",
    "83": "86",
    "84": "86",
    # An Giang + Kiên Giang → An Giang (code 91)
    "89": "91",
    "91": "91",
    # Cần Thơ + Sóc Trăng + Hậu Giang
    "92": "92",
    "94": "92",
    "93": "92",
    # Cà Mau + Bạc Liêu
    "96": "96",
    "95": "96",
}


def _historic_name(code: str) -> str:
    if code in _CITY_NAMES:
        return _CITY_NAMES[code]
    return f"Tỉnh {BIRTH_PROVINCE_CODES['0' + code]}"


HISTORIC_PROVINCES: tuple[HistoricProvince, ...] = tuple(
    HistoricProvince(
        code=code,
        name=_historic_name(code),
        kind="thanh_pho_trung_uong" if code in _CITY_NAMES else "tinh",
        successor=PROVINCE_MERGER_2025[code],
    )
    for code in sorted(PROVINCE_MERGER_2025)
)


@dataclass(frozen=True)
class CurrentCommune:
    code: str
    name: str
    kind: str  # "xa", "phuong" or "dac_khu"
    codename: str
    short_codename: str


@dataclass(frozen=True)
class CurrentProvince:
    code: str
    name: str
    kind: str  # "tinh" or "thanh_pho_trung_uong"
    codename: str
    communes: tuple[CurrentCommune, ...]


_PACKAGE_KINDS = {
    "tỉnh": "tinh",
    "thành phố trung ương": "thanh_pho_trung_uong",
    "xã": "xa",
    "phường": "phuong",
    "đặc khu": "dac_khu",
}


def current_divisions() -> list[CurrentProvince]:
    """The units in force since 1/7/2025, read from the package's nested JSON file (one read,
    no import of the package's 390 kB lookup module)."""
    raw: list[dict[str, Any]] = json.loads(
        vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")
    )
    provinces = []
    for item in raw:
        communes = tuple(
            CurrentCommune(
                code=f"{ward['code']:05d}",
                name=ward["name"],
                kind=_PACKAGE_KINDS[ward["division_type"]],
                codename=ward["codename"],
                short_codename=ward["short_codename"],
            )
            for ward in item["wards"]
        )
        provinces.append(
            CurrentProvince(
                code=f"{item['code']:02d}",
                name=item["name"],
                kind=_PACKAGE_KINDS[item["division_type"]],
                codename=item["codename"],
                communes=communes,
            )
        )
    return provinces
