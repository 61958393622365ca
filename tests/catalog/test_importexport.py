"""Import and export of the catalogue: JSON and Excel round trips, idempotence, and a bad row
refusing the whole import with a message that names where it is."""

from __future__ import annotations

import copy
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from congso.audit.models import AuditEvent
from congso.catalog.demo import DEMO_FILE
from congso.catalog.importexport import (
    ImportRefused,
    export_document,
    import_document,
    read_workbook,
    write_workbook,
)
from congso.catalog.models import Field, Procedure, ProcedureVersion, Process
from congso.org.models import Agency

from .conftest import SO_TU_PHAP, SO_XAY_DUNG, SPECIALIST_DEPARTMENT, UBND_XA, record, steps

FORM = {
    "version": 1,
    "title": "Tờ khai",
    "fields": [
        {
            "name": "ho_ten",
            "type": "text",
            "label": "Họ tên",
            "required": True,
            "prefill": "citizen.full_name",
        },
        {
            "name": "con",
            "type": "group",
            "label": "Con",
            "max": 3,
            "fields": [{"name": "ten", "type": "text", "label": "Tên"}],
        },
        {"name": "tep_to_khai", "type": "file", "label": "Tờ khai", "component": "to-khai"},
    ],
}


def sample_document() -> dict[str, Any]:
    birth_v1 = record(
        effective_to="2026-06-30",
        form_schema=FORM,
        processes=[
            {"agency": UBND_XA, "name": "Quy trình xã", "steps": steps(0.75, 5.25, 1.5)},
        ],
    )
    birth_v2 = record(
        version=2,
        effective_from="2026-07-01",
        time_limit={"value": 0.5, "unit": "working_days", "text": "Trong ngày"},
        processes=[{"agency": UBND_XA, "name": "Quy trình xã", "steps": steps(0.5, 2.5, 0.5)}],
    )
    promotion = record(
        code=None,
        name="Thông báo hoạt động khuyến mại",
        field={"name": "Xúc tiến thương mại", "code": None},
        levels=["province"],
        applicant_types=["organisation"],
        time_limit={"value": None, "unit": None, "text": "Không quy định"},
        online_level=None,
        fees=[],
        components=[
            {
                "name": "Thông báo theo Mẫu số 01",
                "original_or_copy": "original",
                "quantity": 1,
                "mandatory": True,
                "condition": None,
                "template": None,
            }
        ],
        processes=[
            {
                "agency": SO_TU_PHAP,
                "name": "Quy trình Sở",
                "steps": [
                    {
                        "order": 1,
                        "name": "Tiếp nhận",
                        "role": "reception",
                        "hours": 1,
                        "allowed_actions": ["receive"],
                    },
                    {
                        "order": 2,
                        "name": "Chủ trì",
                        "kind": "interagency",
                        "role": "specialist",
                        "is_lead": True,
                        "hours": 4,
                        "parallel_group": 1,
                        "department": SPECIALIST_DEPARTMENT,
                        "allowed_actions": ["transfer"],
                    },
                    {
                        "order": 3,
                        "name": "Phối hợp",
                        "kind": "interagency",
                        "role": "specialist",
                        "agency": SO_XAY_DUNG,
                        "hours": 6,
                        "parallel_group": 1,
                        "allowed_actions": ["forward"],
                    },
                ],
            }
        ],
    )
    return {"catalogue": "thử", "schema_version": 1, "procedures": [birth_v1, birth_v2, promotion]}


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "generated"}


def wipe() -> None:
    Process.objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()


@pytest.mark.django_db
def test_json_round_trip(agencies: dict[str, Agency]) -> None:
    result = import_document(actor=None, document=sample_document())
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.processes == {"created": 3, "updated": 0, "unchanged": 0}
    exported = export_document()
    local = Procedure.objects.get(national_code=False)
    assert local.code.startswith("DP.")
    records = exported["procedures"]
    assert [(r["code"], r["version"]) for r in records] == [
        ("1.001193", 1),
        ("1.001193", 2),
        (None, 1),
    ]
    assert records[2]["local_code"] == local.code
    assert records[0]["prefill"] == {"ho_ten": "citizen.full_name"}
    assert records[1]["time_limit"]["value"] == 0.5
    text = json.dumps(exported, ensure_ascii=False)
    wipe()
    again = import_document(actor=None, document=json.loads(text))
    assert again.created == 3
    assert comparable(export_document()) == comparable(exported)


