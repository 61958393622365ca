"""The visible stamp of a signature, in Vietnamese: a pyHanko text stamp style whose font is the
embedded DejaVu face of the printed forms (:mod:`congso.printing.fonts`), so that no signature of
congso shows pyHanko's English default ("Digitally signed by …", "Timestamp: …") or a missing
glyph.

pyHanko lays the text out with HarfBuzz and embeds a subset of the TrueType font with its
ToUnicode map (the ``opentype`` extra: fontTools, uharfbuzz), so the stamp's text extracts
(``pdftotext``) as written. The time is written by congso itself in GMT+7 (pyHanko's own
``%(ts)s`` is the server's zone and format), as ``dd/mm/yyyy HH:MM``.
"""

from __future__ import annotations

import datetime
import io
import logging
import threading
from dataclasses import dataclass
from typing import Any

from fontTools import ttLib
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import QRStampStyle, TextStampStyle

from congso.printing import fonts

#: Vietnam's time (no daylight saving), written on every stamp.
GMT7 = datetime.timezone(datetime.timedelta(hours=7))
#: The stamps' red (a seal's colour).
RED = (0.75, 0.05, 0.05)
FONT_SIZE = 8

_lock = threading.Lock()
_styles: dict[int, TextStampStyle] = {}
_font: bytes | None = None

# fontTools reports every subset it makes at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def font_bytes() -> bytes:
    """DejaVu Serif Condensed rescaled to 1,000 units per em, once per process.

    pyHanko 0.38 writes the glyph widths (``/W``) and the ``TJ`` adjustments in the font's own
    units, which PDF reads as thousandths of an em: right for CFF fonts (1,000 units) but twice
    too wide for DejaVu's 2,048. The same outlines at 1,000 units per em fix both."""
    global _font  # noqa: PLW0603 (a process-wide cache)
    with _lock:
        if _font is None:
            font = ttLib.TTFont(str(fonts.font_dir() / fonts.FACES[fonts.REGULAR]))
            if "FFTM" in font:  # FontForge's timestamps: fontTools cannot subset them
                del font["FFTM"]
            if font["head"].unitsPerEm != 1000:
                scale_upem(font, 1000)
            out = io.BytesIO()
            font.save(out)
            _font = out.getvalue()
        return _font


class DejaVuFactory(FontEngineFactory):
    """pyHanko's font engine for the stamps: the embedded (subset) DejaVu face."""

    def __init__(self, font_size: int) -> None:
        self.font_size = font_size

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(font_bytes()),
            font_size=self.font_size,
            bcp47_lang_code="vi",
            obj_stream=obj_stream,
        )


@dataclass(frozen=True)
class StampText:
    """What a stamp says: the signer (a person, or the agency for its seal), the agency, the
    time; ``heading`` on top (e.g. "Ký số cơ quan"), ``extra`` lines before the time (the
    number and date of an issued document)."""

    signer: str
    agency: str
    moment: datetime.datetime
    title: str = ""
    heading: str = ""
    extra: tuple[str, ...] = ()
    #: A QR code left of the text opening this address (the public verification page).
    url: str = ""


def signing_time(moment: datetime.datetime) -> str:
    """``dd/mm/yyyy HH:MM`` in GMT+7."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return f"{moment.astimezone(GMT7):%d/%m/%Y %H:%M}"


def stamp_lines(text: StampText) -> list[str]:
    lines = [text.heading] if text.heading else []
    lines.append(f"Ký bởi: {text.signer}")
    if text.title:
        lines.append(f"Chức vụ: {text.title}")
    if text.agency and text.agency != text.signer:
        lines.append(f"Cơ quan: {text.agency}")
    lines += list(text.extra)
    lines.append(f"Thời gian ký: {signing_time(text.moment)} (GMT+7)")
    return [line for line in lines if line.strip()]


def render_text(text: StampText) -> str:
    """The stamp's text as pyHanko's template (a literal ``%`` doubled)."""
    return "\n".join(line.replace("%", "%%") for line in stamp_lines(text))


def text_style(text: StampText, *, font_size: int = FONT_SIZE) -> TextStampStyle:
    """A pyHanko stamp style drawing ``text`` with the embedded DejaVu face, in a red frame;
    with ``text.url``, a QR code of it on the left (the signer passes ``url`` to pyHanko as an
    appearance parameter: :func:`text_params`)."""
    with _lock:
        base = _styles.get(font_size)
        if base is None:
            base = TextStampStyle(
                text_box_style=TextBoxStyle(
                    font=DejaVuFactory(font_size),
                    font_size=font_size,
                    leading=font_size + 2,
                ),
                border_width=1,
                border_color=RED,
            )
            _styles[font_size] = base
    style = QRStampStyle if text.url else TextStampStyle
    return style(
        text_box_style=base.text_box_style,
        border_width=base.border_width,
        border_color=base.border_color,
        stamp_text=render_text(text),
        timestamp_format="%d/%m/%Y %H:%M",
    )


def text_params(text: StampText | None) -> dict[str, str] | None:
    """What pyHanko needs besides the style to draw the stamp (the QR code's address)."""
    return {"url": text.url} if text is not None and text.url else None


__all__ = [
    "GMT7",
    "StampText",
    "render_text",
    "signing_time",
    "stamp_lines",
    "text_params",
    "text_style",
]
