"""Bulk import of a legacy one-stop system's dossiers (issue 22, docs/legacy-import.md):
the domain's rules per record, codes kept and the counters moved past them, one transaction
per batch, audit chain intact, resumable, bad lines reported with their number."""

from __future__ import annotations

import csv
import hashlib
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from congso.audit.models import AuditEvent
from congso.audit.verify import verify_chain
from congso.dossiers.models import (
    Attachment,
    CodeCounter,
    Dossier,
    DossierHistory,
    DossierStep,
    Rating,
    SupplementRequest,
)
from congso.dossiers.services import legacy
from congso.indicators import aggregates
from congso.org.models import Citizen
from tests.dossiers.conftest import PDF, World, submit

pytestmark = pytest.mark.django_db
EXE = b"MZ\x90\x00" + b"\x00" * 64


def returned(code: str, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "code": code,
        "procedure": "1.001193",
        "agency": "000.00.51.H51",
        "channel": "in_person",
        "status": "returned",
        "applicant": {
            "kind": "citizen",
            "personal_id": "051090000123",
            "name": "Trần Thị Bích Ngọc",
            "address": "Thôn Phú Lễ, xã A",
            "phone": "0905123456",
        },
        "form_data": {"ho_ten_tre": "Trần Minh Khang", "ngay_sinh": "2025-11-02"},
        "submitted_at": "2025-11-10T08:15:00+07:00",
        "received_at": "2025-11-10T08:20:00+07:00",
        "due_at": "2025-11-13T17:00:00+07:00",
        "ended_at": "2025-11-12T10:00:00+07:00",
        "returned_at": "2025-11-13T09:00:00+07:00",
        "return_method": "desk",
        "result_summary": "Cấp giấy khai sinh bản chính",
        "history": [
            {
                "action": "receive",
                "at": "2025-11-10T08:20:00+07:00",
                "to_status": "received",
                "actor": "Lê Văn Hùng",
            },
            {
                "action": "start_processing",
                "at": "2025-11-10T08:30:00+07:00",
                "to_status": "processing",
            },
            {
                "action": "complete",
                "at": "2025-11-12T10:00:00+07:00",
                "to_status": "processed",
                "step_name": "Ký duyệt kết quả",
            },
            {"action": "return_result", "at": "2025-11-13T09:00:00+07:00", "to_status": "returned"},
        ],
        "files": [
            {
                "component": "to-khai",
                "name": "to-khai-ngoc.pdf",
                "path": "f/1.pdf",
                "sha256": hashlib.sha256(PDF).hexdigest(),
            }
        ],
        "rating": {"score": 5, "at": "2025-11-13T10:00:00+07:00", "comment": "Nhanh, chu đáo"},
    }
    record.update(extra)
    return record


def open_one(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "procedure": "1.001193",
        "agency": "000.00.51.H51",
        "channel": "online",
        "status": "processing",
        "applicant": {"kind": "citizen", "personal_id": "051085000001", "name": "Công Dân Một"},
        "submitted_at": "2026-03-02T07:00:00+07:00",
        "received_at": "2026-03-02T07:30:00+07:00",
        "due_at": "2026-03-05T17:00:00+07:00",
        "history": [
            {"action": "submit", "at": "2026-03-02T07:00:00+07:00", "to_status": "submitted"},
            {"action": "receive", "at": "2026-03-02T07:30:00+07:00", "to_status": "received"},
            {
                "action": "request_supplement",
                "at": "2026-03-02T07:40:00+07:00",
                "to_status": "supplement_requested",
                "note": "Thiếu giấy chứng sinh",
            },
            {"action": "supplement", "at": "2026-03-02T08:00:00+07:00", "to_status": "received"},
            {
                "action": "start_processing",
                "at": "2026-03-02T08:10:00+07:00",
                "to_status": "processing",
            },
        ],
        "supplements": [
            {
                "phase": "reception",
                "reason": "Thiếu giấy chứng sinh",
                "items": [{"component": "giay-chung-sinh", "label": "Giấy chứng sinh"}],
                "requested_at": "2026-03-02T07:40:00+07:00",
                "fulfilled_at": "2026-03-02T08:00:00+07:00",
            }
        ],
    }


