"""Vietnamese mobile numbers: normalise +84… / 84… / 0… and check the mobile prefix."""

from __future__ import annotations

import re

from congso.core.errors import DomainError

# Mobile prefixes in use since the 2018 switch to 10-digit numbers (Viettel, VinaPhone,
# MobiFone, Vietnamobile, Gmobile, Itel, Reddi).
MOBILE_PREFIXES = frozenset(
    [
        "032",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "039",
        "052",
        "055",
        "056",
        "058",
        "059",
        "070",
        "076",
        "077",
        "078",
        "079",
        "081",
        "082",
        "083",
        "084",
        "085",
        "086",
        "087",
        "088",
        "089",
        "090",
        "091",
        "092",
        "093",
        "094",
        "096",
        "097",
        "098",
        "099",
    ]
)


def normalise_phone(raw: str) -> str:
    """``+84 912 345 678`` / ``84912345678`` / ``0912.345.678`` → ``0912345678``.

    Raises :class:`DomainError` ``invalid_phone`` with the reason in Vietnamese."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if not digits:
        raise DomainError("invalid_phone", "Chưa có số điện thoại.", field="phone")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            raise DomainError(
                "invalid_phone",
                f"Số {raw} không phải số điện thoại Việt Nam (mã quốc gia +84).",
                field="phone",
            )
    if not digits.isdigit():
        raise DomainError("invalid_phone", f"Số {raw} chứa ký tự không phải chữ số.", field="phone")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if len(digits) == 11 and digits.startswith("01"):
        raise DomainError(
            "invalid_phone",
            f"Số {raw} là số 11 chữ số cũ; các số này đã chuyển sang 10 chữ số từ năm 2018.",
            field="phone",
        )
    if len(digits) != 10 or not digits.startswith("0"):
        raise DomainError(
            "invalid_phone",
            f"Số {raw} không đúng định dạng số di động Việt Nam (10 chữ số, bắt đầu bằng 0).",
            field="phone",
        )
    if digits[:3] not in MOBILE_PREFIXES:
        raise DomainError(
            "invalid_phone",
            f"Đầu số {digits[:3]} của số {raw} không phải đầu số di động đang sử dụng.",
            field="phone",
        )
    return digits


def to_e164(phone: str) -> str:
    """``0912345678`` → ``+84912345678``."""
    return "+84" + normalise_phone(phone)[1:]
