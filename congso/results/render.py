"""Result documents and signature stamps, laid out with the printing app's fonts and blocks.

A result is two A4 pages: the official document (:mod:`congso.printing.eresults`: letterhead of
the competent agency with the document's own number, the QR code opening the public
verification page, the fields of the form it replaces, the signer's block) and a second page
with the dossier's details and how to verify the file.
The signature fields sit at fixed places in the signature area of page 1
(:data:`FIELD_BOXES`), so every field can be created before the first signature.

The visible stamp of a signature is signing's Vietnamese text stamp
(:mod:`congso.signing.stamps`, pyHanko with the same embedded DejaVu face), drawn into the field.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Spacer

from congso.printing import fonts
from congso.printing.eresults import EResult, eresult_story
from congso.printing.layout import (
    Styles,
    build_pdf,
    esc,
    grid_table,
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
    """What a result shows (plain data; :mod:`congso.results.services` fills it): the official
    document (:class:`~congso.printing.eresults.EResult`) on page 1, the verification details
    on page 2."""

    code: str
    document: EResult
    verify_url: str
    dossier_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime.datetime | None
    processed_at: datetime.datetime | None
    legal_basis: str
    roles: Sequence[str]  # the signature fields, in order ("approval", "seal")


#: The seal signature's head (the agency's clerk signs for the agency's seal, ND 30/2020).
SEAL_HEADING = ["VĂN THƯ", "(Ký số cơ quan)"]


def _signature_heads(canvas: Canvas, data: ResultDocument) -> None:
    """The signer's block above each signature field, at a fixed place on page 1 (the fields
    are created with the document; the signatures draw their stamps into them)."""
    canvas.saveState()
    canvas.setFillColor(colors.black)
    for role in data.roles:
        x1, y1, x2, y2 = FIELD_BOXES[role]
        if role == "seal":
            lines = [(fonts.BOLD, 11, SEAL_HEADING[0]), (fonts.ITALIC, 9.5, SEAL_HEADING[1])]
        else:
            lines = [(fonts.BOLD, 11, text) for text in data.document.signer_heading]
            lines.append((fonts.ITALIC, 9.5, data.document.signer_hint))
        y = y2 + 4 * mm + 13 * (len(lines) - 1)
        for face, size, text in lines:
            canvas.setFont(face, size)
            canvas.drawCentredString((x1 + x2) / 2, y, text)
            y -= 13
    canvas.setFont(fonts.ITALIC, 7.5)
    canvas.drawString(
        MARGINS[3], 11 * mm, f"Mã kết quả: {data.code} · Kiểm tra tại: {data.verify_url}"
    )
    canvas.restoreState()


def render_result(data: ResultDocument) -> bytes:
    """The unsigned two-page result PDF: the document, then how to verify it."""
    styles = Styles(body_size=12)
    doc = data.document
    story: list[Flowable] = [
        # The letterhead at the size that keeps the national name on one line of its column.
        letterhead_block(
            doc.letterhead(), Styles(body_size=11), width=BODY_WIDTH, qr_payload=data.verify_url
        ),
        *eresult_story(doc, styles, BODY_WIDTH),
        PageBreak(),
    ]
    rows: list[list[Any]] = [
        [para("Thông tin", styles.cell_head), para("Nội dung", styles.cell_head)],
        *[
            [para(esc(label), styles.cell), para(esc(value), styles.cell)]
            for label, value in (
                ("Văn bản", f"{doc.title.capitalize()} số {doc.number}"),
                ("Mã kết quả", data.code),
                ("Mã hồ sơ", data.dossier_code),
                ("Thủ tục", data.procedure_name),
                ("Người nộp hồ sơ", data.applicant_name),
                ("Tiếp nhận lúc", short_datetime(data.received_at)),
                ("Cơ quan cấp", doc.issuer),
                ("Ngày cấp", short_date(doc.letterhead().issued_on)),
                ("Căn cứ", data.legal_basis),
            )
            if value
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
        title=f"{doc.title.capitalize()} số {doc.number} – {data.code}",
        subject=f"Kết quả giải quyết hồ sơ {data.dossier_code}",
        margins=MARGINS,
        on_first_page=lambda canvas: _signature_heads(canvas, data),
    )
