"""Result documents and signature stamps, laid out with the printing app's fonts and blocks.

A result is two A4 pages: the result itself (letterhead of the competent agency with the result
code as its number, the QR code opening the public verification page, the data of the dossier,
the signature area) and a second page with the dossier's details and how to verify the file.
The signature fields sit at fixed places in the signature area of page 1
(:data:`FIELD_BOXES`), so every field can be created before the first signature.

The visible stamp of a signature is drawn by reportlab with the embedded DejaVu faces (so its
Vietnamese text extracts correctly) and imported into the signature's appearance.
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Spacer

from congso.printing import fonts
from congso.printing.layout import (
    Letterhead,
    Styles,
    build_pdf,
    esc,
    grid_table,
    labelled,
    letterhead_block,
    para,
    short_date,
    short_datetime,
)
from congso.printing.qr import QRCode

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGINS = (15 * mm, 18 * mm, 62 * mm, 25 * mm)  # top, right, bottom (signature area), left
BODY_WIDTH = PAGE_WIDTH - MARGINS[1] - MARGINS[3]
STAMP_WIDTH = 78 * mm
STAMP_HEIGHT = 30 * mm

#: Where each signature role's stamp goes on page 1 (x1, y1, x2, y2 in points): the leader
#: right (as the signer of an administrative document), the agency's seal signature left.
FIELD_BOXES: dict[str, tuple[int, int, int, int]] = {
    "approval": (
        int(PAGE_WIDTH - MARGINS[1] - STAMP_WIDTH),
        int(16 * mm),
        int(PAGE_WIDTH - MARGINS[1]),
        int(16 * mm + STAMP_HEIGHT),
    ),
    "seal": (
        int(MARGINS[3]),
        int(16 * mm),
        int(MARGINS[3] + STAMP_WIDTH),
        int(16 * mm + STAMP_HEIGHT),
    ),
}


@dataclass(frozen=True)
class ResultDocument:
    """What a result page shows (plain data; :mod:`congso.signing.services` fills it)."""

    code: str
    title: str
    letterhead: Letterhead
    verify_url: str
    lines: Sequence[tuple[str, str]]
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime.datetime | None
    processed_at: datetime.datetime | None
    legal_basis: str
    signer_titles: Sequence[tuple[str, str]]  # (role, "CHỦ TỊCH" / "VĂN THƯ") above each field


def _signature_heads(data: ResultDocument, styles: Styles) -> Flowable:
    """The signer titles above the signature fields (the fields are drawn by the signatures)."""
    by_role = dict(data.signer_titles)
    cells: list[list[Flowable]] = [[], []]
    if "seal" in by_role:
        cells[0] = [para(esc(by_role["seal"]), styles.sign_title)]
    if "approval" in by_role:
        cells[1] = [para(esc(by_role["approval"]), styles.sign_title)]
    table = grid_table([cells], [BODY_WIDTH / 2, BODY_WIDTH / 2], header_rows=0)
    table.setStyle([("GRID", (0, 0), (-1, -1), 0, colors.white)])
    return table


def render_result(data: ResultDocument) -> bytes:
    """The unsigned two-page result PDF."""
    styles = Styles(body_size=11)
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=BODY_WIDTH, qr_payload=data.verify_url),
        para(esc(data.title.upper()), styles.title),
        para(f"Mã kết quả: <b>{esc(data.code)}</b>", styles.subtitle),
        Spacer(1, 4 * mm),
    ]
    if data.legal_basis:
        story.append(para(f"<i>Căn cứ {esc(data.legal_basis)};</i>", styles.body))
    for label, value in data.lines:
        story.append(labelled(label, value, styles.body_left))
    story += [Spacer(1, 6 * mm), _signature_heads(data, styles), PageBreak()]
    rows: list[list[Any]] = [
        [para("Thông tin", styles.cell_head), para("Nội dung", styles.cell_head)],
        *[
            [para(esc(label), styles.cell), para(esc(value), styles.cell)]
            for label, value in (
                ("Mã kết quả", data.code),
                ("Mã hồ sơ", data.dossier_code),
                ("Thủ tục", data.procedure_name),
                ("Người nộp hồ sơ", data.applicant_name),
                ("Tiếp nhận lúc", short_datetime(data.received_at)),
                ("Có kết quả lúc", short_datetime(data.processed_at)),
                ("Ngày ký phát hành", short_date(data.letterhead.issued_on)),
            )
        ],
    ]
    story += [
        para("THÔNG TIN XÁC THỰC KẾT QUẢ ĐIỆN TỬ", styles.title),
        Spacer(1, 3 * mm),
        grid_table(rows, [55 * mm, BODY_WIDTH - 55 * mm]),
        Spacer(1, 5 * mm),
        para(
            "Văn bản này là kết quả giải quyết thủ tục hành chính dạng điện tử, được ký số theo "
            "Nghị định số 45/2020/NĐ-CP và Nghị định số 30/2020/NĐ-CP. Kết quả điện tử có giá trị "
            "pháp lý như bản giấy khi chữ ký số hợp lệ và nội dung không bị thay đổi sau khi ký.",
            styles.letter,
        ),
        para(
            "Để kiểm tra, quét mã QR dưới đây hoặc mở địa chỉ "
            f"<b>{esc(data.verify_url)}</b>; có thể tải lên bản đang giữ để so sánh với bản gốc "
            "lưu tại cơ quan.",
            styles.letter,
        ),
        Spacer(1, 4 * mm),
        QRCode(data.verify_url, 32 * mm),
    ]
    return build_pdf(
        story,
        pagesize=A4,
        title=f"{data.title} – {data.code}",
        subject=f"Kết quả giải quyết hồ sơ {data.dossier_code}",
        margins=MARGINS,
    )


# --- Stamps ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StampText:
    heading: str  # "Đã ký số bởi" / "Ký số cơ quan"
    name: str
    title: str
    agency: str
    moment: datetime.datetime


def stamp_lines(text: StampText) -> list[str]:
    local = text.moment.astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    return [
        text.heading,
        text.name,
        text.title,
        text.agency,
        f"Thời gian ký: {local:%H:%M:%S} ngày {local:%d/%m/%Y} (GMT+7)",
    ]


def render_stamp(
    text: StampText, *, width: float = STAMP_WIDTH, height: float = STAMP_HEIGHT
) -> bytes:
    """A one-page PDF of the stamp's size: a red frame and five lines of Vietnamese text."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=fonts.REGULAR)
    canvas.setTitle(f"stamp-{uuid.uuid4().hex[:8]}")
    red = colors.Color(0.75, 0.05, 0.05)
    canvas.setStrokeColor(red)
    canvas.setFillColor(red)
    canvas.setLineWidth(1.2)
    canvas.roundRect(1.5, 1.5, width - 3, height - 3, 4, stroke=1, fill=0)
    lines = stamp_lines(text)
    sizes = [7.5, 9.5, 8, 7.5, 7]
    faces = [fonts.ITALIC, fonts.BOLD, fonts.BOLD, fonts.REGULAR, fonts.ITALIC]
    y = height - 11
    for line, size, face in zip(lines, sizes, faces, strict=True):
        canvas.setFont(face, size)
        shown = line
        while shown and canvas.stringWidth(shown, face, size) > width - 10:
            shown = shown[:-2] + "…"
        canvas.drawCentredString(width / 2, y, shown)
        y -= size + 3
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
