"""The transfer package of a record (nộp lưu): a BagIt bag (RFC 8493, the ``bagit`` library)
written in a temporary folder, validated, then zipped::

    <record code>/
      bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
      data/ho-so.json                   the record, its series, retention and items (metadata)
      data/<NNN>/<file>                 each item's files, as stored (PDFs as signed)
      data/<NNN>/<file>.kiem-tra.json   the validation report of a signed PDF (congso.signing)
      data/<NNN>/<file>.kiem-tra.xml    the same as an ETSI TS 119 102-2 report

The PDFs are carried exactly as they were signed: re-timestamping (PAdES-LTA) is signing's
business, not the bag's. ``bag-info.txt`` names the agency, the record, its series and
retention."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
from django.utils import timezone

from congso.core.errors import DomainError
from congso.dossiers.models import Dossier
from congso.eoffice.models import Document
from congso.records.models import RecordFile
from congso.signing import etsi
from congso.signing.validation import validate_pdf

#: The BagIt profile congso's bags follow (named in bag-info.txt).
PROFILE = "congso-records-1"


@dataclass(frozen=True)
class Built:
    name: str
    data: bytes
    payload_oxum: str
    files: int


def document_metadata(document: Document) -> dict[str, Any]:
    """ND 30/2020 Annex VI metadata of a document, as filed."""
    return {
        "loai": document.doc_type.code,
        "ten_loai": document.doc_type.name,
        "chieu": document.direction,
        "so": document.code_number,
        "ky_hieu": document.code_notation,
        "ma_van_ban": document.document_id,
        "co_quan_ban_hanh": document.issuer_name,
        "ma_co_quan_ban_hanh": document.issuer_code,
        "dia_danh": document.place,
        "ngay_ban_hanh": document.issued_on.isoformat() if document.issued_on else None,
        "trich_yeu": document.subject,
        "nguoi_ky": document.signer_name,
        "chuc_vu": document.signer_position,
        "tham_quyen_ky": document.signer_competence,
        "do_khan": document.urgency,
        "do_mat": document.confidentiality,
        "so_trang": document.page_count,
        "so_den": document.register_number if document.direction == "in" else None,
        "so_trong_so": document.register_number,
        "nam_cua_so": document.register_year,
        "phien_ban": document.version,
    }


def dossier_metadata(dossier: Dossier) -> dict[str, Any]:
    def iso(moment: Any) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "ma_ho_so": dossier.code,
        "ma_thu_tuc": dossier.procedure_version.procedure.code,
        "thu_tuc": dossier.procedure_version.procedure.name,
        "trang_thai": dossier.status,
        "nguoi_nop": dossier.applicant_name,
        "co_quan_giai_quyet": dossier.competent_agency.name,
        "ma_co_quan_giai_quyet": dossier.competent_agency.code,
        "nop_luc": iso(dossier.submitted_at),
        "tiep_nhan_luc": iso(dossier.received_at),
        "co_ket_qua_luc": iso(dossier.processed_at),
        "tra_ket_qua_luc": iso(dossier.returned_at),
        "ket_qua": dossier.result_summary,
        "ly_do": dossier.outcome_reason,
    }


def _validation(name: str, data: bytes) -> tuple[bytes, bytes, str]:
    try:
        report = validate_pdf(data)
    except DomainError as exc:
        raise DomainError(
            "validation_unavailable",
            f"Không kiểm tra được chữ ký số của tệp «{name}» để đưa báo cáo vào gói nộp lưu: "
            f"{exc.message}",
        ) from None
    as_json = json.dumps(report.as_dict(), ensure_ascii=False, indent=2).encode()
    return as_json, etsi.report_xml(report), report.indication


def display_name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or user.get_full_name() or user.get_username())


def _retention(record: Any) -> str:
    if record.permanent:
        return "Vĩnh viễn"
    return f"{record.retention_years} năm"


def build(record: Any) -> Built:
    """The bag of ``record`` (a :class:`~congso.records.models.Record`) as zip bytes. Each
    stored copy is re-hashed first: a file that no longer matches stops the transfer."""
    items: list[dict[str, Any]] = []
    payload: dict[str, bytes] = {}
    count = 0
    for item in record.items.order_by("position"):
        folder = f"{item.position:03d}"
        files = []
        for row in RecordFile.objects.filter(item=item, deleted_at__isnull=True).order_by("pk"):
            with row.file.open("rb") as handle:
                data = handle.read()
            if hashlib.sha256(data).hexdigest() != row.sha256:
                raise DomainError(
                    "source_changed",
                    f"Tệp «{row.name}» của hồ sơ không còn khớp mã băm SHA-256 đã lưu: không lập "
                    "được gói nộp lưu. Chạy kiểm tra toàn vẹn (records_fixity) và khôi phục tệp.",
                )
            path = f"{folder}/{row.name}"
            payload[path] = data
            entry: dict[str, Any] = {
                "duong_dan": f"data/{path}",
                "ten": row.name,
                "vai_tro": row.role,
                "loai": row.mime_type,
                "dung_luong": row.size,
                "sha256": row.sha256,
                "da_ky_so": row.signed,
            }
            if row.signed and data.startswith(b"%PDF-"):
                as_json, as_xml, indication = _validation(row.name, data)
                payload[f"{path}.kiem-tra.json"] = as_json
                payload[f"{path}.kiem-tra.xml"] = as_xml
                entry["bao_cao_kiem_tra"] = [
                    f"data/{path}.kiem-tra.json",
                    f"data/{path}.kiem-tra.xml",
                ]
                entry["ket_qua_kiem_tra"] = indication
            files.append(entry)
            count += 1
        items.append(
            {
                "so_thu_tu": item.position,
                "loai": item.kind,
                "so_ky_hieu": item.reference,
                "ngay": item.dated.isoformat() if item.dated else None,
                "tac_gia": item.author,
                "trich_yeu": item.summary,
                "sieu_du_lieu": item.metadata,
                "tep": files,
            }
        )
    series = record.series
    keeper = display_name(record.keeper)
    closed = record.closed_on.isoformat() if record.closed_on else None
    metadata = {
        "ho_so": {
            "ma_ho_so": record.code,
            "tieu_de": record.title,
            "co_quan": {"ma_dinh_danh": record.agency.code, "ten": record.agency.name},
            "danh_muc": {
                "nam": series.plan.year,
                "de_muc": series.code,
                "ten_de_muc": series.title,
            },
            "thoi_han_bao_quan": _retention(record),
            "vinh_vien": record.permanent,
            "so_nam": record.retention_years,
            "can_cu": record.legal_basis,
            "ngay_mo": record.opened_on.isoformat(),
            "ngay_ket_thuc": closed,
            "nguoi_lap": keeper,
            "so_van_ban": len(items),
            "so_tep": count,
        },
        "muc_luc": items,
        "lap_goi_luc": timezone.now().isoformat(),
    }
    payload["ho-so.json"] = json.dumps(metadata, ensure_ascii=False, indent=2).encode()
    name = record.code
    info = {
        "Source-Organization": record.agency.name,
        "Organization-Identifier": record.agency.code,
        "External-Identifier": record.code,
        "External-Description": record.title,
        "Internal-Sender-Identifier": str(record.pk),
        "Contact-Name": keeper,
        "Record-Series": f"{series.plan.year} {series.code}. {series.title}",
        "Retention-Period": _retention(record),
        "Retention-Basis": record.legal_basis,
        "Date-Opened": record.opened_on.isoformat(),
        "Date-Closed": closed or "",
        "BagIt-Profile-Identifier": PROFILE,
    }
    with tempfile.TemporaryDirectory(prefix="congso-bag-") as tmp:
        root = Path(tmp) / name
        for path, data in payload.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        bagit.make_bag(str(root), bag_info=info, checksums=["sha256"])
        written = bagit.Bag(str(root))
        written.validate()  # raises BagValidationError: never hand over a bag that fails
        oxum = str(written.info["Payload-Oxum"])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(root.rglob("*")):
                if file.is_file():
                    archive.write(file, f"{name}/{file.relative_to(root).as_posix()}")
    return Built(name=f"{name}.zip", data=buffer.getvalue(), payload_oxum=oxum, files=count)


def validate_zip(data: bytes) -> bagit.Bag:
    """Unpack a bag's zip into a temporary folder and validate it (tests, the archive's side).
    The folder is gone when this returns; the bag object keeps its parsed info."""
    with tempfile.TemporaryDirectory(prefix="congso-bag-check-") as tmp:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ValueError(f"unsafe path in bag: {member}")
            archive.extractall(tmp)
        (folder,) = [p for p in Path(tmp).iterdir() if p.is_dir()]
        checked = bagit.Bag(str(folder))
        checked.validate()
        return checked
