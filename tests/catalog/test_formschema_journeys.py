"""Issue 12: the stored (cleaned) form data is accepted back as it is, a blank optional address
is no answer, and every message says whose field it is."""

from __future__ import annotations

from typing import Any

import pytest

from congso.catalog import demo_forms
from congso.catalog.formschema import FormInvalid, validate_data

from .conftest import COMMUNE

SCHEMA = {
    "version": 1,
    "fields": [
        {"name": "mother_full_name", "type": "text", "label": "Họ, chữ đệm, tên", "section": "Mẹ"},
        {
            "name": "mother_residence",
            "type": "address",
            "label": "Nơi cư trú",
            "section": "Mẹ",
            "required": True,
        },
        {
            "name": "father_residence",
            "type": "address",
            "label": "Nơi cư trú",
            "require_detail": False,
            "section": "Cha",
        },
        {
            "name": "spouses",
            "type": "group",
            "label": "Hai bên",
            "fields": [
                {"name": "full_name", "type": "text", "label": "Họ, tên", "required": True},
                {"name": "residence", "type": "address", "label": "Nơi cư trú"},
            ],
        },
    ],
}


def data(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "mother_full_name": "Trần Thị Mai",
        "mother_residence": {"unit_code": COMMUNE, "detail": "Số 12, đường Lê Lợi"},
        "father_residence": {"unit_code": "", "detail": ""},
        "spouses": [
            {"full_name": "Lê Văn Hùng", "residence": {"unit_code": COMMUNE, "detail": "Tổ 3"}}
        ],
    }
    values.update(changes)
    return values


def test_cleaned_data_validates_again_unchanged(units: None) -> None:
    cleaned = validate_data(SCHEMA, data())
    assert cleaned["mother_residence"]["unit_name"]  # enriched
    again = validate_data(SCHEMA, cleaned)
    assert again == cleaned


def test_a_blank_optional_address_is_no_answer(units: None) -> None:
    cleaned = validate_data(SCHEMA, data())
    assert cleaned["father_residence"] is None


def test_a_blank_required_address_says_whose_field(units: None) -> None:
    with pytest.raises(FormInvalid) as raised:
        validate_data(SCHEMA, data(mother_residence={"unit_code": "", "detail": ""}))
    (error,) = raised.value.errors
    assert error["field"] == "mother_residence"
    assert error["code"] == "required"
    assert error["message"] == "«Nơi cư trú (Mẹ)»: bắt buộc nhập."


def test_group_rows_name_their_row(units: None) -> None:
    with pytest.raises(FormInvalid) as raised:
        validate_data(SCHEMA, data(spouses=[{"residence": {"unit_code": COMMUNE, "detail": "x"}}]))
    (error,) = raised.value.errors
    assert error["field"] == "spouses.0.full_name"
    assert error["message"] == "«Họ, tên (Hai bên, mục 1)»: bắt buộc nhập."


def test_an_address_with_an_unexpected_key_is_refused(units: None) -> None:
    with pytest.raises(FormInvalid) as raised:
        validate_data(SCHEMA, data(mother_residence={"unit_code": COMMUNE, "x": "1"}))
    assert raised.value.errors[0]["code"] == "invalid_address"
    assert "{" not in raised.value.errors[0]["message"]


def test_every_demo_key_form_validates_its_own_cleaned_data(units: None) -> None:
    """The supplement path checks the stored data again: it must not reject itself."""
    from tests.e2e.test_every_demo_procedure import fill

    class _Citizen:
        personal_id = "051085000001"
        full_name = "Nguyễn Văn Thử"
        birth_date = None
        gender = ""

    for code, builder in demo_forms.KEY_FORMS.items():
        fields = builder()
        schema = {"version": 1, "fields": fields}
        cleaned = validate_data(schema, fill(fields, _Citizen(), COMMUNE))  # type: ignore[arg-type]
        assert validate_data(schema, cleaned) == cleaned, code
