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


# --- Hostile files (item 8) -----------------------------------------------------------------------


def make_pdf(*catalog_extra: str, objects: tuple[str, ...] = ()) -> bytes:
    """A small well-formed PDF (correct xref) whose catalog holds ``catalog_extra``."""
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {' '.join(catalog_extra)} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


JS = "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
EMBEDDED = (
    "<< /Type /Filespec /F (x.exe) /EF << /F 5 0 R >> >>",
    "<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
)
HOSTILE_PDFS = {
    "open_action_javascript": make_pdf("/OpenAction 4 0 R", objects=(JS,)),
    "escaped_name": make_pdf("/OpenAction 4 0 R", objects=("<< /S /J#61vaScript /J#53 (1) >>",)),
    "additional_actions": make_pdf("/AA << /WC 4 0 R >>", objects=(JS,)),
    "embedded_file": make_pdf(
        "/Names << /EmbeddedFiles << /Names [(x.exe) 4 0 R] >> >>", objects=EMBEDDED
    ),
    "launch": make_pdf("/OpenAction << /S /Launch /F (cmd.exe) >>"),
}


def _object_streams(pdf: bytes, tmp_path: Any) -> bytes:
    """The same PDF with its objects compressed into object streams (invisible to a byte scan)."""
    import subprocess

    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(pdf)
    subprocess.run(["qpdf", "--object-streams=generate", str(source), str(target)], check=True)
    data = target.read_bytes()
    assert b"JavaScript" not in data
    return data


def _check(data: bytes, name: str = "to-khai.pdf") -> Any:
    import io

    from congso.dossiers import attachments

    return attachments.check(
        io.BytesIO(data),
        name=name,
        slot_code="to-khai",
        slot_name="Tờ khai",
        allowed_types=None,
        max_size_bytes=None,
    )


@pytest.mark.parametrize("kind", sorted(HOSTILE_PDFS))
def test_pdfs_with_active_content_are_refused(kind: str) -> None:
    from congso.core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        _check(HOSTILE_PDFS[kind])
    assert caught.value.code == "pdf_active_content"
    assert caught.value.field == "files.to-khai" and "Print to PDF" in caught.value.message


def test_javascript_hidden_in_object_streams_is_found(tmp_path: Any) -> None:
    from congso.core.errors import DomainError

    hidden = _object_streams(HOSTILE_PDFS["open_action_javascript"], tmp_path)
    with pytest.raises(DomainError) as caught:
        _check(hidden)
    assert caught.value.code == "pdf_active_content"


def test_a_plain_pdf_passes_and_names_are_cleaned() -> None:
    checked = _check(make_pdf(), name="\u202efdp.exe")
    assert checked.mime_type == "application/pdf"
    assert checked.name == "fdp.pdf"
    assert _check(make_pdf(), name="Tờ khai.PDF").name == "Tờ khai.pdf"
    assert _check(make_pdf(), name="a\u2066b\u200f/../c\x07").name == "ab.pdf"


