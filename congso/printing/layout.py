"""Page furniture shared by the forms: styles, the letterhead with the national motto, the
signature blocks, Vietnamese date phrases and the document builder.

The letterhead follows ND 30/2020/NĐ-CP (Appendix I): the issuing body top-left (its parent body
above it), the national motto top-right with a short rule under "Độc lập - Tự do - Hạnh phúc",
then the place-and-date line in italics. Day numbers below 10 and the months 1 and 2 take a
leading zero ("ngày 05 tháng 02 năm 2026", "ngày 15 tháng 3 năm 2026").
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import KeepTogether

from congso.printing import fonts
from congso.printing.qr import QRCode

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
CREATOR = "Công Sở — Hệ thống thông tin một cửa điện tử"

#: The QR symbol's side on the page.
QR_SIZE = 16 * mm


class Rule(Flowable):
    """A short horizontal rule of a fixed width (centred by the table cell holding it)."""

    def __init__(self, width: float, *, thickness: float = 0.6, space: float = 1.5):
        super().__init__()
        self.rule_width = width
        self.thickness = thickness
        self.space = space

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.rule_width = min(self.rule_width, available_width)
        return self.rule_width, self.thickness + 2 * self.space

    def draw(self) -> None:
        self.canv.setLineWidth(self.thickness)
        self.canv.setStrokeColor(colors.black)
        y = self.space + self.thickness / 2
        self.canv.line(0, y, self.rule_width, y)


@dataclass(frozen=True)
class Letterhead:
    """Who issues the form, where and when (the top block of every form)."""

    parent_name: str  # cơ quan chủ quản, upper line (may be empty)
    name: str  # the issuing body (bold)
    place: str  # địa danh for the date line, e.g. "Quảng Ngãi"
    issued_on: datetime.date
    number: str = ""  # "Số: …" when the form carries a registered number


# --- Vietnamese dates --------------------------------------------------------------------------


def _day(value: int) -> str:
    return f"{value:02d}"


def _month(value: int) -> str:
    # ND 30/2020: months 1 and 2 take a leading zero (so "tháng 01" cannot be read as "tháng 10").
    return f"{value:02d}" if value < 3 else str(value)


def date_phrase(day: datetime.date) -> str:
    """'ngày 05 tháng 01 năm 2026'."""
    return f"ngày {_day(day.day)} tháng {_month(day.month)} năm {day.year}"


def date_line(place: str, day: datetime.date) -> str:
    """'Quảng Ngãi, ngày 05 tháng 01 năm 2026'."""
    return f"{place}, {date_phrase(day)}" if place else date_phrase(day).capitalize()


def local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def time_phrase(moment: datetime.datetime | None) -> str:
    """'08 giờ 30 phút, ngày 05 tháng 01 năm 2026' (empty when there is no time)."""
    if moment is None:
        return ""
    value = local(moment)
    return f"{value:%H} giờ {value:%M} phút, {date_phrase(value.date())}"


def short_datetime(moment: datetime.datetime | None) -> str:
    """'05/01/2026 08:30' for table cells."""
    return "" if moment is None else f"{local(moment):%d/%m/%Y %H:%M}"


def short_date(day: datetime.date | datetime.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime.datetime):
        day = local(day).date()
    return f"{day:%d/%m/%Y}"


# --- Styles --------------------------------------------------------------------------------------


class Styles:
    """The paragraph styles of one document, scaled from its body text size in points."""

    def __init__(self, body_size: float = 9):
        fonts.register_fonts()
        family = fonts.FAMILY
        leading = body_size * 1.25
        self.body = ParagraphStyle(
            "body",
            fontName=family,
            fontSize=body_size,
            leading=leading,
            alignment=TA_JUSTIFY,
            spaceAfter=1.5,
        )
        self.letter = ParagraphStyle("letter", parent=self.body, firstLineIndent=6 * mm)
        self.body_left = ParagraphStyle("body_left", parent=self.body, alignment=TA_LEFT)
        self.item = ParagraphStyle(
            "item", parent=self.body, leftIndent=5 * mm, firstLineIndent=0, spaceAfter=1
        )
        self.small = ParagraphStyle(
            "small",
            parent=self.body_left,
            fontSize=body_size - 1.5,
            leading=(body_size - 1.5) * 1.25,
        )
        self.small_italic = ParagraphStyle("small_italic", parent=self.small, fontName=fonts.ITALIC)
        self.cell = ParagraphStyle("cell", parent=self.small, spaceAfter=0, alignment=TA_LEFT)
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.cell_head = ParagraphStyle(
            "cell_head", parent=self.cell, fontName=fonts.BOLD, alignment=TA_CENTER
        )
        header_size = body_size - 1.5
        self.head = ParagraphStyle(
            "head",
            fontName=family,
            fontSize=header_size,
            leading=header_size * 1.25,
            alignment=TA_CENTER,
        )
        self.head_bold = ParagraphStyle("head_bold", parent=self.head, fontName=fonts.BOLD)
        self.motto = ParagraphStyle(
            "motto", parent=self.head_bold, fontSize=header_size + 0.5, leading=header_size * 1.3
        )
        self.date = ParagraphStyle(
            "date", parent=self.head, fontName=fonts.ITALIC, fontSize=header_size + 0.5
        )
        self.title = ParagraphStyle(
            "title",
            parent=self.head_bold,
            fontSize=body_size + 2,
            leading=(body_size + 2) * 1.3,
            spaceBefore=3 * mm,
            spaceAfter=0.5 * mm,
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=self.head, fontSize=body_size, leading=leading, spaceAfter=1
        )
        self.subtitle_italic = ParagraphStyle(
            "subtitle_italic", parent=self.subtitle, fontName=fonts.ITALIC
        )
        self.sign_title = ParagraphStyle(
            "sign_title", parent=self.head_bold, fontSize=body_size, leading=leading
        )
        self.sign_hint = ParagraphStyle(
            "sign_hint", parent=self.head, fontName=fonts.ITALIC, fontSize=body_size - 1.5
        )
        self.sign_name = ParagraphStyle("sign_name", parent=self.sign_title, spaceBefore=14 * mm)


def esc(text: object) -> str:
    """Text for a reportlab Paragraph (which reads a small XML dialect): escape markup and
    keep the author's line breaks."""
    value = "" if text is None else str(text)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r\n", "\n").replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph from markup already escaped with :func:`esc` where it holds data."""
    return Paragraph(text, style)


