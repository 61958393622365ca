"""The registers printed and exported (ND 30/2020/NĐ-CP, Annex IV): the sổ đăng ký văn bản đi
and đến of one agency and year (the confidential series apart), as a PDF on A4 landscape in the
printed forms' embedded Vietnamese face (``congso.printing``), and as an Excel workbook with
the same columns, every text cell written as text (``congso.core.spreadsheet``: a subject
starting with ``=`` stays a subject). Its metadata (one record per entry, the fields a
machine reads: identifiers, dates, codes, recipients, the main file's SHA-256) exports as CSV
(every text field through ``congso.core.spreadsheet.csv_row``) and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from congso.core.spreadsheet import append_row, csv_row
from congso.eoffice.models import Direction, Document
from congso.printing.layout import Styles, build_pdf, esc, grid_table, para, short_date

PAGE = landscape(A4)
MARGINS = (12 * mm, 12 * mm, 12 * mm, 15 * mm)
WIDTH = PAGE[0] - MARGINS[1] - MARGINS[3]

#: The columns of each register (Annex IV), with their share of the page width.
COLUMNS: dict[str, list[tuple[str, float]]] = {
    Direction.OUTGOING: [
        ("Số, ký hiệu văn bản", 0.11),
        ("Ngày tháng văn bản", 0.08),
        ("Tên loại và trích yếu nội dung văn bản", 0.27),
        ("Người ký", 0.11),
        ("Nơi nhận văn bản", 0.17),
        ("Đơn vị, người nhận bản lưu", 0.1),
        ("Số lượng bản", 0.06),
        ("Ghi chú", 0.1),
    ],
    Direction.INCOMING: [
        ("Ngày đến", 0.07),
        ("Số đến", 0.05),
        ("Tác giả", 0.14),
        ("Số, ký hiệu", 0.1),
        ("Ngày tháng", 0.07),
        ("Tên loại và trích yếu nội dung", 0.27),
        ("Đơn vị hoặc người nhận", 0.13),
        ("Ký nhận", 0.07),
        ("Ghi chú", 0.1),
    ],
}


@dataclass(frozen=True)
class Register:
    agency_name: str
    parent_name: str
    direction: str
    year: int
    confidential: bool
    entries: Sequence[Document]

    @property
    def title(self) -> str:
        kind = "ĐI" if self.direction == Direction.OUTGOING else "ĐẾN"
        mat = " MẬT" if self.confidential else ""
        return f"SỔ ĐĂNG KÝ VĂN BẢN {kind}{mat}"

    @property
    def span(self) -> str:
        if not self.entries:
            return "Chưa có văn bản nào được đăng ký."
        first, last = self.entries[0].register_number, self.entries[-1].register_number
        return f"Từ số {first} đến số {last}"


def _lead(document: Document) -> str:
    names = [
        a.user.get_full_name() or a.user.get_username()
        for a in document.assignments.all()
        if a.role == "lead"
    ]
    return "; ".join(names)


def _note(document: Document) -> str:
    notes = []
    if document.confidential:
        notes.append(document.get_confidentiality_display())
    if document.urgency:
        notes.append(document.get_urgency_display())
    if document.state in ("recalled", "withdrawn", "returned"):
        notes.append(document.get_state_display())
    return "; ".join(notes)


def rows(register: Register) -> list[list[str]]:
    """The register's lines as text, in number order (shared by the PDF and the workbook)."""
    lines = []
    for doc in register.entries:
        kind_subject = f"{doc.doc_type.name}: {doc.subject}"
        if register.direction == Direction.OUTGOING:
            outside = [d.recipient_name for d in doc.dispatches.all()]
            signer = " ".join(p for p in (doc.signer_competence, doc.signer_name) if p)
            lines.append(
                [
                    doc.number_notation,
                    short_date(doc.issued_on),
                    kind_subject,
                    signer,
                    "; ".join(outside or doc.to_places),
                    "Lưu: VT",
                    str(len(outside) + 1),
                    _note(doc),
                ]
            )
        else:
            lines.append(
                [
                    short_date(doc.registered_at),
                    str(doc.register_number),
                    doc.issuer_name,
                    doc.number_notation,
                    short_date(doc.issued_on),
                    kind_subject,
                    _lead(doc),
                    "",
                    _note(doc),
                ]
            )
    return lines