def write(tmp_path: Path, records: list[Any], name: str = "legacy.jsonl") -> Path:
    (tmp_path / "f").mkdir(exist_ok=True)
    (tmp_path / "f" / "1.pdf").write_bytes(PDF)
    (tmp_path / "f" / "bad.exe").write_bytes(EXE)
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_legacy_dossiers", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_keeps_codes_checks_rules_and_resumes(world: World, tmp_path: Path) -> None:
    good_a = "000.00.51.H51-251110-0042"
    good_b = "000.00.51.H51-260302-0005"
    bad_transition = returned("000.00.51.H51-251110-0043")
    bad_transition["history"][2]["action"] = "return_result"
    path = write(
        tmp_path,
        [
            returned(good_a),
            returned(good_a),
            open_one(good_b),
            returned("X-1", procedure="9.999999"),
            bad_transition,
            "{not json",
            returned(
                "000.00.51.H51-251110-0044",
                applicant={"kind": "citizen", "personal_id": "12345", "name": "Sai Số"},
            ),
            returned(
                "000.00.51.H51-251110-0045", files=[{"component": "to-khai", "path": "f/bad.exe"}]
            ),
            returned(
                "LEGACY/2019/77",
                status="processed",
                returned_at=None,
                rating=None,
                history=returned("")["history"][:3],
            ),
        ],
    )
    report = tmp_path / "problems.jsonl"
    out, err = run(path, "--actor", "motcua.a", "--report", str(report), "--batch", "4")
    assert "Đã nhập 3 hồ sơ" in out
    problems = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted((p["line"], p["error"], p["field"]) for p in problems) == [
        (2, "duplicate_code", "code"),
        (4, "unknown_procedure", "procedure"),
        (5, "invalid_transition", "history[2]"),
        (6, "invalid_json", ""),
        (7, "personal_id_length", "applicant.personal_id"),
        (8, "file_type_not_allowed", "files.to-khai"),
    ]
    assert "Dòng 4 (X-1): Không có thủ tục mã «9.999999»." in err
    # Codes kept as given; the one in TT 01/2018 form moved its counter.
    assert set(Dossier.objects.values_list("code", flat=True)) == {good_a, good_b, "LEGACY/2019/77"}
    assert CodeCounter.objects.get(agency_code="000.00.51.H51", day="2026-03-02").last == 5
    new = submit(world)  # the clock is 02/03/2026: the next number is 6, not 1
    assert new.code == "000.00.51.H51-260302-0006"
    a = Dossier.objects.get(code=good_a)
    assert a.timeliness == "early" and a.applicant_citizen.full_name == "Trần Thị Bích Ngọc"
    assert list(DossierHistory.objects.filter(dossier=a).values_list("action", flat=True)) == [
        "receive",
        "start_processing",
        "complete",
        "return_result",
    ]
    attachment = Attachment.objects.get(component__dossier=a)
    assert attachment.file.read() == PDF and attachment.original_name == "to-khai-ngoc.pdf"
    assert Rating.objects.get(dossier=a).score == 5
    b = Dossier.objects.get(code=good_b)
    assert SupplementRequest.objects.get(dossier=b).requested_by == world.reception_a
    step = DossierStep.objects.get(dossier=b)
    assert (step.name, step.status, b.plan_index) == ("Thẩm định hồ sơ", "active", 0)
    assert Citizen.objects.filter(personal_id="051090000123").count() == 1
    # Audit: one event per dossier (and per new citizen), the chain verifies.
    assert AuditEvent.objects.filter(action="dossiers.import").count() == 3
    assert AuditEvent.objects.filter(action="org.citizen.import").count() == 1
    assert verify_chain().ok
    # The indicators were rebuilt after the import: they equal a rebuild from scratch.
    figures = aggregates.table_contents()
    aggregates.rebuild()
    assert figures == aggregates.table_contents()
    assert sum(row[0] for row in figures["daily"].values()) >= 3
    # Running the same file again writes nothing new (resumable, idempotent by code).
    out, _err = run(path, "--actor", "motcua.a", "--quiet")
    assert "Đã nhập 0 hồ sơ, bỏ qua 4 đã có" in out
    assert Dossier.objects.count() == 4 and verify_chain().ok


def test_a_failing_batch_writes_nothing(
    world: World, tmp_path: Path, monkeypatch: Any, media: Path
) -> None:
    path = write(tmp_path, [returned("000.00.51.H51-251110-0001"), returned("L-2")])

    def broken(**kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(legacy, "record_many", broken)
    with pytest.raises(RuntimeError):
        run(path, "--actor", "motcua.a")
    assert not Dossier.objects.exists() and not DossierHistory.objects.exists()
    assert not Citizen.objects.filter(personal_id="051090000123").exists()
    assert not list(Path(media).rglob("*.pdf"))


def test_supplements_need_an_actor_and_csv_reads_the_same(world: World, tmp_path: Path) -> None:
    record = open_one("000.00.52.H51-260301-0001")
    write(tmp_path, [])
    path = tmp_path / "legacy.csv"
    columns = [
        "code",
        "procedure",
        "agency",
        "channel",
        "status",
        "applicant.kind",
        "applicant.personal_id",
        "applicant.name",
        "submitted_at",
        "received_at",
        "due_at",
        "history",
        "supplements",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        flat = {
            **record,
            "applicant.kind": "citizen",
            "applicant.personal_id": "051085000001",
            "applicant.name": "Công Dân Một",
        }
        writer.writerow(
            [
                json.dumps(flat[c], ensure_ascii=False) if isinstance(flat[c], list) else flat[c]
                for c in columns
            ]
        )
        second = dict(flat, code="000.00.52.H51-260301-0002", supplements="")
        writer.writerow(
            [
                json.dumps(second[c], ensure_ascii=False)
                if isinstance(second[c], list)
                else second[c]
                for c in columns
            ]
        )
    out, err = run(path)
    assert "Đã nhập 1 hồ sơ" in out and "[actor_required]" in err and "Dòng 2" in err
    assert Dossier.objects.get().code == "000.00.52.H51-260301-0002"
