"""Issue 16, records and the e-archive: a file plan with a retention period as data, filing an
issued official document and a returned dossier (their files copied into the record store,
SHA-256 checked), closing, the transfer as a BagIt bag validated by ``bagit`` with the PDFs as
signed and their validation reports, the refusals (nothing half-written, audited), the
disposition list and its decisions, and the fixity check finding a tampered file."""

from __future__ import annotations

import datetime
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from congso.records import bag, selectors, services
from congso.records.models import (
    DispositionAction,
    Record,
    RecordFile,
    RecordItem,
    RecordSeries,
    RecordState,
    Transfer,
)
from tests.dossiers.conftest import Clock, submit
from tests.records.conftest import Archive, issued_document, returned_dossier

pytestmark = pytest.mark.django_db


def _series(archive: Archive, **retention: object) -> RecordSeries:
    plan = services.plan_create(
        actor=archive.clerk, agency_id=archive.world.commune_a.pk, year=2026
    )
    params: dict[str, object] = {
        "retention_years": 10,
        "legal_basis": "Thông tư 10/2022/TT-BNV, Phụ lục, mục 2.5",
        "effective_from": datetime.date(2023, 1, 1),
    }
    params.update(retention)
    return services.series_create(
        actor=archive.clerk,
        plan_id=plan.pk,
        code=str(params.pop("code", "05")),
        title=str(params.pop("title", "Hồ sơ về chuyển đổi số")),
        **params,  # type: ignore[arg-type]
    )


def _record(archive: Archive, **retention: object) -> Record:
    series = _series(archive, **retention)
    return services.record_open(
        actor=archive.clerk,
        series_id=series.pk,
        title="Hồ sơ triển khai chuyển đổi số xã A năm 2026",
    )


def _refused(action: str) -> int:
    return AuditEvent.objects.filter(action=f"records.{action}.refused").count()


def test_a_record_is_filed_closed_and_transferred_as_a_valid_bag(
    archive: Archive, clock: Clock
) -> None:
    document = issued_document(archive)
    dossier = returned_dossier(archive, clock)
    record = _record(archive)
    assert record.code == "000.00.51.H51.2026.05.01"
    assert (record.retention_years, record.permanent) == (10, False)
    assert record.legal_basis.startswith("Thông tư 10/2022/TT-BNV")

    item = services.record_file_document(
        actor=archive.clerk, record_id=record.pk, document_id=document.pk
    )
    assert item.reference == document.number_notation and item.reference.endswith("/KH-UBND")
    copies = list(item.files.order_by("pk"))
    sources = {f.sha256 for f in document.files.filter(version=document.version)}
    assert {c.sha256 for c in copies} == sources and len(copies) == 2
    assert [c.signed for c in copies].count(True) == 1
    for copy in copies:
        assert copy.file.name.startswith(f"records/{record.agency.code}/{record.pk}/001/")
        assert services.sha256_of(copy.file.read()) == copy.sha256

    dossier_item = services.record_file_dossier(
        actor=archive.clerk, record_id=record.pk, dossier_id=dossier.pk
    )
    assert dossier_item.position == 2 and dossier_item.reference == dossier.code
    assert (
        dossier_item.files.count()
        == dossier.components.filter(attachments__isnull=False).distinct().count()
    )

    record = services.record_close(actor=archive.clerk, record_id=record.pk)
    assert record.state == RecordState.CLOSED and record.closed_on is not None

    transfer = services.record_transfer(actor=archive.clerk, record_id=record.pk)
    record.refresh_from_db()
    assert record.state == RecordState.TRANSFERRED and record.transferred_at is not None
    data = transfer.file.read()
    assert services.sha256_of(data) == transfer.sha256

    checked = bag.validate_zip(data)  # bagit validates every manifest entry
    assert checked.info["External-Identifier"] == record.code
    assert checked.info["Source-Organization"] == "UBND xã A"
    assert checked.info["Retention-Period"] == "10 năm"
    assert checked.info["Payload-Oxum"] == transfer.payload_oxum
    assert "sha256" in checked.algorithms

    with zipfile.ZipFile(io.BytesIO(data)) as archive_zip:
        names = archive_zip.namelist()
        metadata = json.loads(archive_zip.read(f"{record.code}/data/ho-so.json"))
        signed_name = next(c.name for c in copies if c.signed)
        signed_pdf = archive_zip.read(f"{record.code}/data/001/{signed_name}")
        report = json.loads(archive_zip.read(f"{record.code}/data/001/{signed_name}.kiem-tra.json"))
        etsi = archive_zip.read(f"{record.code}/data/001/{signed_name}.kiem-tra.xml")
    assert f"{record.code}/manifest-sha256.txt" in names
    assert f"{record.code}/tagmanifest-sha256.txt" in names
    # The PDF travels exactly as signed, with its report (one signature, intact).
    assert services.sha256_of(signed_pdf) == next(c.sha256 for c in copies if c.signed)
    assert report["signature_count"] == 1 and report["signatures"][0]["intact"] is True
    assert report["sha256"] == services.sha256_of(signed_pdf)
    assert b"ValidationReport" in etsi
    assert metadata["ho_so"]["ma_ho_so"] == record.code
    assert metadata["ho_so"]["thoi_han_bao_quan"] == "10 năm"
    assert [entry["so_ky_hieu"] for entry in metadata["muc_luc"]] == [
        document.number_notation,
        dossier.code,
    ]
    assert metadata["muc_luc"][0]["sieu_du_lieu"]["trich_yeu"] == document.subject

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "records.plan.create",
        "records.series.create",
        "records.record.open",
        "records.record.file",
        "records.record.close",
        "records.record.transfer",
    } <= actions


