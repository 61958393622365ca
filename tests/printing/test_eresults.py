"""The e-results as official documents, rendered from realistic answers to the demo forms
(``congso.catalog.demo_forms``) without a database: each reads as the Vietnamese document
(headings, register numbers, the signer's block), empty fields print their label alone, and
nothing of the program shows (no ``{``, ``None``, option values, field names). Page images are
kept under ``var/screens/eresult/``."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from congso.catalog import demo_forms
from congso.printing import eresults
from congso.printing.words import amount_words, date_words, number_words
from congso.results import render
from congso.signing import pades
from tests.printing.eresultcheck import check_reads_as_document, keep_pages
from tests.printing.pdfcheck import fonts_of, text_of

REG = eresults.Registration(
    issuer_parent="",
    issuer="Ủy ban nhân dân xã Tịnh Khê",
    place="Tịnh Khê",
    place_full="Ủy ban nhân dân xã Tịnh Khê, tỉnh Quảng Ngãi",
    registered_on=datetime.date(2026, 3, 2),
    register_number=27,
    extract_number=31,
)


def address(detail: str, commune: str = "Xã Tịnh Khê") -> dict[str, str]:
    """An address as the form stores it once validated (enriched)."""
    parts = [detail, commune, "Tỉnh Quảng Ngãi"]
    return {
        "unit_code": "21028",
        "unit_name": commune,
        "province_code": "51",
        "province_name": "Tỉnh Quảng Ngãi",
        "detail": detail,
        "full": ", ".join(p for p in parts if p),
    }


APPLICANT = {
    "applicant_full_name": "Nguyễn Thị Hồng Nhung",
    "applicant_personal_id": "051196000123",
    "applicant_address": address("Số 12, thôn Cổ Lũy"),
    "applicant_phone": "0912345678",
}

BIRTH = {
    **APPLICANT,
    "applicant_relationship": "mother",
    "child_full_name": "Nguyễn Ngọc An",
    "child_birth_date": "2026-02-20",
    "child_gender": "female",
    "child_ethnicity": "Kinh",
    "child_nationality": "Việt Nam",
    "child_birth_place": address("", "Phường Cẩm Thành"),
    "child_birth_facility": "Bệnh viện Sản - Nhi tỉnh Quảng Ngãi",
    "child_hometown": "Xã Tịnh Khê, tỉnh Quảng Ngãi",
    "mother_full_name": "Nguyễn Thị Hồng Nhung",
    "mother_birth_date": "1996-04-12",
    "mother_ethnicity": "Kinh",
    "mother_nationality": "Việt Nam",
    "mother_personal_id": "051196000123",
    "mother_residence": address("Số 12, thôn Cổ Lũy"),
    # The father is not known: his section is left blank.
    "copies_requested": 2,
}

DEATH = {
    **APPLICANT,
    "applicant_relationship": "child",
    "deceased_full_name": "Trần Văn Hùng",
    "deceased_birth_date": "1941-07-05",
    "deceased_gender": "male",
    "deceased_ethnicity": "Kinh",
    "deceased_nationality": "Việt Nam",
    "deceased_personal_id": "051041000456",
    # Last residence unknown, time of death unknown: left blank.
    "death_date": "2026-02-27",
    "death_place": address("Thôn Phú Long"),
    "death_cause": "Bệnh già",
}

MARRIAGE = {
    **APPLICANT,
    "spouses": [
        {
            "full_name": "Nguyễn Thị Hồng Nhung",
            "birth_date": "1996-04-12",
            "gender": "female",
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "personal_id": "051196000123",
            "residence": address("Số 12, thôn Cổ Lũy"),
            "marriage_history": "first",
        },
        {
            "full_name": "Lê Minh Quân",
            "birth_date": "1994-11-30",
            "gender": "male",
            "ethnicity": "Hrê",
            "nationality": "Việt Nam",
            "personal_id": "051094000789",
            "residence": address("Tổ 3", "Phường Cẩm Thành"),
            "marriage_history": "divorced",
        },
    ],
}

BUSINESS = {
    "business_name": "Tạp hóa Hồng Nhung",
    "business_address": address("Số 12, thôn Cổ Lũy"),
    "business_phone": "0255381234",
    "business_lines": [
        {"line_name": "Bán lẻ lương thực, thực phẩm trong cửa hàng", "vsic_code": "4721"},
        {"line_name": "Bán lẻ đồ uống trong các cửa hàng chuyên doanh", "vsic_code": "4723"},
    ],
    "capital_vnd": 150000000,
    "employees": 2,
    "owner_full_name": "Nguyễn Thị Hồng Nhung",
    "owner_personal_id": "051196000123",
    "owner_birth_date": "1996-04-12",
    "owner_gender": "female",
    "owner_ethnicity": "Kinh",
    "owner_residence": address("Số 12, thôn Cổ Lũy"),
    "owner_phone": "0912345678",
    "members": [],
}

CASES: dict[str, tuple[Any, dict[str, Any], Any, tuple[str, ...]]] = {
    "birth": (
        demo_forms.birth_registration,
        BIRTH,
        eresults.birth_extract,
        (
            "TRÍCH LỤC KHAI SINH",
            "(BẢN SAO)",
            "Số: 31/TLKS-BS",
            "Họ, chữ đệm, tên: NGUYỄN NGỌC AN",
            "Ngày, tháng, năm sinh: 20/02/2026",
            "Ngày hai mươi tháng hai năm hai nghìn không trăm hai mươi sáu",
            "Giới tính: Nữ",
            "Nơi sinh: Bệnh viện Sản - Nhi tỉnh Quảng Ngãi, Phường Cẩm Thành, Tỉnh Quảng Ngãi",
            "Họ, chữ đệm, tên người mẹ: NGUYỄN THỊ HỒNG NHUNG",
            "Năm sinh: 1996",
            "Nơi cư trú: Số 12, thôn Cổ Lũy, Xã Tịnh Khê, Tỉnh Quảng Ngãi",
            "Họ, chữ đệm, tên người cha:",
            "Nơi đăng ký khai sinh: Ủy ban nhân dân xã Tịnh Khê, tỉnh Quảng Ngãi",
            "Số đăng ký: 27",
            "Ngày, tháng, năm đăng ký: 02/03/2026",
            "NGƯỜI KÝ TRÍCH LỤC",
            "Tịnh Khê, ngày 02 tháng 3 năm 2026",
        ),
    ),
    "death": (
        demo_forms.death_registration,
        DEATH,
        eresults.death_extract,
        (
            "TRÍCH LỤC KHAI TỬ",
            "(BẢN CHÍNH)",
            "Số: 31/TLKT-BC",
            "Họ, chữ đệm, tên: TRẦN VĂN HÙNG",
            "Giới tính: Nam",
            "Nơi cư trú cuối cùng:",
            "Đã chết vào lúc: ngày 27/02/2026",
            "Nguyên nhân chết: Bệnh già",
            "Quan hệ với người đã chết: Con",
            "Nơi đăng ký khai tử",
            "NGƯỜI KÝ TRÍCH LỤC",
        ),
    ),
    "marriage": (
        demo_forms.marriage_registration,
        MARRIAGE,
        eresults.marriage_extract,
        (
            "TRÍCH LỤC KẾT HÔN",
            "Số: 31/TLKH-BS",
            "Chồng",
            "Vợ",
            "LÊ MINH QUÂN",
            "NGUYỄN THỊ HỒNG NHUNG",
            "Hrê",
            "Nơi đăng ký kết hôn: Ủy ban nhân dân xã Tịnh Khê",
        ),
    ),
    "household-business": (
        demo_forms.household_business,
        BUSINESS,
        eresults.household_business_certificate,
        (
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
            "Số đăng ký: 27/2026",
            "TẠP HÓA HỒNG NHUNG",
            "Ngành, nghề kinh doanh",
            "4721",
            "150.000.000 đồng",
            "Một trăm năm mươi triệu đồng",
            "Thông tin về chủ hộ kinh doanh",
            "TM. ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
        ),
    ),
}


def _render(doc: eresults.EResult) -> bytes:
    data = render.ResultDocument(
        code="000.00.51.H51-260302-0001-KQ(1)",
        document=doc,
        verify_url="http://congso.test/xac-thuc/AbC_dEf-123/",
        dossier_code="000.00.51.H51-260302-0001",
        procedure_name="Thủ tục thử nghiệm",
        applicant_name="Nguyễn Thị Hồng Nhung",
        received_at=None,
        processed_at=None,
        legal_basis="Luật Hộ tịch năm 2014",
        roles=["approval"],
    )
    return pades.add_fields(
        render.render_result(data), {"Sig1_approval": render.FIELD_BOXES["approval"]}
    )


@pytest.mark.parametrize("case", list(CASES))
def test_each_demo_e_result_reads_as_the_official_document(case: str, tmp_path: Path) -> None:
    schema, data, builder, phrases = CASES[case]
    doc = builder(eresults.FormReader(schema(), data), REG)
    assert eresults.EResult.from_dict(doc.as_dict()) == doc  # stored with the result as is
    pdf = _render(doc)
    check_reads_as_document(pdf, tmp_path, *phrases)
    assert all(fonts_of(pdf).values())  # every font embedded (Vietnamese diacritics)
    keep_pages(pdf, case)


def test_generic_result_prints_labels_and_sections_not_field_names(tmp_path: Path) -> None:
    fields = demo_forms.generic_fields(["citizen"])
    data = {**APPLICANT, "note": "Xin cấp bản sao <b>giấy</b> {tờ}"}
    doc = eresults.generic_result(
        eresults.FormReader(fields, data),
        REG,
        title="Kết quả giải quyết thủ tục",
        procedure_name="Cấp bản sao từ sổ gốc",
        applicant_name="Nguyễn Thị Hồng Nhung",
        applicant_address="Số 12, thôn Cổ Lũy, Xã Tịnh Khê, Tỉnh Quảng Ngãi",
        result_summary="Đã cấp 02 bản sao",
    )
    text = "\n".join(doc.text_lines())
    assert "Người yêu cầu" in text and "Nội dung đề nghị, ghi chú" in text
    pdf = _render(doc)
    # Citizen text is inert: printed as typed, never read as markup.
    assert "Xin cấp bản sao <b>giấy</b>" in text_of(pdf)
    assert "THỦ TRƯỞNG CƠ QUAN" not in text_of(pdf)  # a people's committee signs "TM."


def test_empty_fields_print_the_label_alone() -> None:
    form = eresults.FormReader(demo_forms.birth_registration(), {"father_full_name": None})
    doc = eresults.birth_extract(form, REG)
    lines = doc.text_lines()
    assert "Họ, chữ đệm, tên người cha:" in lines
    assert not any("None" in line or "{" in line for line in lines)


def test_address_without_its_enrichment_is_still_a_place_name() -> None:
    form = eresults.FormReader(
        [{"name": "a", "type": "address"}],
        {"a": {"unit_code": "21028", "detail": "Số 1"}},
        unit_name=lambda code: "Xã Tịnh Khê, Tỉnh Quảng Ngãi" if code == "21028" else "",
    )
    assert form.text("a") == "Số 1, Xã Tịnh Khê, Tỉnh Quảng Ngãi"


def test_numbers_and_dates_in_words() -> None:
    assert number_words(2026) == "hai nghìn không trăm hai mươi sáu"
    assert number_words(1995) == "một nghìn chín trăm chín mươi lăm"
    assert number_words(105) == "một trăm linh năm"
    assert number_words(21) == "hai mươi mốt"
    assert number_words(2_005_000) == "hai triệu không trăm linh năm nghìn"
    assert date_words(datetime.date(2026, 3, 15)) == (
        "Ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi sáu"
    )
    assert amount_words(500_000_000) == "Năm trăm triệu đồng"
