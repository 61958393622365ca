"""Personal ID numbers, tax codes and agency identifiers: valid forms and every failure."""

from __future__ import annotations

import datetime

import pytest

from congso.org.identity import (
    BIRTH_PROVINCE_CODES,
    Gender,
    InvalidIdentifier,
    agency_code_level,
    personal_id_prefix,
    tax_code_check_digit,
    validate_agency_code,
    validate_personal_id,
    validate_tax_code,
)

TODAY = datetime.date(2026, 6, 1)


def fails(code: str, value: str, **kwargs: object) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as info:
        validate_personal_id(value, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert info.value.code == code
    assert info.value.field == "personal_id"
    return info.value


# --- personal ID ---------------------------------------------------------------------------------


def test_the_list_has_the_63_pre_2025_provinces() -> None:
    assert len(BIRTH_PROVINCE_CODES) == 63
    assert min(BIRTH_PROVINCE_CODES) == "001"
    assert max(BIRTH_PROVINCE_CODES) == "096"
    assert BIRTH_PROVINCE_CODES["051"] == "Quảng Ngãi"
    assert BIRTH_PROVINCE_CODES["062"] == "Kon Tum"


@pytest.mark.parametrize(
    ("number", "gender", "year", "province"),
    [
        ("001087123456", Gender.MALE, 1987, "Hà Nội"),
        ("051185000001", Gender.FEMALE, 1985, "Quảng Ngãi"),
        ("062201000002", Gender.MALE, 2001, "Kon Tum"),
        ("096326999999", Gender.FEMALE, 2026, "Cà Mau"),
    ],
)
def test_valid_numbers_say_who_holds_them(
    number: str, gender: Gender, year: int, province: str
) -> None:
    info = validate_personal_id(f"  {number} ", today=TODAY)
    assert info.number == number
    assert info.gender == gender
    assert info.birth_year == year
    assert info.birth_province_name == province


def test_consistent_birth_date_and_gender_pass() -> None:
    info = validate_personal_id(
        "051185000001", birth_date=datetime.date(1985, 3, 12), gender="female", today=TODAY
    )
    assert info.birth_province_code == "051"


def test_not_digits() -> None:
    error = fails("personal_id_not_digits", "05118500000A")
    assert "chỉ được gồm chữ số" in error.message
    fails("personal_id_not_digits", "０５１１８５０００００１")  # full-width digits


@pytest.mark.parametrize("value", ["05118500000", "0511850000011", ""])
def test_wrong_length(value: str) -> None:
    if value == "":
        fails("personal_id_not_digits", value)
    else:
        error = fails("personal_id_length", value)
        assert f"đang có {len(value)}" in error.message


@pytest.mark.parametrize("prefix", ["099", "000", "003", "097", "100"])
def test_unknown_birth_province(prefix: str) -> None:
    error = fails("personal_id_province", f"{prefix}185000001")
    assert error.message == (f"Mã tỉnh nơi đăng ký khai sinh '{prefix}' (3 số đầu) không tồn tại.")
    assert error.positions == (1, 3)


def test_birth_year_in_the_future() -> None:
    error = fails("personal_id_birth_year_future", "051499000001")  # 2199
    assert error.positions == (4, 6)
    assert "2199" in error.message
    fails("personal_id_birth_year_future", "051227000001")  # 2027, after TODAY


def test_century_does_not_match_birth_date() -> None:
    error = fails(
        "personal_id_century_mismatch", "051085000001", birth_date=datetime.date(2085, 1, 1)
    )
    assert error.positions == (4, 4)
    assert "1900–1999" in error.message


def test_birth_year_does_not_match_birth_date() -> None:
    error = fails(
        "personal_id_birth_year_mismatch", "051085000001", birth_date=datetime.date(1986, 1, 1)
    )
    assert error.positions == (5, 6)
    assert "'85'" in error.message and "1986" in error.message


def test_gender_does_not_match() -> None:
    error = fails("personal_id_gender_mismatch", "051085000001", gender=Gender.FEMALE)
    assert error.positions == (4, 4)
    assert "giới tính nam" in error.message


def test_prefix_builder_round_trips() -> None:
    prefix = personal_id_prefix(birth_province_code="051", gender=Gender.FEMALE, birth_year=2004)
    assert prefix == "051304"
    assert validate_personal_id(prefix + "000123", today=TODAY).birth_year == 2004
    with pytest.raises(ValueError):
        personal_id_prefix(birth_province_code="099", gender=Gender.MALE, birth_year=1990)


# --- tax code ------------------------------------------------------------------------------------


def test_tax_code_check_digit_worked_example() -> None:
    # 0100047516: 31·0+29·1+23·0+19·0+17·0+13·4+7·7+5·5+3·1 = 158; 158 mod 11 = 4; 10 − 4 = 6.
    assert tax_code_check_digit("010004751") == 6
    assert validate_tax_code("0100047516") == "0100047516"
    assert validate_tax_code("0100047516-001") == "0100047516-001"
    assert validate_tax_code("0100 047 516") == "0100047516"


@pytest.mark.parametrize(
    "value", ["010004751", "01000475160", "0100047516-01", "0100047516/001", "A100047516", ""]
)
def test_tax_code_format(value: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        validate_tax_code(value)
    assert info.value.code == "tax_code_format"
    assert info.value.field == "tax_code"


def test_tax_code_wrong_check_digit() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        validate_tax_code("0100047517")
    assert info.value.code == "tax_code_check_digit"
    assert info.value.positions == (10, 10)


def test_tax_code_whose_check_would_be_ten_is_never_valid() -> None:
    first_nine = next(
        f"{n:09d}" for n in range(100000000, 100100000) if tax_code_check_digit(f"{n:09d}") is None
    )
    for last in "0123456789":
        with pytest.raises(InvalidIdentifier):
            validate_tax_code(first_nine + last)


def test_tax_code_branch_000() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        validate_tax_code("0100047516-000")
    assert info.value.code == "tax_code_branch"


# --- agency electronic identifier ---------------------------------------------------------------


def test_agency_code_valid_and_normalised() -> None:
    assert validate_agency_code("000.00.12.H56") == "000.00.12.H56"
    assert validate_agency_code(" 000.00.00.h51 ") == "000.00.00.H51"
    assert agency_code_level("000.00.00.H51") == 1
    assert agency_code_level("000.00.12.H56") == 2
    assert agency_code_level("000.03.12.H56") == 3
    assert agency_code_level("001.03.12.H56") == 4


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("000.00.H56", "4 nhóm"),
        ("000.00.12.H56.1", "4 nhóm"),
        ("00.00.12.H56", "nhóm thứ 1 (V1V2V3)"),
        ("000.0A.12.H56", "nhóm thứ 2 (Z1Z2)"),
        ("000.00.123.H56", "nhóm thứ 3 (Y1Y2)"),
        ("000.00.12.156", "nhóm thứ 4 (MX1X2)"),
        ("000.00.12.HH5", "nhóm thứ 4 (MX1X2)"),
        ("", "4 nhóm"),
    ],
)
def test_agency_code_malformed(value: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        validate_agency_code(value)
    assert info.value.code == "agency_code_format"
    assert info.value.field == "code"
    assert fragment in info.value.message
    assert "000.00.12.H56" in info.value.message
