"""Pure parts: diacritics, segments, phone numbers, quiet hours."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from congso.core.errors import DomainError
from congso.notify import services
from congso.notify.phone import normalise_phone, to_e164
from congso.notify.text import segments, sms_text, strip_diacritics

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_strip_diacritics_keeps_the_letters():
    assert (
        strip_diacritics("Hồ sơ đã được tiếp nhận, Đăng ký") == "Ho so da duoc tiep nhan, Dang ky"
    )
    assert sms_text("  Ủy ban   nhân dân  ", unicode=False) == "Uy ban nhan dan"
    assert sms_text("Ủy ban", unicode=True) == "Ủy ban"


def test_segments_gsm7_and_ucs2():
    assert segments("a" * 160) == ("GSM-7", 160, 1)
    assert segments("a" * 161) == ("GSM-7", 161, 2)
    assert segments("[" * 80) == ("GSM-7", 160, 1)  # extension characters cost two septets
    assert segments("ồ" * 70) == ("UCS-2", 70, 1)
    assert segments("ồ" * 71) == ("UCS-2", 71, 2)


@pytest.mark.parametrize(
    "raw", ["0912345678", "+84 912 345 678", "84912345678", "0912.345.678", "(091) 234-5678"]
)
def test_phone_formats_normalise(raw):
    assert normalise_phone(raw) == "0912345678"
    assert to_e164(raw) == "+84912345678"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "Chưa có"),
        ("+1 202 555 0100", "không phải số điện thoại Việt Nam"),
        ("01234567890", "11 chữ số cũ"),
        ("0241234567", "không phải đầu số di động"),
        ("09123", "không đúng định dạng"),
        ("09x2345678", "không phải chữ số"),
    ],
)
def test_invalid_phones_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(DomainError) as info:
        normalise_phone(raw)
    assert info.value.code == "invalid_phone"
    assert reason in info.value.message


def test_quiet_hours_span_midnight(settings):
    settings.NOTIFY_QUIET_HOURS = "21:00-07:00"
    night = datetime.datetime(2026, 3, 2, 22, 30, tzinfo=VN)
    assert services._quiet_until(night) == datetime.datetime(2026, 3, 3, 7, 0, tzinfo=VN)
    early = datetime.datetime(2026, 3, 3, 6, 0, tzinfo=VN)
    assert services._quiet_until(early) == datetime.datetime(2026, 3, 3, 7, 0, tzinfo=VN)
    assert services._quiet_until(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=VN)) is None
    settings.NOTIFY_QUIET_HOURS = ""
    assert services._quiet_until(night) is None