def labelled(label: str, value: object, style: ParagraphStyle) -> Paragraph:
    """'Label: value' with the value in bold."""
    return Paragraph(f"{esc(label)}: <b>{esc(value)}</b>", style)


# --- Blocks ---------------------------------------------------------------------------------------


def letterhead_block(
    letterhead: Letterhead,
    styles: Styles,
    *,
    width: float,
    qr_payload: str | None = None,
) -> Table:
    """The issuing body and the national motto side by side (the QR symbol at the far left)."""
    issuer: list[Flowable] = []
    if letterhead.parent_name:
        issuer.append(para(esc(letterhead.parent_name.upper()), styles.head))
    issuer.append(para(esc(letterhead.name.upper()), styles.head_bold))
    issuer.append(Rule(18 * mm))
    if letterhead.number:
        issuer.append(para(f"Số: {esc(letterhead.number)}", styles.head))
    motto: list[Flowable] = [
        para(NATIONAL_NAME, styles.motto),
        para(NATIONAL_MOTTO, styles.motto),
        Rule(38 * mm),
        para(esc(date_line(letterhead.place, letterhead.issued_on)), styles.date),
    ]
    motto_width = min(width * 0.55, 80 * mm)
    if qr_payload is not None:
        qr_width = QR_SIZE + 2 * mm
        cells: list[Any] = [QRCode(qr_payload, QR_SIZE), issuer, motto]
        widths = [qr_width, width - qr_width - motto_width, motto_width]
    else:
        cells = [issuer, motto]
        widths = [width - motto_width, motto_width]
    table = Table([cells], colWidths=widths, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


@dataclass(frozen=True)
class Signer:
    title: str  # "NGƯỜI TIẾP NHẬN HỒ SƠ"
    hint: str = "(Ký và ghi rõ họ tên)"
    name: str = ""


def signature_block(signers: Sequence[Signer | None], styles: Styles, *, width: float) -> Flowable:
    """Signature columns side by side; ``None`` leaves a column empty (a lone signer sits
    right, as on the official forms)."""
    cells: list[list[Flowable]] = []
    for signer in signers:
        if signer is None:
            cells.append([])
            continue
        column: list[Flowable] = [
            para(esc(signer.title), styles.sign_title),
            para(esc(signer.hint), styles.sign_hint),
        ]
        column.append(para(esc(signer.name) or "&nbsp;", styles.sign_name))
        cells.append(column)
    table = Table([cells], colWidths=[width / len(cells)] * len(cells))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return KeepTogether([Spacer(1, 3 * mm), table])


def grid_table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    header_rows: int = 1,
    extra_style: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled table whose header rows repeat on every page it flows onto."""
    table = Table(
        [list(row) for row in rows],
        colWidths=list(widths),
        repeatRows=header_rows,
        hAlign="CENTER",
        splitByRow=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                *extra_style,
            ]
        )
    )
    return table


# --- Building the file ----------------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """Writes 'Trang n/N' at the foot of every page once the page count is known (only when
    the document has more than one page)."""

    def __init__(self, *args: Any, **kwargs: Any):
        # Start every page in the embedded face, so no base-14 font (Helvetica, not embedded)
        # is ever referenced.
        if not kwargs.get("initialFontName"):
            kwargs["initialFontName"] = fonts.REGULAR
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if total > 1:
                self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        width, _height = self._pagesize
        self.saveState()
        self.setFont(fonts.ITALIC, 7.5)
        self.drawCentredString(width / 2, 6 * mm, f"Trang {self._pageNumber}/{total}")
        self.restoreState()


def build_pdf(
    story: list[Flowable],
    *,
    pagesize: tuple[float, float],
    title: str,
    subject: str,
    margins: tuple[float, float, float, float],
    on_first_page: Callable[[Canvas], None] | None = None,
) -> bytes:
    """Lay the story out on pages (margins: top, right, bottom, left) and return the PDF.
    ``on_first_page`` draws fixed furniture on page 1 (e.g. signer blocks above signature
    fields)."""
    fonts.register_fonts()
    top, right, bottom, left = margins
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        topMargin=top,
        rightMargin=right,
        bottomMargin=bottom,
        leftMargin=left,
        title=title,
        subject=subject,
        author=CREATOR,
        creator=CREATOR,
        lang="vi-VN",
        initialFontName=fonts.REGULAR,
    )
    width, height = pagesize
    frame = Frame(
        left,
        bottom,
        width - left - right,
        height - top - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def first(canvas: Canvas, _document: Any) -> None:
        if on_first_page is not None and canvas.getPageNumber() == 1:
            on_first_page(canvas)

    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=first)])
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