def test_a_tampered_bag_fails_bagit_validation(archive: Archive) -> None:
    record = _record(archive)
    services.record_file_document(
        actor=archive.clerk, record_id=record.pk, document_id=issued_document(archive).pk
    )
    services.record_close(actor=archive.clerk, record_id=record.pk)
    transfer = services.record_transfer(actor=archive.clerk, record_id=record.pk)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(io.BytesIO(transfer.file.read())) as archive_zip:
            archive_zip.extractall(tmp)
        root = Path(tmp) / record.code
        bagit.Bag(str(root)).validate()
        victim = next((root / "data" / "001").glob("*.pdf"))
        victim.write_bytes(victim.read_bytes().replace(b"/Type", b"/Typo", 1))
        with pytest.raises(bagit.BagValidationError):
            bagit.Bag(str(root)).validate()


def test_bad_input_is_refused_with_a_code_nothing_written_and_audited(
    archive: Archive, clock: Clock
) -> None:
    world = archive.world
    document = issued_document(archive)
    # A series without a retention period: no record opens under it.
    bare = _series(archive, code="09", retention_years=None, legal_basis="")
    with pytest.raises(DomainError) as refused:
        services.record_open(actor=archive.clerk, series_id=bare.pk, title="Hồ sơ thử")
    assert refused.value.code == "no_retention" and "thời hạn bảo quản" in refused.value.message
    assert not Record.objects.exists() and _refused("record.open") == 1
    # Both a number of years and permanent, or years without a legal basis: refused.
    for retention in ({"retention_years": 5, "permanent": True}, {"legal_basis": " "}):
        with pytest.raises(DomainError) as refused:
            services.series_set_retention(
                actor=archive.clerk,
                series_id=bare.pk,
                retention_years=int(retention.get("retention_years", 5)),  # type: ignore[call-overload]
                permanent=bool(retention.get("permanent", False)),
                legal_basis=str(retention.get("legal_basis", "TT 10/2022/TT-BNV")),
            )
        assert refused.value.code == "invalid_retention"
    bare.refresh_from_db()
    assert bare.retention_years is None and not bare.permanent

    record = services.record_open(
        actor=archive.clerk,
        series_id=services.series_set_retention(
            actor=archive.clerk,
            series_id=bare.pk,
            retention_years=None,
            permanent=True,
            legal_basis="Thông tư 10/2022/TT-BNV",
        ).pk,
        title="Hồ sơ về tổ chức bộ máy",
    )
    # A draft is not filed; a dossier still being handled neither.
    draft = eoffice_draft(archive)
    with pytest.raises(DomainError) as refused:
        services.record_file_document(
            actor=archive.clerk, record_id=record.pk, document_id=draft.pk
        )
    assert refused.value.code == "document_not_final"
    pending = submit(world)
    with pytest.raises(DomainError) as refused:
        services.record_file_dossier(
            actor=archive.clerk, record_id=record.pk, dossier_id=pending.pk
        )
    assert refused.value.code == "dossier_not_finished"
    # Commune B's clerk sees neither commune A's document nor its record.
    plan_b = services.plan_create(actor=archive.outsider, agency_id=world.commune_b.pk, year=2026)
    series_b = services.series_create(
        actor=archive.outsider, plan_id=plan_b.pk, code="01", title="Hồ sơ tổng hợp",
        retention_years=5, legal_basis="Thông tư 10/2022/TT-BNV",
    )  # fmt: skip
    record_b = services.record_open(actor=archive.outsider, series_id=series_b.pk, title="Hồ sơ B")
    with pytest.raises(DomainError) as refused:
        services.record_file_document(
            actor=archive.outsider, record_id=record_b.pk, document_id=document.pk
        )
    assert refused.value.code == "not_found" and refused.value.status == 404
    with pytest.raises(DomainError) as refused:
        services.record_file_document(
            actor=archive.outsider, record_id=record.pk, document_id=document.pk
        )
    assert refused.value.code == "forbidden"

    services.record_file_document(actor=archive.clerk, record_id=record.pk, document_id=document.pk)
    with pytest.raises(DomainError) as refused:  # a document goes into one record
        services.record_file_document(
            actor=archive.clerk, record_id=record.pk, document_id=document.pk
        )
    assert refused.value.code == "already_filed"
    services.record_close(actor=archive.clerk, record_id=record.pk)

    # Filing into a closed record: refused, no item, no file row, nothing left in the store.
    dossier = returned_dossier(archive, clock)
    items, files = RecordItem.objects.count(), RecordFile.objects.count()
    stored = set(_stored_names())
    with pytest.raises(DomainError) as refused:
        services.record_file_dossier(
            actor=archive.clerk, record_id=record.pk, dossier_id=dossier.pk
        )
    assert refused.value.code == "record_closed" and refused.value.status == 409
    assert (RecordItem.objects.count(), RecordFile.objects.count()) == (items, files)
    assert set(_stored_names()) == stored
    event = AuditEvent.objects.filter(action="records.record.file.refused").order_by("-seq")[0]
    assert event.after["code"] == "record_closed" and event.target_id == str(record.pk)
    assert _refused("record.file") == 6


