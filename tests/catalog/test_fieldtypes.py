"""Form field types behind the registry: a plugin type is picked up by the schema check, the
data validation, the form pages (its widget) and the review page, with no edit elsewhere."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from congso.catalog import fieldtypes
from congso.catalog.fieldtypes import FieldInvalid, FieldType
from congso.catalog.formschema import FormInvalid, validate_data, validate_schema
from congso.core.errors import DomainError
from congso.portal import schemaform

_PLATE = re.compile(r"^(\d{2})([A-Z]{1,2}\d?)-?(\d{3})\.?(\d{2})$")


class PlateField(FieldType):
    """A vehicle registration plate, "51F-123.45": stored without punctuation, shown with it."""

    id = "vehicle_plate"
    label = "Biển số xe"
    keys = frozenset({"province_prefix"})

    def check_schema(self, spec: Mapping[str, Any], path: str, context: Any) -> None:
        prefix = spec.get("province_prefix")
        if prefix is not None and not (isinstance(prefix, str) and prefix.isdigit()):
            raise fieldtypes.base.schema_error(
                "«province_prefix» là hai chữ số.", f"{path}.province_prefix"
            )

    def clean(self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None) -> str:
        found = _PLATE.match(str(value).strip().upper().replace(" ", ""))
        if not found:
            raise FieldInvalid("invalid_plate", "không phải biển số xe (ví dụ 51F-123.45).")
        if spec.get("province_prefix") and found.group(1) != spec["province_prefix"]:
            raise FieldInvalid(
                "plate_province", f"biển số phải bắt đầu bằng {spec['province_prefix']}."
            )
        return "".join(found.groups())

    def display(self, spec: Mapping[str, Any], value: Any) -> str:
        text = str(value)
        return f"{text[:3]}-{text[3:-2]}.{text[-2:]}" if len(text) > 5 else text

    def input_attrs(self, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [("autocapitalize", "characters"), ("maxlength", "12")]


@pytest.fixture
def plate() -> Iterator[None]:
    fieldtypes.registry.register(PlateField)
    try:
        yield
    finally:
        fieldtypes.registry.unregister("vehicle_plate")


SCHEMA = {
    "version": 1,
    "fields": [
        {"name": "plate", "type": "vehicle_plate", "label": "Biển số", "required": True,
         "province_prefix": "51"},
        {"name": "owners", "type": "group", "label": "Chủ xe", "fields": [
            {"name": "plate", "type": "vehicle_plate", "label": "Biển số cũ"},
        ]},
    ],
}  # fmt: skip


def test_an_unregistered_type_is_refused_with_the_registered_ones_listed() -> None:
    with pytest.raises(DomainError) as info:
        validate_schema(SCHEMA)
    assert info.value.field == "fields.0.type"
    assert "«vehicle_plate» không hợp lệ" in info.value.message
    assert "text, textarea, number, date, choice" in info.value.message


def test_a_plugin_field_type_is_checked_cleaned_read_drawn_and_displayed(plate: None) -> None:
    validate_schema(SCHEMA)
    with pytest.raises(DomainError) as info:
        validate_schema({"fields": [{**SCHEMA["fields"][0], "province_prefix": 51}]})
    assert info.value.field == "fields.0.province_prefix"
    with pytest.raises(DomainError, match="Khóa không dùng cho trường loại vehicle_plate: max"):
        validate_schema({"fields": [{**SCHEMA["fields"][0], "max": 3}]})

    cleaned = validate_data(SCHEMA, {"plate": "51f 123.45", "owners": [{"plate": "29A-999.99"}]})
    assert cleaned == {"plate": "51F12345", "owners": [{"plate": "29A99999"}]}
    with pytest.raises(FormInvalid) as bad:
        validate_data(SCHEMA, {"plate": "29A-111.11", "owners": [{"plate": "xe đạp"}]})
    assert [(e["field"], e["code"]) for e in bad.value.errors] == [
        ("plate", "plate_province"),
        ("owners.0.plate", "invalid_plate"),
    ]
    assert "«Biển số»: biển số phải bắt đầu bằng 51." in bad.value.errors[0]["message"]

    post = QueryDict("plate=51F-123.45&owners.rows=2&owners.0.plate=29A-999.99&owners.1.plate=")
    values = schemaform.read_step(SCHEMA["fields"], post)
    assert values == {"plate": "51F-123.45", "owners": [{"plate": "29A-999.99"}]}

    (field, group) = schemaform.bind(SCHEMA["fields"], values, {"plate": "Sai biển số."})
    html = render_to_string("portal/includes/schema_field.html", {"f": field})
    assert 'name="plate"' in html and 'type="text"' in html
    assert 'autocapitalize="characters"' in html and 'aria-invalid="true"' in html
    group_html = render_to_string("portal/includes/schema_field.html", {"f": group})
    assert 'name="owners.0.plate"' in group_html and 'value="29A-999.99"' in group_html

    assert schemaform.display(SCHEMA["fields"][0], "51F12345") == "51F-123.45"
    assert schemaform.display(SCHEMA["fields"][1], [{"plate": "29A99999"}]) == (
        "1. Biển số cũ: 29A-999.99"
    )


def test_builtin_widgets_keep_their_attributes() -> None:
    specs = [
        {"name": "pid", "type": "personal_id", "label": "Số định danh"},
        {"name": "n", "type": "number", "label": "Số", "min": 0, "max": 10},
        {"name": "d", "type": "date", "label": "Ngày"},
        {"name": "t", "type": "text", "label": "Tên", "max_length": 20},
    ]
    html = [
        render_to_string("portal/includes/schema_field.html", {"f": f})
        for f in schemaform.bind(specs, {}, {})
    ]
    assert 'inputmode="numeric" maxlength="12" pattern="[0-9]{12}"' in html[0]
    assert 'type="number" min="0" max="10"' in html[1]
    assert 'type="date"' in html[2]
    assert 'type="text" maxlength="20"' in html[3]