def pdf(register: Register) -> bytes:
    styles = Styles(body_size=11)
    cell = Styles(body_size=8.5)
    story: list[Flowable] = [
        Spacer(1, 25 * mm),
        para(esc(register.parent_name.upper()), styles.head)
        if register.parent_name
        else Spacer(1, 0),
        para(f"<b>{esc(register.agency_name.upper())}</b>", styles.head_bold),
        Spacer(1, 30 * mm),
        para(esc(register.title), styles.title),
        para(f"Năm {register.year}", styles.subtitle),
        para(esc(register.span), styles.subtitle_italic),
        PageBreak(),
    ]
    columns = COLUMNS[register.direction]
    header = [para(esc(name), cell.cell_head) for name, _ in columns]
    numbers = [para(f"({i})", cell.cell_center) for i in range(1, len(columns) + 1)]
    body: list[list[Any]] = [header, numbers]
    for line in rows(register):
        body.append([para(esc(value), cell.cell) for value in line])
    story.append(grid_table(body, [share * WIDTH for _, share in columns], header_rows=2))
    return build_pdf(
        story,
        pagesize=PAGE,
        title=f"{register.title} năm {register.year}",
        subject=register.agency_name,
        margins=MARGINS,
    )


def xlsx(register: Register) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = (
        f"{'So di' if register.direction == Direction.OUTGOING else 'So den'} {register.year}"
    )
    append_row(sheet, [register.agency_name])
    append_row(sheet, [f"{register.title} NĂM {register.year}"])
    append_row(sheet, [register.span])
    columns = COLUMNS[register.direction]
    append_row(sheet, [name for name, _ in columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet["A2"].font = Font(bold=True)
    for line in rows(register):
        append_row(sheet, line)
    for index, (_, share) in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(8, round(share * 180))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: The metadata export's fields, in order (the CSV header; the JSON keys).
METADATA_FIELDS = (
    "register_year",
    "register_number",
    "confidential_series",
    "direction",
    "registered_at",
    "number_notation",
    "document_id",
    "doc_type",
    "doc_type_name",
    "issued_on",
    "issuer_code",
    "issuer_name",
    "subject",
    "signer_competence",
    "signer_name",
    "signer_position",
    "urgency",
    "confidentiality",
    "reply_due",
    "page_count",
    "state",
    "recipients",
    "lead",
    "version",
    "main_file_sha256",
    "reply_to_document_id",
    "duplicate_of_register_number",
)


def metadata(register: Register) -> list[dict[str, Any]]:
    """One record per entry, in number order: the register's metadata for another system."""
    records = []
    for doc in register.entries:
        main = next(
            (f for f in doc.files.all() if f.version == doc.version and f.role == "main"), None
        )
        records.append(
            {
                "register_year": doc.register_year,
                "register_number": doc.register_number,
                "confidential_series": register.confidential,
                "direction": doc.direction,
                "registered_at": doc.registered_at.isoformat() if doc.registered_at else None,
                "number_notation": doc.number_notation,
                "document_id": doc.document_id,
                "doc_type": doc.doc_type.code,
                "doc_type_name": doc.doc_type.name,
                "issued_on": doc.issued_on.isoformat() if doc.issued_on else None,
                "issuer_code": doc.issuer_code,
                "issuer_name": doc.issuer_name,
                "subject": doc.subject,
                "signer_competence": doc.signer_competence,
                "signer_name": doc.signer_name,
                "signer_position": doc.signer_position,
                "urgency": doc.urgency,
                "confidentiality": doc.confidentiality,
                "reply_due": doc.reply_due.isoformat() if doc.reply_due else None,
                "page_count": doc.page_count,
                "state": doc.state,
                "recipients": [
                    {"code": d.recipient_code, "name": d.recipient_name, "channel": d.channel}
                    for d in doc.dispatches.all()
                ],
                "lead": _lead(doc),
                "version": doc.version,
                "main_file_sha256": main.sha256 if main is not None else "",
                "reply_to_document_id": doc.reply_to.document_id if doc.reply_to_id else "",  # type: ignore[union-attr]
                "duplicate_of_register_number": (
                    doc.duplicate_of.register_number if doc.duplicate_of_id else None  # type: ignore[union-attr]
                ),
            }
        )
    return records


def metadata_json(register: Register) -> bytes:
    body = {
        "agency": register.agency_name,
        "title": register.title,
        "year": register.year,
        "direction": register.direction,
        "confidential": register.confidential,
        "entries": metadata(register),
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):  # the recipients: "code name (channel)" joined by "; "
        return "; ".join(
            " ".join(p for p in (item["code"], item["name"]) if p) + f" ({item['channel']})"
            for item in value
        )
    return value


def metadata_csv(register: Register) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads the Vietnamese right), every text field made
    inert (a subject starting with ``=`` gets a leading quote)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(METADATA_FIELDS)
    for entry in metadata(register):
        writer.writerow(csv_row(_csv_cell(entry[name]) for name in METADATA_FIELDS))
    return ("\ufeff" + out.getvalue()).encode()