def test_a_half_filed_dossier_leaves_no_file_behind(archive: Archive, clock: Clock) -> None:
    """A source file whose bytes no longer match its recorded hash stops the filing after
    other files were copied: the copies are deleted with the rollback."""
    dossier = returned_dossier(archive, clock)
    record = _record(archive)
    attachments = [c.attachments.order_by("-version").first() for c in dossier.components.all()]
    last = [a for a in attachments if a is not None][-1]
    path = Path(last.file.path)
    path.write_bytes(path.read_bytes() + b"\n% tampered")
    before = set(_stored_names())
    with pytest.raises(DomainError) as refused:
        services.record_file_dossier(
            actor=archive.clerk, record_id=record.pk, dossier_id=dossier.pk
        )
    assert refused.value.code == "source_changed"
    assert not RecordItem.objects.exists() and not RecordFile.objects.exists()
    assert set(_stored_names()) == before


def _stored_names() -> list[str]:
    root = Path(default_storage.location) / "records"
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def eoffice_draft(archive: Archive):  # type: ignore[no-untyped-def]
    from congso.eoffice import services as eoffice
    from tests.records.conftest import pdf_bytes

    return eoffice.draft_create(
        actor=archive.world.specialist_a,
        agency_id=archive.world.commune_a.pk,
        doc_type_code="CV",
        subject="V/v dự thảo chưa ban hành",
        main=eoffice.Upload("du-thao.pdf", pdf_bytes()),
        signer_id=archive.leader.pk,
        signer_position="Chủ tịch",
        notation_suffix="UBND",
    )


