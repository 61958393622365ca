"""Pure validators for the identifiers this app stores: personal ID numbers, tax codes and
agencies' electronic identifiers. No database access; every failure is a :class:`DomainError`
with a stable ``code``, a Vietnamese ``message`` and the input ``field``.

Sources (see docs/org.md for the details):

* personal ID number (số định danh cá nhân, printed on the CCCD / căn cước card): Luật Căn cước
  2023 art. 12 and the appendix "mã tỉnh nơi đăng ký khai sinh" of TT 07/2016/TT-BCA, restated
  by TT 59/2021/TT-BCA: 63 three-digit codes, the pre-2025 province list;
* tax code (mã số thuế) of an organisation: 10 digits, or 10 + "-" + 3 for a dependent unit,
  the tenth digit a weighted mod-11 check digit;
* agency electronic identifier (mã định danh điện tử): QCVN 102:2016/BTTTT, form
  ``V1V2V3.Z1Z2.Y1Y2.MX1X2`` (level 4 . level 3 . level 2 . level 1), e.g. ``000.00.12.H56``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_noop

from congso.core.errors import DomainError, Message

# --- Personal ID number ---------------------------------------------------------------------------

#: Birth-registration province codes, the pre-1/7/2025 list of 63 provinces (TT 07/2016/TT-BCA,
#: TT 59/2021/TT-BCA appendix). They are the GSO province codes with a leading zero and are not
#: renumbered by the 2025 merger: a person born in Kon Tum keeps "062".
BIRTH_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


GENDER_LABELS = {Gender.MALE: gettext_noop("nam"), Gender.FEMALE: gettext_noop("nữ")}


class InvalidIdentifier(DomainError):
    """A malformed identifier. ``positions`` are the 1-based character positions at fault."""

    def __init__(
        self, code: str, message: str, *, field: str, positions: tuple[int, int] | None = None
    ):
        super().__init__(code, message, field=field)
        self.positions = positions


@dataclass(frozen=True)
class PersonalIdInfo:
    """What a valid personal ID number says about its holder."""

    number: str
    birth_province_code: str
    birth_province_name: str
    gender: Gender
    birth_year: int


def _pid_error(code: str, message: Message, positions: tuple[int, int] | None) -> InvalidIdentifier:
    return InvalidIdentifier(code, message, field="personal_id", positions=positions)


def _positions_label(positions: tuple[int, int]) -> Message:
    start, end = positions
    if start == end:
        return Message(gettext_noop("số thứ %(start)s"), start=start)
    return Message(gettext_noop("số thứ %(start)s–%(end)s"), start=start, end=end)


def _gender_label(gender: Gender) -> Message:
    return Message(GENDER_LABELS[gender])


def validate_personal_id(
    value: str,
    *,
    birth_date: datetime.date | None = None,
    gender: Gender | str | None = None,
    today: datetime.date | None = None,
) -> PersonalIdInfo:
    """Check a 12-digit personal ID number and, when given, its consistency with the holder.

    Digits 1–3: birth-registration province; digit 4: century and gender (1900s male 0 /
    female 1, 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9); digits 5–6: last two digits of the
    birth year; digits 7–12: a random number (nothing to check). Raises
    :class:`InvalidIdentifier` naming the part (and the positions) that failed.
    """
    number = (value or "").strip()
    if not number.isascii() or not number.isdigit():
        raise _pid_error(
            "personal_id_not_digits",
            Message(
                gettext_noop("Số định danh cá nhân '%(number)s' chỉ được gồm chữ số 0–9."),
                number=number,
            ),
            None,
        )
    if len(number) != 12:
        raise _pid_error(
            "personal_id_length",
            Message(
                gettext_noop("Số định danh cá nhân phải gồm đúng 12 chữ số (đang có %(count)s)."),
                count=len(number),
            ),
            None,
        )
    province = number[:3]
    if province not in BIRTH_PROVINCE_CODES:
        raise _pid_error(
            "personal_id_province",
            Message(
                gettext_noop("Mã tỉnh nơi đăng ký khai sinh '%(code)s' (3 số đầu) không tồn tại."),
                code=province,
            ),
            (1, 3),
        )
    century_digit = int(number[3])
    century = 1900 + (century_digit // 2) * 100
    holder_gender = Gender.MALE if century_digit % 2 == 0 else Gender.FEMALE
    birth_year = century + int(number[4:6])
    today = today or timezone.localdate()
    if birth_year > today.year:
        raise _pid_error(
            "personal_id_birth_year_future",
            Message(
                gettext_noop(
                    "Mã thế kỷ và giới tính '%(digit)s' (%(at)s) cùng năm sinh '%(year_digits)s' "
                    "(%(year_at)s) cho năm sinh %(year)s, chưa đến."
                ),
                digit=number[3],
                at=_positions_label((4, 4)),
                year_digits=number[4:6],
                year_at=_positions_label((5, 6)),
                year=birth_year,
            ),
            (4, 6),
        )
    if birth_date is not None:
        if not century <= birth_date.year < century + 100:
            raise _pid_error(
                "personal_id_century_mismatch",
                Message(
                    gettext_noop(
                        "Mã thế kỷ và giới tính '%(digit)s' (%(at)s) chỉ người sinh trong các năm "
                        "%(first)s–%(last)s, không khớp năm sinh %(year)s."
                    ),
                    digit=number[3],
                    at=_positions_label((4, 4)),
                    first=century,
                    last=century + 99,
                    year=birth_date.year,
                ),
                (4, 4),
            )
        if birth_date.year % 100 != int(number[4:6]):
            raise _pid_error(
                "personal_id_birth_year_mismatch",
                Message(
                    gettext_noop(
                        "Năm sinh '%(year_digits)s' (%(at)s) không khớp năm sinh %(year)s."
                    ),
                    year_digits=number[4:6],
                    at=_positions_label((5, 6)),
                    year=birth_date.year,
                ),
                (5, 6),
            )
    if gender is not None and Gender(gender) != holder_gender:
        raise _pid_error(
            "personal_id_gender_mismatch",
            Message(
                gettext_noop(
                    "Mã thế kỷ và giới tính '%(digit)s' (%(at)s) chỉ giới tính %(holder)s, không "
                    "khớp giới tính %(declared)s đã khai."
                ),
                digit=number[3],
                at=_positions_label((4, 4)),
                holder=_gender_label(holder_gender),
                declared=_gender_label(Gender(gender)),
            ),
            (4, 4),
        )
    return PersonalIdInfo(
        number=number,
        birth_province_code=province,
        birth_province_name=BIRTH_PROVINCE_CODES[province],
        gender=holder_gender,
        birth_year=birth_year,
    )


def personal_id_prefix(*, birth_province_code: str, gender: Gender | str, birth_year: int) -> str:
    """The six meaningful leading digits for a holder (used to build demo and test numbers)."""
    if birth_province_code not in BIRTH_PROVINCE_CODES:
        raise ValueError(f"unknown birth-registration province code {birth_province_code!r}")
    if not 1900 <= birth_year <= 2399:
        raise ValueError(f"birth year {birth_year} outside 1900–2399")
    century_digit = (birth_year // 100 - 19) * 2 + (0 if Gender(gender) == Gender.MALE else 1)
    return f"{birth_province_code}{century_digit}{birth_year % 100:02d}"


# --- Tax code -------------------------------------------------------------------------------------

TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_CODE_RE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")


def tax_code_check_digit(first_nine: str) -> int | None:
    """The tenth digit of a tax code, or ``None`` when no digit fits (never issued).

    ``10 - (Σ weight_i × digit_i mod 11)`` with weights 31, 29, 23, 19, 17, 13, 7, 5, 3.
    """
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("expected nine digits")
    check = 10 - sum(w * int(d) for w, d in zip(TAX_CODE_WEIGHTS, first_nine, strict=True)) % 11
    return None if check == 10 else check


def validate_tax_code(value: str) -> str:
    """Check an organisation's tax code (``0100047516`` or ``0100047516-001``); returns it
    normalised (spaces removed)."""
    code = (value or "").replace(" ", "")
    match = _TAX_CODE_RE.match(code) if code.isascii() else None
    if match is None:
        raise InvalidIdentifier(
            "tax_code_format",
            Message(
                gettext_noop(
                    "Mã số thuế '%(code)s' phải gồm 10 chữ số, hoặc 10 chữ số, dấu '-' và 3 chữ "
                    "số của đơn vị phụ thuộc (ví dụ 0100047516 hoặc 0100047516-001)."
                ),
                code=code,
            ),
            field="tax_code",
        )
    body, branch = match.group(1), match.group(2)
    expected = tax_code_check_digit(body[:9])
    if expected is None or expected != int(body[9]):
        raise InvalidIdentifier(
            "tax_code_check_digit",
            Message(
                gettext_noop(
                    "Mã số thuế '%(code)s' sai chữ số kiểm tra (số thứ 10): kiểm tra lại từng chữ "
                    "số."
                ),
                code=code,
            ),
            field="tax_code",
            positions=(10, 10),
        )
    if branch == "000":
        raise InvalidIdentifier(
            "tax_code_branch",
            Message(gettext_noop("Ba số của đơn vị phụ thuộc (sau dấu '-') phải từ 001 đến 999.")),
            field="tax_code",
            positions=(12, 14),
        )
    return code


# --- Agency electronic identifier (QCVN 102:2016) -------------------------------------------------

AGENCY_CODE_EXAMPLE = "000.00.12.H56"
_AGENCY_GROUPS = (
    # (pattern, label, description)
    (re.compile(r"^\d{3}$"), "V1V2V3", "mã cấp 4: 3 chữ số"),
    (re.compile(r"^\d{2}$"), "Z1Z2", "mã cấp 3: 2 chữ số"),
    (re.compile(r"^\d{2}$"), "Y1Y2", "mã cấp 2: 2 chữ số"),
    (re.compile(r"^[A-Z]\d{2}$"), "MX1X2", "mã cấp 1: một chữ cái in hoa và 2 chữ số"),
)


def validate_agency_code(value: str) -> str:
    """Check an electronic identifier of the form ``V1V2V3.Z1Z2.Y1Y2.MX1X2``; returns it
    normalised (trimmed, upper case)."""
    code = (value or "").strip().upper()
    groups = code.split(".")
    if len(groups) != 4:
        raise InvalidIdentifier(
            "agency_code_format",
            f"Mã định danh '{code}' phải gồm 4 nhóm ngăn bởi dấu chấm theo QCVN 102:2016 "
            f"(V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ {AGENCY_CODE_EXAMPLE}).",
            field="code",
        )
    for index, (group, (pattern, label, description)) in enumerate(
        zip(groups, _AGENCY_GROUPS, strict=True), start=1
    ):
        if not pattern.match(group):
            raise InvalidIdentifier(
                "agency_code_format",
                f"Mã định danh '{code}': nhóm thứ {index} ({label}) là '{group}', phải là "
                f"{description} (ví dụ {AGENCY_CODE_EXAMPLE}).",
                field="code",
            )
    return code


def agency_code_level(code: str) -> int:
    """The level (1–4) an identifier designates: the rightmost group that is not all zeros
    counts from level 1 (``000.00.00.H56`` → 1, ``000.00.12.H56`` → 2)."""
    v, z, y, _m = validate_agency_code(code).split(".")
    if int(v):
        return 4
    if int(z):
        return 3
    if int(y):
        return 2
    return 1
