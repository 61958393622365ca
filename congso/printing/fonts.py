"""The typeface of the printed forms: DejaVu Serif Condensed, embedded (subset) in every PDF.

Vietnamese needs a font with the precomposed Latin Extended Additional letters (ạ, ế, ữ…); the
PDF base-14 fonts have none. DejaVu covers them, its licence allows redistribution, and its
condensed cut keeps the national-motto header on one line of an A5 page.

The files are read from the system directory of the Debian packages ``fonts-dejavu-core`` /
``fonts-dejavu-extra`` when all four are there, otherwise from the copy shipped in
``congso/printing/fonts/`` (with its LICENSE), so the platform never depends on the host.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: The family name used in paragraph styles (``<b>``/``<i>`` map to the other three faces).
FAMILY = "CongSoSerif"
REGULAR = FAMILY
BOLD = f"{FAMILY}-Bold"
ITALIC = f"{FAMILY}-Italic"
BOLD_ITALIC = f"{FAMILY}-BoldItalic"

#: Registered face name → file name.
FACES: dict[str, str] = {
    REGULAR: "DejaVuSerifCondensed.ttf",
    BOLD: "DejaVuSerifCondensed-Bold.ttf",
    ITALIC: "DejaVuSerifCondensed-Italic.ttf",
    BOLD_ITALIC: "DejaVuSerifCondensed-BoldItalic.ttf",
}

SYSTEM_DIR = Path("/usr/share/fonts/truetype/dejavu")
BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"

_lock = threading.Lock()
_registered_from: Path | None = None


def font_dir(candidates: tuple[Path, ...] = (SYSTEM_DIR, BUNDLED_DIR)) -> Path:
    """The first directory holding every face (the bundled copy is always complete)."""
    for directory in candidates:
        if all((directory / name).is_file() for name in FACES.values()):
            return directory
    raise FileNotFoundError(
        "DejaVu Serif Condensed not found in " + ", ".join(str(d) for d in candidates)
    )


def register_fonts() -> Path:
    """Register the four faces with reportlab once per process; return the directory used."""
    global _registered_from  # noqa: PLW0603 (process-wide registration, done once)
    with _lock:
        if _registered_from is None:
            directory = font_dir()
            for face, file_name in FACES.items():
                pdfmetrics.registerFont(TTFont(face, str(directory / file_name)))
            addMapping(FAMILY, 0, 0, REGULAR)
            addMapping(FAMILY, 1, 0, BOLD)
            addMapping(FAMILY, 0, 1, ITALIC)
            addMapping(FAMILY, 1, 1, BOLD_ITALIC)
            _registered_from = directory
        return _registered_from