def test_fixity_finds_a_tampered_file_and_exits_non_zero(archive: Archive) -> None:
    record = _record(archive)
    services.record_file_document(
        actor=archive.clerk, record_id=record.pk, document_id=issued_document(archive).pk
    )
    services.record_close(actor=archive.clerk, record_id=record.pk)
    services.record_transfer(actor=archive.clerk, record_id=record.pk)
    out = io.StringIO()
    call_command("records_fixity", stdout=out)
    assert "3 tệp" in out.getvalue() and "không có sai lệch" in out.getvalue()

    victim = RecordFile.objects.filter(signed=True).get()
    Path(victim.file.path).write_bytes(b"%PDF-1.7 replaced")
    bag_file = Transfer.objects.get()
    Path(bag_file.file.path).unlink()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("records_fixity", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert victim.name in err.getvalue() and bag_file.name in err.getvalue()
    victim.refresh_from_db()
    assert victim.intact is False and victim.checked_at is not None
    mismatches = AuditEvent.objects.filter(action="records.fixity.mismatch")
    assert {e.after["problem"] for e in mismatches} == {"mismatch", "missing"}
    last_run = AuditEvent.objects.filter(action="records.fixity.run").order_by("-seq")[0]
    assert last_run.after == {"checked": 3, "mismatches": 2}
    # A tampered copy also stops a later transfer of the record (it cannot be bagged).


def test_the_disposition_list_and_its_decisions(
    archive: Archive, django_capture_on_commit_callbacks: Any
) -> None:
    document, other = issued_document(archive), issued_document(archive, "Báo cáo năm 2019")
    series = _series(archive, retention_years=5)
    record = services.record_open(
        actor=archive.clerk,
        series_id=series.pk,
        title="Hồ sơ năm 2019",
        opened_on=datetime.date(2019, 1, 10),
    )
    services.record_file_document(actor=archive.clerk, record_id=record.pk, document_id=document.pk)
    services.record_close(
        actor=archive.clerk, record_id=record.pk, closed_on=datetime.date(2019, 12, 31)
    )
    permanent = services.record_open(
        actor=archive.clerk,
        series_id=_series(archive, code="01", title="Quy chế", retention_years=None,
                          permanent=True).pk,
        title="Hồ sơ quy chế làm việc",
        opened_on=datetime.date(2024, 3, 1),
    )  # fmt: skip
    services.record_file_document(actor=archive.clerk, record_id=permanent.pk, document_id=other.pk)
    services.record_close(
        actor=archive.clerk, record_id=permanent.pk, closed_on=datetime.date(2024, 6, 30)
    )
    due = {entry.record.pk: entry for entry in selectors.disposition_list(archive.clerk)}
    assert due[record.pk].action == DispositionAction.DESTROY
    assert due[record.pk].due_on == datetime.date(2025, 1, 1)
    assert due[permanent.pk].action == DispositionAction.TRANSFER
    assert selectors.disposition_list(archive.outsider) == []

    # Destroying is the leader's decision, with its reference.
    with pytest.raises(DomainError) as refused:
        services.disposition_decide(
            actor=archive.clerk, record_id=record.pk, action="destroy", decision_ref="QĐ 1"
        )
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError) as refused:
        services.disposition_decide(
            actor=archive.leader, record_id=record.pk, action="destroy", decision_ref=" "
        )
    assert refused.value.code == "decision_required"
    with pytest.raises(DomainError) as refused:
        services.disposition_decide(
            actor=archive.leader, record_id=permanent.pk, action="destroy", decision_ref="QĐ 2"
        )
    assert refused.value.code == "not_due"
    assert _refused("disposition.decide") == 3

    paths = [Path(f.file.path) for f in RecordFile.objects.filter(item__record=record)]
    with django_capture_on_commit_callbacks(execute=True):
        services.disposition_decide(
            actor=archive.leader,
            record_id=record.pk,
            action="destroy",
            decision_ref="Quyết định số 15/QĐ-UBND ngày 10/01/2026 về hủy tài liệu hết giá trị",
        )
    record.refresh_from_db()
    assert record.state == RecordState.DISPOSED
    tombstones = RecordFile.objects.filter(item__record=record)
    assert all(f.deleted_at and not f.file and f.sha256 for f in tombstones)
    assert not any(p.exists() for p in paths)

    services.disposition_decide(
        actor=archive.clerk,
        record_id=permanent.pk,
        action="transfer",
        decision_ref="Kế hoạch nộp lưu số 03/KH-UBND",
    )
    permanent.refresh_from_db()
    assert permanent.state == RecordState.TRANSFERRED and permanent.transfers.count() == 1
    assert selectors.disposition_list(archive.clerk) == []
    assert AuditEvent.objects.filter(action="records.disposition.decide").count() == 2
