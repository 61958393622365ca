"""Hostile inputs, endpoint by endpoint: what an attacker sends and what must hold.

Grow this module with every new endpoint: add its hostile values to the tables below (and a
test when the endpoint has its own kind of input). Findings of issue 13 are named by item.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from congso.dossiers.models import Dossier
from tests.dossiers.conftest import FORM, pdf, png, submit

pytestmark = pytest.mark.django_db

API = "/api/v1/dossiers"

#: Text no page can show: lone surrogates (both halves) and NUL (issue 13 item 3).
BAD_TEXT = ["\ud800", "Nguyễn \udfff An", "An\x00", "\x00"]


def _submit(client: Client, form: dict[str, Any]) -> Any:
    return client.post(
        API,
        data={
            "procedure": "1.001193",
            "agency": "000.00.51.H51",
            "form_data": json.dumps(form),  # ensure_ascii: "\ud800" travels as an escape
            "files.to-khai": pdf(),
            "files.giay-chung-sinh": png(),
        },
    )


@pytest.fixture
def citizen(world: Any) -> Client:
    client = Client()
    client.force_login(world.citizen_user)
    return client


# --- Invalid text (item 3) ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_form_data_with_invalid_text_is_refused_naming_the_field(
    world: Any, citizen: Client, bad: str
) -> None:
    response = _submit(citizen, {**FORM, "ho_ten_tre": bad})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_text"
    assert body["field"] == "ho_ten_tre"
    assert "ho_ten_tre" in body["message"] and "không hợp lệ" in body["message"]
    assert not Dossier.objects.exists()


def test_invalid_text_in_a_nested_key_or_value_is_found(world: Any, citizen: Client) -> None:
    response = _submit(citizen, {**FORM, "extra": {"list": ["ok", "\ud83d"]}})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_text", "extra.list.1")
    assert body["errors"] == [
        {"code": "invalid_text", "field": "extra.list.1", "message": body["errors"][0]["message"]}
    ]
    bad_key = _submit(citizen, {**FORM, "k\x00": "v"})
    assert bad_key.json()["code"] == "invalid_text"
    assert bad_key.json()["field"] == "k\\u0000"


def test_the_domain_refuses_invalid_text_whatever_the_entry_point(world: Any) -> None:
    from congso.catalog.formschema import FormInvalid

    with pytest.raises(FormInvalid) as caught:
        submit(world, form_data={**FORM, "ho_ten_tre": "\ud800"})
    assert caught.value.code == "invalid_text" and caught.value.field == "ho_ten_tre"


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_json_bodies_with_invalid_text_are_refused_at_the_door(world: Any, bad: str) -> None:
    code = submit(world).code
    client = Client()
    client.force_login(world.reception_a)
    response = client.post(
        f"{API}/{code}/actions/not_accept",
        data=json.dumps({"reason": {"text": bad}}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_text"
    assert response.json()["field"] == "reason.text"


def test_query_strings_with_nul_are_refused(world: Any, citizen: Client) -> None:
    response = citizen.get(f"{API}?q=a%00b")
    assert response.status_code == 422
    assert response.json()["field"] == "q"


def test_html_form_posts_with_nul_answer_a_vietnamese_page_naming_the_field(world: Any) -> None:
    response = Client().post("/tai-khoan/dang-nhap/", {"username": "ab\x00c", "password": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nội dung gửi lên không hợp lệ" in html and "«username»" in html


def test_valid_vietnamese_text_and_emoji_pass(world: Any, citizen: Client) -> None:
    response = _submit(citizen, {**FORM, "ho_ten_tre": "Nguyễn Thị Ánh 🌸"})
    assert response.status_code == 201, response.content


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL refuses to store such text at all"
)
def test_text_check_finds_rows_stored_before_the_guard(world: Any, capsys: Any) -> None:
    dossier = submit(world)
    Dossier.objects.filter(pk=dossier.pk).update(form_data={**FORM, "note": "\ud800"})
    with pytest.raises(CommandError):
        call_command("text_check")
    out = capsys.readouterr().out
    assert f"dossiers.dossier pk={dossier.pk} field=form_data.note" in out


def test_text_check_passes_on_clean_data(world: Any, capsys: Any) -> None:
    submit(world)
    call_command("text_check")
    assert "OK" in capsys.readouterr().out


# --- Formula injection in exports (item 2) --------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/x","Xem hồ sơ")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _string_cells(data: bytes) -> dict[str, Any]:
    """Every cell of the first sheet that holds one of FORMULAS, by coordinate → cell."""
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return {
        cell.coordinate: cell
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and any(f in cell.value for f in FORMULAS)
    }


def test_tracking_book_xlsx_writes_a_citizen_named_like_a_formula_as_text(
    world: Any, clock: Any
) -> None:
    """issue 13 item 2: the applicant's name and address became live formulas in form 06."""
    import datetime
    import io
    import zipfile

    from congso.reports import builders
    from tests.dossiers.conftest import receive

    dossier = receive(world, submit(world))
    Dossier.objects.filter(pk=dossier.pk).update(
        applicant_name=FORMULAS[0], applicant_address=FORMULAS[1], applicant_phone=FORMULAS[3]
    )
    day = datetime.date(2026, 3, 2)
    data = builders.tracking_book(
        world.desk_a, day, day, queryset=Dossier.objects.all(), fmt="xlsx", progress=lambda _: None
    )
    cells = _string_cells(data)
    values = {cell.value for cell in cells.values()}
    assert FORMULAS[0] in values
    assert any(FORMULAS[1] in value for value in values)
    assert all(cell.data_type == "s" for cell in cells.values())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    assert 't="inlineStr"><is><t>=HYPERLINK(' in sheet_xml


def test_report_xlsx_writes_every_string_as_text() -> None:
    from congso.reports.builders import Document, Section, Table, to_xlsx

    document = Document(
        title=FORMULAS[0],
        subtitle=FORMULAS[2],
        letterhead=None,  # type: ignore[arg-type]
        sections=[
            Section(FORMULAS[3], [FORMULAS[4]], Table([FORMULAS[5], "n"], [[FORMULAS[0], 1]]))
        ],
        sheet_name="x",
    )
    cells = _string_cells(to_xlsx(document))
    assert len(cells) == 6
    for cell in cells.values():
        assert cell.data_type == "s", cell.coordinate
        assert cell.number_format == "@", cell.coordinate


def test_catalog_export_keeps_formula_like_text_as_text(tmp_path: Any) -> None:
    from openpyxl import Workbook

    from congso.catalog.importexport import _write_row

    sheet = Workbook().active
    _write_row(sheet, list(FORMULAS))
    assert [cell.data_type for cell in sheet[1]] == ["s"] * len(FORMULAS)


def test_csv_helper_prefixes_formula_triggers() -> None:
    from congso.core.spreadsheet import csv_row

    assert csv_row([*FORMULAS, "Nguyễn Văn An", 5]) == [
        *("'" + f for f in FORMULAS),
        "Nguyễn Văn An",
        5,
    ]
