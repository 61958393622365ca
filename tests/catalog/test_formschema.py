"""Form schemas: the schema check (paths inside the schema), the data check for every field
type (good and bad, with field paths), prefill."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from congso.catalog.formschema import (
    FormInvalid,
    prefill,
    prefill_map,
    validate_data,
    validate_schema,
)
from congso.core.errors import DomainError
from congso.org.models import AdministrativeUnit, Citizen

from .conftest import COMMUNE

VALID_ID = "051085000001"  # Quảng Ngãi, male, born 1985

SCHEMA: dict[str, Any] = {
    "version": 1,
    "title": "Tờ khai thử",
    "fields": [
        {
            "name": "full_name",
            "type": "text",
            "label": "Họ và tên",
            "required": True,
            "max_length": 20,
            "prefill": "citizen.full_name",
        },
        {"name": "note", "type": "textarea", "label": "Ghi chú", "min_length": 3},
        {
            "name": "copies",
            "type": "number",
            "label": "Số bản sao",
            "integer": True,
            "min": 0,
            "max": 10,
        },
        {"name": "area", "type": "number", "label": "Diện tích"},
        {
            "name": "birth_date",
            "type": "date",
            "label": "Ngày sinh",
            "max": "today",
            "prefill": "citizen.birth_date",
        },
        {
            "name": "gender",
            "type": "choice",
            "label": "Giới tính",
            "options": [{"value": "male", "label": "Nam"}, {"value": "female", "label": "Nữ"}],
            "prefill": "citizen.gender",
        },
        {
            "name": "channels",
            "type": "choice",
            "label": "Nhận kết quả",
            "multiple": True,
            "options": [
                {"value": "post", "label": "Bưu điện"},
                {"value": "desk", "label": "Tại quầy"},
            ],
        },
        {"name": "email", "type": "email", "label": "Thư điện tử", "prefill": "citizen.email"},
        {"name": "phone", "type": "phone", "label": "Điện thoại", "prefill": "citizen.phone"},
        {
            "name": "pid",
            "type": "personal_id",
            "label": "Số định danh",
            "prefill": "citizen.personal_id",
        },
        {
            "name": "home",
            "type": "address",
            "label": "Nơi cư trú",
            "required": True,
            "prefill": "citizen.address",
        },
        {
            "name": "children",
            "type": "group",
            "label": "Con",
            "min": 1,
            "max": 2,
            "fields": [
                {"name": "name", "type": "text", "label": "Tên con", "required": True},
                {"name": "pid", "type": "personal_id", "label": "Số định danh của con"},
            ],
        },
        {
            "name": "birth_cert",
            "type": "file",
            "label": "Giấy chứng sinh",
            "required": True,
            "component": "giay-chung-sinh",
            "max_files": 1,
            "max_size_bytes": 1000,
        },
    ],
}


def good_data(**changes: Any) -> dict[str, Any]:
    data = {
        "full_name": "  Nguyễn  Văn An ",
        "note": "",
        "copies": "2",
        "area": 12.5,
        "birth_date": "12/03/1985",
        "gender": "male",
        "channels": ["post", "desk", "post"],
        "email": "an@example.vn",
        "phone": "+84 912 345 678",
        "pid": VALID_ID,
        "home": {"unit_code": COMMUNE, "detail": "Số 1, đường Hùng Vương"},
        "children": [{"name": "Nguyễn Văn Bình", "pid": ""}],
    }
    data.update(changes)
    return data


def good_files() -> dict[str, list[Any]]:
    return {"birth_cert": [{"name": "cs.pdf", "size": 900, "content_type": "application/pdf"}]}


def errors_of(data: dict[str, Any], files: dict[str, list[Any]] | None = None) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        validate_data(SCHEMA, data, files=good_files() if files is None else files)
    assert caught.value.code == "invalid_form"
    assert caught.value.as_dict()["errors"] == caught.value.errors
    return {error["field"]: error["code"] for error in caught.value.errors}


def test_schema_is_valid() -> None:
    validate_schema(SCHEMA, component_codes=["giay-chung-sinh", "to-khai"])
    validate_schema({})
    assert prefill_map(SCHEMA) == {
        "full_name": "citizen.full_name",
        "birth_date": "citizen.birth_date",
        "gender": "citizen.gender",
        "email": "citizen.email",
        "phone": "citizen.phone",
        "pid": "citizen.personal_id",
        "home": "citizen.address",
    }


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"name": "Full Name"}, "fields.0.name"),
        ({"type": "signature"}, "fields.0.type"),
        ({"label": ""}, "fields.0.label"),
        ({"required": "yes"}, "fields.0.required"),
        ({"max_length": -1}, "fields.0.max_length"),
        ({"prefill": "population.full_name"}, "fields.0.prefill"),
        ({"prefill": "citizen.birth_date"}, "fields.0.prefill"),
        ({"options": []}, "fields.0"),
    ],
)
def test_schema_errors_name_the_path(change: dict[str, Any], path: str) -> None:
    field = {**SCHEMA["fields"][0], **change}
    schema = {**SCHEMA, "fields": [field, *SCHEMA["fields"][1:]]}
    with pytest.raises(DomainError) as caught:
        validate_schema(schema)
    assert caught.value.code == "invalid_form_schema"
    assert caught.value.field == path


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        (
            [{"name": "a", "type": "choice", "label": "A", "options": [{"value": "x"}]}],
            "fields.0.options.0.label",
        ),
        ([{"name": "a", "type": "date", "label": "A", "max": "hôm nay"}], "fields.0.max"),
        ([{"name": "a", "type": "number", "label": "A", "min": 5, "max": 1}], "fields.0.min"),
        (
            [
                {"name": "a", "type": "text", "label": "A"},
                {"name": "a", "type": "text", "label": "B"},
            ],
            "fields.1.name",
        ),
        (
            [
                {
                    "name": "g",
                    "type": "group",
                    "label": "G",
                    "fields": [{"name": "f", "type": "file", "label": "F", "component": "x"}],
                }
            ],
            "fields.0.fields.0.type",
        ),
        (
            [
                {
                    "name": "g",
                    "type": "group",
                    "label": "G",
                    "fields": [
                        {"name": "n", "type": "text", "label": "N", "prefill": "citizen.full_name"}
                    ],
                }
            ],
            "fields.0.fields.0.prefill",
        ),
        (
            [{"name": "f", "type": "file", "label": "F", "component": "khong-co"}],
            "fields.0.component",
        ),
        (
            [
                {
                    "name": "f",
                    "type": "file",
                    "label": "F",
                    "component": "to-khai",
                    "accept": ["pdf"],
                }
            ],
            "fields.0.accept",
        ),
        (
            [
                {"name": "f", "type": "file", "label": "F", "component": "to-khai"},
                {"name": "g", "type": "file", "label": "G", "component": "to-khai"},
            ],
            "fields.1.component",
        ),
        ([], "fields"),
    ],
)
def test_more_schema_errors(fields: list[dict[str, Any]], path: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_schema({"version": 1, "fields": fields}, component_codes=["to-khai"])
    assert caught.value.field == path


def test_schema_top_level() -> None:
    with pytest.raises(DomainError) as caught:
        validate_schema({"version": 2, "fields": SCHEMA["fields"]})
    assert caught.value.field == "version"
    with pytest.raises(DomainError):
        validate_schema({"fields": SCHEMA["fields"], "extra": 1})
    with pytest.raises(DomainError):
        validate_schema([])


@pytest.mark.django_db
def test_good_data_is_cleaned(units: None) -> None:
    cleaned = validate_data(SCHEMA, good_data(), files=good_files())
    assert cleaned["full_name"] == "Nguyễn Văn An"
    assert cleaned["note"] is None
    assert cleaned["copies"] == 2 and cleaned["area"] == 12.5
    assert cleaned["birth_date"] == "1985-03-12"
    assert cleaned["gender"] == "male"
    assert cleaned["channels"] == ["post", "desk"]
    assert cleaned["phone"] == "0912345678"
    assert cleaned["pid"] == VALID_ID
    assert cleaned["home"]["unit_code"] == COMMUNE
    assert cleaned["home"]["province_code"] == "51"
    assert cleaned["home"]["full"].startswith("Số 1, đường Hùng Vương, Phường Cẩm Thành")
    assert cleaned["children"] == [{"name": "Nguyễn Văn Bình", "pid": None}]
    assert cleaned["birth_cert"] == [
        {
            "name": "cs.pdf",
            "size": 900,
            "content_type": "application/pdf",
            "component": "giay-chung-sinh",
        }
    ]


@pytest.mark.django_db
def test_django_uploads_are_accepted(units: None) -> None:
    upload = SimpleUploadedFile("cs.png", b"x" * 10, content_type="image/png")
    cleaned = validate_data(SCHEMA, good_data(), files={"birth_cert": [upload]})
    assert cleaned["birth_cert"][0]["content_type"] == "image/png"


@pytest.mark.django_db
def test_landline_numbers(units: None) -> None:
    assert (
        validate_data(SCHEMA, good_data(phone="0255.3822.123"), files=good_files())["phone"]
        == "02553822123"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"full_name": ""}, "full_name", "required"),
        ({"full_name": "x" * 21}, "full_name", "too_long"),
        ({"note": "ab"}, "note", "too_short"),
        ({"copies": "hai"}, "copies", "not_a_number"),
        ({"copies": 1.5}, "copies", "not_integer"),
        ({"copies": 11}, "copies", "too_large"),
        ({"copies": -1}, "copies", "too_small"),
        ({"birth_date": "1985-02-30"}, "birth_date", "invalid_date"),
        ({"gender": "other"}, "gender", "invalid_choice"),
        ({"gender": ["male"]}, "gender", "invalid_choice"),
        ({"channels": ["fax"]}, "channels", "invalid_choice"),
        ({"email": "an@"}, "email", "invalid_email"),
        ({"phone": "0123"}, "phone", "invalid_phone"),
        ({"phone": "0412345678"}, "phone", "invalid_phone"),
        ({"pid": "12345"}, "pid", "personal_id_length"),
        ({"pid": "999085000001"}, "pid", "personal_id_province"),
        ({"home": {"unit_code": "99999", "detail": "x"}}, "home", "unit_not_found"),
        ({"home": {"unit_code": "51", "detail": "x"}}, "home", "unit_level"),
        ({"home": {"unit_code": COMMUNE, "detail": ""}}, "home", "detail_required"),
        ({"home": {"unit_code": COMMUNE}}, "home", "detail_required"),
        ({"home": "Quảng Ngãi"}, "home", "invalid_address"),
        ({"children": []}, "children", "required"),
        ({"children": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}, "children", "too_many_items"),
        ({"children": [{"name": ""}]}, "children.0.name", "required"),
        (
            {"children": [{"name": "A"}, {"name": "B", "pid": "1"}]},
            "children.1.pid",
            "personal_id_length",
        ),
        ({"children": [{"name": "A", "age": 3}]}, "children.0.age", "unknown_field"),
        ({"children": "A"}, "children", "invalid_group"),
        ({"nickname": "An"}, "nickname", "unknown_field"),
    ],
)
def test_bad_values_name_the_field(
    units: None, changes: dict[str, Any], path: str, code: str
) -> None:
    assert errors_of(good_data(**changes)) == {path: code}


@pytest.mark.django_db
def test_future_birth_date(units: None) -> None:
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert errors_of(good_data(birth_date=tomorrow)) == {"birth_date": "date_too_late"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("files", "path", "code"),
    [
        ({}, "birth_cert", "file_required"),
        (
            {
                "birth_cert": [
                    {"name": "a.exe", "size": 10, "content_type": "application/x-msdownload"}
                ]
            },
            "birth_cert.0",
            "file_type",
        ),
        (
            {"birth_cert": [{"name": "a.pdf", "size": 5000, "content_type": "application/pdf"}]},
            "birth_cert.0",
            "file_too_large",
        ),
        (
            {"birth_cert": [{"name": "a.pdf", "size": 1, "content_type": "application/pdf"}] * 2},
            "birth_cert",
            "too_many_files",
        ),
        ({**good_files(), "other": [{"name": "a.pdf", "size": 1}]}, "other", "unknown_field"),
    ],
)
def test_bad_files(units: None, files: dict[str, Any], path: str, code: str) -> None:
    assert errors_of(good_data(), files) == {path: code}


@pytest.mark.django_db
def test_every_error_is_reported_at_once(units: None) -> None:
    found = errors_of(good_data(full_name="", email="x", copies=99), files={})
    assert found == {
        "full_name": "required",
        "email": "invalid_email",
        "copies": "too_large",
        "birth_cert": "file_required",
    }


def test_data_must_be_an_object() -> None:
    with pytest.raises(FormInvalid) as caught:
        validate_data(SCHEMA, ["x"])
    assert caught.value.errors[0]["code"] == "invalid_form"


@pytest.mark.django_db
def test_prefill_from_the_citizen_profile(units: None) -> None:
    unit = AdministrativeUnit.objects.get(code=COMMUNE, valid_to__isnull=True)
    citizen = Citizen.objects.create(
        full_name="Nguyễn Văn An",
        personal_id=VALID_ID,
        birth_date=datetime.date(1985, 3, 12),
        gender="male",
        phone="0912345678",
        email="",
        address="Số 1, đường Hùng Vương",
        address_unit=unit,
    )
    values = prefill(SCHEMA, citizen)
    assert values == {
        "full_name": "Nguyễn Văn An",
        "birth_date": "1985-03-12",
        "gender": "male",
        "phone": "0912345678",
        "pid": VALID_ID,
        "home": {"unit_code": COMMUNE, "detail": "Số 1, đường Hùng Vương"},
    }
    assert prefill(SCHEMA, None) == {}
    # Prefilled values pass the form's own checks.
    cleaned = validate_data(SCHEMA, {**values, "children": [{"name": "Bình"}]}, files=good_files())
    assert cleaned["home"]["unit_name"] == "Phường Cẩm Thành"
