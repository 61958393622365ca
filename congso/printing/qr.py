"""The QR code printed top-left on every dossier form (TT 01/2023/TT-VPCP practice).

Payload: three fields joined by ``|`` — the dossier code, the national procedure code and the
applicant's identifier (12-digit personal ID, or the organisation's tax code)::

    000.00.12.H51-260105-0001|1.001193|051090001234

Plain text, not a URL, so scanning it never sends the applicant's identifier to a web server.
A desk scanner that types the text into the public look-up box (``/tra-cuu``) finds the dossier:
the look-up takes the first field (:func:`dossier_code_from_scan`) and ignores the rest.
None of the three fields can contain ``|`` (codes are digits, letters, dots and hyphens).
"""

from __future__ import annotations

import io
from typing import Any

import segno
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

SEPARATOR = "|"


def qr_payload(*, dossier_code: str, procedure_code: str, applicant_id: str) -> str:
    fields = (dossier_code, procedure_code, applicant_id)
    for field in fields:
        if SEPARATOR in field:
            raise ValueError(f"a QR field may not contain {SEPARATOR!r}: {field!r}")
    return SEPARATOR.join(field.strip() for field in fields)


def dossier_code_from_scan(text: str) -> str:
    """The dossier code in a scanned payload (or the text itself when it is a bare code)."""
    return text.split(SEPARATOR, 1)[0].strip()


def qr_png(payload: str, *, scale: int = 8, border: int = 2) -> bytes:
    """The QR symbol as a black-and-white PNG (error correction level M)."""
    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


class QRCode(Flowable):
    """A square QR symbol of ``size`` points, drawn as one embedded PNG image."""

    def __init__(self, payload: str, size: float):
        super().__init__()
        self.payload = payload
        self.size = size
        self.width = size
        self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        image: Any = ImageReader(io.BytesIO(qr_png(self.payload)))
        self.canv.drawImage(image, 0, 0, width=self.size, height=self.size)