@pytest.mark.django_db
def test_import_is_idempotent(agencies: dict[str, Agency]) -> None:
    import_document(actor=None, document=sample_document())
    events = AuditEvent.objects.count()
    result = import_document(actor=None, document=sample_document())
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert result.processes["unchanged"] == 3
    assert AuditEvent.objects.count() == events
    changed = sample_document()
    changed["procedures"][0]["fees"][1]["amount_vnd"] = 10000
    result = import_document(actor=None, document=changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)


@pytest.mark.django_db
def test_xlsx_round_trip(agencies: dict[str, Agency]) -> None:
    import_document(actor=None, document=sample_document())
    exported = export_document()
    buffer = io.BytesIO()
    write_workbook(exported, buffer)
    buffer.seek(0)
    document, locator = read_workbook(buffer)
    wipe()
    result = import_document(actor=None, document=document, locator=locator)
    assert result.created == 3 and result.processes["created"] == 3
    assert comparable(export_document()) == comparable(exported)


@pytest.mark.django_db
def test_bad_record_refuses_the_whole_import(agencies: dict[str, Agency]) -> None:
    document = sample_document()
    document["procedures"][2]["fees"] = [{"name": "Phí", "amount_vnd": "mười nghìn"}]
    with pytest.raises(ImportRefused) as caught:
        import_document(actor=None, document=document)
    message = caught.value.message
    assert "Thủ tục thứ 3" in message and "fees.0.amount_vnd" in message
    assert "Không có dữ liệu nào được nhập" in message
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_process_exceeding_the_limit_refuses_everything(agencies: dict[str, Agency]) -> None:
    document = sample_document()
    document["procedures"][1]["processes"][0]["steps"] = steps(1, 3, 1)
    events = AuditEvent.objects.count()
    with pytest.raises(ImportRefused) as caught:
        import_document(actor=None, document=document)
    assert "Thủ tục thứ 2 (1.001193), mục «processes.0.steps»" in caught.value.message
    assert "vượt thời hạn" in caught.value.message
    assert not Procedure.objects.exists() and not Process.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"version": 2, "effective_from": "2025-07-01"}, "version_overlap"),
        ({"colour": "đỏ"}, "mục «colour»"),
        ({"levels": ["district"]}, "mục «levels.0»"),
        ({"time_limit": {"value": 3, "unit": None}}, "mục «time_limit.unit»"),
        (
            {"processes": [{"agency": "000.00.99.H51", "name": "X", "steps": []}]},
            "mục «processes.0.agency»",
        ),
    ],
)
def test_more_refusals(agencies: dict[str, Agency], change: dict[str, Any], fragment: str) -> None:
    document = {"procedures": [record(), record(**{"processes": None, **change})]}
    if "version" not in change:
        document["procedures"][1]["code"] = "1.000656"
    with pytest.raises(ImportRefused) as caught:
        import_document(actor=None, document=document)
    assert fragment in caught.value.message or fragment == caught.value.cause
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_duplicate_code_and_version(db: None) -> None:
    with pytest.raises(ImportRefused) as caught:
        import_document(actor=None, document={"procedures": [record(), record()]})
    assert (
        "Thủ tục thứ 2" in caught.value.message and "đã có ở thủ tục thứ 1" in caught.value.message
    )
    with pytest.raises(ImportRefused):
        import_document(actor=None, document=[record()])