def test_an_uploaded_bidi_name_is_stored_and_served_clean(world: Any, citizen: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = citizen.post(
        API,
        data={
            "procedure": "1.001193",
            "agency": "000.00.51.H51",
            "form_data": json.dumps(FORM),
            "files.to-khai": SimpleUploadedFile("\u202efdp.exe", make_pdf()),
            "files.giay-chung-sinh": png(),
        },
    )
    assert response.status_code == 201, response.content
    components = {item["code"]: item for item in response.json()["components"]}
    assert components["to-khai"]["attachments"][0]["original_name"] == "fdp.pdf"


def test_an_uploaded_pdf_with_javascript_is_refused_by_the_api(world: Any, citizen: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = citizen.post(
        API,
        data={
            "procedure": "1.001193",
            "agency": "000.00.51.H51",
            "form_data": json.dumps(FORM),
            "files.to-khai": SimpleUploadedFile("to-khai.pdf", HOSTILE_PDFS["launch"]),
            "files.giay-chung-sinh": png(),
        },
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "pdf_active_content"
    assert not Dossier.objects.exists()


# --- Acting for others (item 4) -------------------------------------------------------------------


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_submitting_in_the_name_of_any_registered_organisation_is_refused(world: Any) -> None:
    """A citizen who represents no organisation tries every tax code they can think of: the
    registered one and an unregistered one get the same refusal; nothing is created."""
    from congso.org.demo import demo_tax_code

    answers = []
    for tax_code in (world.organisation.tax_code, demo_tax_code("01")):
        response = _as(world.other_user).post(
            API,
            data={
                "procedure": "1.001193",
                "agency": "000.00.51.H51",
                "organisation": tax_code,
                "form_data": json.dumps(FORM),
                "files.to-khai": pdf(),
                "files.giay-chung-sinh": png(),
            },
        )
        answers.append((response.status_code, response.json()["code"]))
        assert tax_code in response.json()["message"]
    assert answers == [(403, "not_representative"), (403, "not_representative")]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    "organisation", ["\x00", " ", "0" * 200, "0100047516-000", "٠١٠٠٠٤٧٥١٦", "'; DROP TABLE x"]
)
def test_hostile_tax_codes_are_refused_for_their_form(world: Any, organisation: str) -> None:
    response = _as(world.citizen_user).post(
        API,
        data={
            "procedure": "1.001193",
            "agency": "000.00.51.H51",
            "organisation": organisation,
            "form_data": json.dumps(FORM),
        },
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] in ("invalid_text", "tax_code_format", "tax_code_branch")


def test_another_persons_identity_in_the_form_is_refused(world: Any) -> None:
    """The form's identity fields (prefilled from the profile) carry someone else's ID number
    and name: refused, naming the field, unless the submission is declared as on behalf."""
    from tests.dossiers.conftest import FORM_SCHEMA
    from tests.dossiers.test_acting_for_others import IDENTITY_FIELDS, OTHER_ID

    world.version.form_schema = {**FORM_SCHEMA, "fields": IDENTITY_FIELDS + FORM_SCHEMA["fields"]}
    world.version.save(update_fields=["form_schema"])
    stolen = {
        **FORM,
        "applicant_full_name": world.other_citizen.full_name,
        "applicant_personal_id": world.other_citizen.personal_id,
    }
    response = _submit(_as(world.citizen_user), stolen)
    assert response.status_code == 422
    assert response.json()["code"] == "applicant_identity_mismatch"
    assert response.json()["field"] == "applicant_full_name"
    made_up = {**FORM, "applicant_full_name": "Công Dân Một", "applicant_personal_id": OTHER_ID}
    assert _submit(_as(world.citizen_user), made_up).json()["field"] == "applicant_personal_id"
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("on_behalf", "code"),
    [
        ("[]", "invalid_json"),
        ("not json", "invalid_json"),
        ('{"relationship": ["authorised"]}', "invalid_json"),
        ('{"relationship": "authorised", "admin": "1"}', "unknown_field"),
        ('{"relationship": "x" }', "relationship_invalid"),
        ('{"relationship": "other_representative", "note": "' + "x" * 2000 + '"}', "too_long"),
        ('{"relationship": "authorised", "note": "\\u0000"}', "invalid_text"),
        ('{"relationship": "authorised", "note": "\\ud800"}', "invalid_text"),
        ("[" * 5000 + "]" * 5000, "too_deep"),
    ],
)
def test_hostile_on_behalf_declarations_are_refused(
    world: Any, citizen: Client, on_behalf: str, code: str
) -> None:
    response = citizen.post(
        API,
        data={
            "procedure": "1.001193",
            "agency": "000.00.51.H51",
            "form_data": json.dumps(FORM),
            "on_behalf": on_behalf,
            "files.to-khai": pdf(),
            "files.giay-chung-sinh": png(),
        },
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] == code
    assert not Dossier.objects.exists()


# --- Enumeration (item 9) -------------------------------------------------------------------------


def test_three_hundred_anonymous_api_look_ups_list_no_dossier(world: Any, clock: Any) -> None:
    """The finding: sequential codes listed 157 dossiers with procedure and state. Now a code
    alone says "exists" and nothing else, and the address is stopped after the limit."""
    from django.conf import settings

    made = [submit(world) for _ in range(3)]
    prefix = made[0].code.rsplit("-", 1)[0]
    statuses = []
    for number in range(1, 301):
        response = Client(REMOTE_ADDR="192.0.2.77").get(f"/api/v1/lookup/{prefix}-{number:04d}")
        statuses.append(response.status_code)
        body = response.content.decode()
        for leak in ("procedure", "status", "1.001193", "appointment", "Thủ tục"):
            assert leak not in body, (number, body)
    assert statuses[:3] == [200, 200, 200]
    assert set(statuses[3 : settings.LOOKUP_LIMIT]) == {404}
    assert set(statuses[settings.LOOKUP_LIMIT :]) == {429}
    refused = Client(REMOTE_ADDR="192.0.2.77").get(f"/api/v1/lookup/{made[0].code}")
    assert refused.json()["code"] == "too_many_lookups" and int(refused["Retry-After"]) > 0


def test_guessing_the_second_factor_is_stopped(world: Any, clock: Any, settings: Any) -> None:
    settings.LOOKUP_FAILURE_LIMIT = 5
    settings.LOOKUP_CODE_FAILURE_LIMIT = 8
    dossier = submit(world)
    client = Client(REMOTE_ADDR="192.0.2.80")

    def guess(digits: str, who: Client = client) -> Any:
        return who.post(
            f"/api/v1/lookup/{dossier.code}",
            data=json.dumps({"last_digits": digits}),
            content_type="application/json",
        )

    answers = [guess(f"{n:04d}") for n in range(2, 8)]  # "0001" is the right one
    assert [a.status_code for a in answers] == [403] * 5 + [429]
    assert answers[0].json()["code"] == "lookup_verification_failed"
    assert answers[0].json()["field"] == "last_digits"
    assert answers[-1].json()["code"] == "too_many_failures"
    assert guess("0001").status_code == 429  # the address waits, right answer or not
    # A botnet: every address a few guesses; the code closes for everyone.
    for n in range(3):
        assert guess(f"{n + 20:04d}", Client(REMOTE_ADDR=f"192.0.2.{90 + n}")).status_code == 403
    closed = guess("0001", Client(REMOTE_ADDR="192.0.2.99"))
    assert closed.status_code == 429 and closed.json()["code"] == "code_locked"
    # The applicant still sees it, signed in.
    assert _as(world.citizen_user).get(f"{API}/{dossier.code}").status_code == 200


@pytest.mark.parametrize(
    ("digits", "status", "code"),
    [
        ("１２３４", 400, "digits_invalid"),  # full-width digits
        ("12345", 400, "digits_invalid"),
        ("", 400, "digits_invalid"),
        ("00 1", 400, "digits_invalid"),
        ("0" * 21, 422, "validation_error"),
        ("\x00001", 422, "invalid_text"),
        ("\ud800001", 422, "invalid_text"),
    ],
)
def test_hostile_second_factors(world: Any, digits: str, status: int, code: str) -> None:
    dossier = submit(world)
    response = Client().post(
        f"/api/v1/lookup/{dossier.code}",
        data=json.dumps({"last_digits": digits}),
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


def test_anonymous_endpoints_that_know_a_dossier_reveal_nothing_without_a_proof(
    world: Any,
) -> None:
    """Every anonymous way in to dossier data: the look-up page and API (second factor), the
    receipt (sign-in), the applicant's and officers' pages and API (sign-in), ``/org/me/roles``
    (401). The verification page (``/xac-thuc/<token>/``) needs the e-result's random token."""
    dossier = submit(world)
    anonymous = Client()
    for path in (
        f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf",
        f"/ca-nhan/ho-so/{dossier.code}/",
        f"/can-bo/ho-so/{dossier.code}/",
    ):
        answer = anonymous.get(path)
        assert answer.status_code == 302 and "/tai-khoan/dang-nhap/" in answer["Location"], path
    for path in (f"{API}/{dossier.code}", f"{API}/{dossier.code}/history", "/api/v1/org/me/roles"):
        answer = anonymous.get(path)
        assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated", path
    page = anonymous.get("/tra-cuu", {"ma": dossier.code}).content.decode()
    assert "Thủ tục đăng ký khai sinh" not in page and "Mới đăng ký" not in page
    assert anonymous.get("/xac-thuc/not-a-token/").status_code == 404


# --- Sign-in, passwords and tokens (item 5) -------------------------------------------------------

#: Pages and API operations of the account: where their text arrives.
ACCOUNT_FORMS = [
    ("/tai-khoan/dang-nhap/", "username", {"password": "x"}),
    ("/tai-khoan/quen-mat-khau/", "contact", {}),
    ("/tai-khoan/quen-mat-khau/ma-sms/", "phone", {"code": "123456"}),
]


@pytest.mark.parametrize(("url", "field", "rest"), ACCOUNT_FORMS)
@pytest.mark.parametrize("bad", BAD_TEXT[2:])  # NUL travels in a form post; surrogates cannot
def test_account_forms_refuse_invalid_text(
    world: Any, url: str, field: str, rest: dict[str, str], bad: str
) -> None:
    response = Client().post(url, {field: bad, **rest})
    assert response.status_code == 400
    assert f"«{field}»" in response.content.decode()


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize("field", ["username", "password", "name", "code"])
def test_the_token_api_refuses_invalid_text(world: Any, field: str, bad: str) -> None:
    body = {"username": "congdan.mot", "password": "x", "scopes": ["read"], field: bad}
    response = Client().post(
        "/api/v1/auth/tokens", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_text"
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    "body",
    [
        {"username": "a" * 151, "password": "x"},
        {"username": "a", "password": "x" * 4097},
        {"username": "a", "password": "x", "scopes": ["read"] * 5},
        {"username": "a", "password": "x", "expires_in_hours": 10**9},
        {"username": "a", "password": "x", "expires_in_hours": 0},
        {"username": ["a"], "password": "x"},
    ],
)
def test_the_token_api_bounds_its_input(world: Any, body: dict[str, Any]) -> None:
    response = Client().post(
        "/api/v1/auth/tokens", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, body


def test_the_token_api_refuses_unknown_scopes_without_issuing(world: Any) -> None:
    world.citizen_user.set_password("mat-khau-cong-dan-2026")
    world.citizen_user.save()
    body = {"username": "congdan.mot", "password": "mat-khau-cong-dan-2026", "scopes": ["root"]}
    response = Client().post(
        "/api/v1/auth/tokens", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_scope"
    from congso.api.models import ApiToken

    assert not ApiToken.objects.exists()


def test_a_forged_forwarded_for_does_not_escape_the_address_throttle(world: Any) -> None:
    """No proxy is configured: X-Forwarded-For is ignored, whatever it says."""
    statuses = []
    for n in range(22):
        client = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1")
        statuses.append(
            client.post(
                "/tai-khoan/dang-nhap/", {"username": f"ten{n}", "password": "doan"}
            ).status_code
        )
    assert statuses[-1] == 429 and statuses.count(429) == 2


def test_a_forged_device_cookie_is_no_key_to_the_account(world: Any) -> None:
    """A made-up or another account's device cookie is counted like an unknown browser."""
    from congso.accounts import devices

    forged = Client(REMOTE_ADDR="203.0.113.67")
    forged.cookies[devices.COOKIE] = devices.issue(world.other_user)
    for _ in range(5):
        forged.post("/tai-khoan/dang-nhap/", {"username": "lanhdao.a", "password": "doan"})
    response = forged.post("/tai-khoan/dang-nhap/", {"username": "lanhdao.a", "password": "doan"})
    assert response.status_code == 429
    forged.cookies[devices.COOKIE] = "khong-phai-cookie"
    response = forged.post("/tai-khoan/dang-nhap/", {"username": "lanhdao.a", "password": "doan"})
    assert response.status_code == 429


@pytest.mark.parametrize(
    "contact", ['=HYPERLINK("http://evil.example")@x.vn', "a@b", "+1 202 555 0100", "0" * 200]
)
def test_reset_requests_with_odd_contacts_answer_a_form_error(world: Any, contact: str) -> None:
    response = Client().post("/tai-khoan/quen-mat-khau/", {"contact": contact})
    assert response.status_code == 200
    assert 'class="field field--error"' in response.content.decode()