def _workbook_with(change: Any) -> io.BytesIO:
    buffer = io.BytesIO()
    write_workbook({"procedures": [_exported_record()]}, buffer)
    buffer.seek(0)
    book = load_workbook(buffer)
    change(book)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _exported_record() -> dict[str, Any]:
    return {
        **record(),
        "active": True,
        "effective_to": None,
        "processes": [],
        "prefill": {},
        "components": [
            {**c, "allowed_types": ["application/pdf"], "max_size_bytes": 1000}
            for c in record()["components"]
        ],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            lambda b: b["Phí, lệ phí"].cell(row=2, column=4, value="mười nghìn"),
            "Trang «Phí, lệ phí», dòng 2, cột D (amount_vnd)",
        ),
        (
            lambda b: b["Thành phần hồ sơ"].cell(row=3, column=5, value="photo"),
            "Trang «Thành phần hồ sơ», dòng 3, cột E (original_or_copy)",
        ),
        (
            lambda b: b["Thủ tục"].cell(row=2, column=15, value="ba"),
            "Trang «Thủ tục», dòng 2, cột O (time_limit_value)",
        ),
        (
            lambda b: b["Thủ tục"].cell(row=2, column=27, value="{không phải json"),
            "Trang «Thủ tục», dòng 2, cột AA (form_schema)",
        ),
        (
            lambda b: b["Thủ tục"].cell(row=2, column=19, value="4pm"),
            "Trang «Thủ tục», dòng 2, cột S (same_day_cutoff)",
        ),
        (
            lambda b: b["Thủ tục"].cell(row=2, column=1, value=1.001193),
            "Trang «Thủ tục», dòng 2, cột A (code)",
        ),
        (
            lambda b: b["Phí, lệ phí"].cell(row=2, column=1, value="9.999999"),
            "Trang «Phí, lệ phí», dòng 2, cột A (code)",
        ),
        (
            lambda b: b["Phí, lệ phí"].cell(row=1, column=7, value="ghi_chu"),
            "cột không nhận biết: ghi_chu",
        ),
        (lambda b: b.remove(b["Quy trình nội bộ"]), "thiếu trang «Quy trình nội bộ»"),
    ],
)
def test_bad_excel_cell_is_named(db: None, change: Any, fragment: str) -> None:
    source = _workbook_with(change)
    with pytest.raises(ImportRefused) as caught:
        document, locator = read_workbook(source)
        import_document(actor=None, document=document, locator=locator)
    assert fragment in caught.value.message
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_not_a_workbook(db: None) -> None:
    with pytest.raises(ImportRefused):
        read_workbook(io.BytesIO(b"not a workbook"))


@pytest.mark.django_db
def test_the_research_file_imports(db: None) -> None:
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    with pytest.raises(ImportRefused) as caught:
        import_document(actor=None, document=document)
    assert "effective_from" in caught.value.message
    result = import_document(
        actor=None, document=document, default_effective_from=datetime.date(2025, 7, 1)
    )
    assert result.created == len(document["procedures"]) >= 25
    # Nulls stay null: no invented time limits.
    unknown = [p for p in document["procedures"] if p["time_limit"]["value"] is None]
    assert ProcedureVersion.objects.filter(time_limit_value__isnull=True).count() == len(unknown)


@pytest.mark.django_db
def test_commands(agencies: dict[str, Agency], tmp_path: Path) -> None:
    source = tmp_path / "catalogue.json"
    source.write_text(json.dumps(sample_document(), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("catalog_import", str(source), "--dry-run", stdout=out)
    assert "Kiểm tra" in out.getvalue() and not Procedure.objects.exists()
    call_command("catalog_import", str(source), stdout=out)
    assert Procedure.objects.count() == 2
    json_path, xlsx_path = tmp_path / "out.json", tmp_path / "out.xlsx"
    call_command("catalog_export", str(json_path), stdout=out)
    call_command("catalog_export", "--format", "xlsx", str(xlsx_path), stdout=out)
    exported = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(exported["procedures"]) == 3
    out = io.StringIO()
    call_command("catalog_import", str(xlsx_path), stdout=out)
    assert "0 phiên bản thủ tục mới, 0 cập nhật, 3 không đổi" in out.getvalue()
    bad = copy.deepcopy(exported)
    bad["procedures"][0]["levels"] = []
    bad_path = tmp_path / "bad.json"
    bad_path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError, match="levels"):
        call_command("catalog_import", str(bad_path))
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON không hợp lệ"):
        call_command("catalog_import", str(tmp_path / "broken.json"))
