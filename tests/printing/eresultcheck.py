"""Reading an e-result back as a registrar or citizen would: its text extracted (pypdf and
Poppler's ``pdftotext``) must read as the Vietnamese document, and its pages are kept as images
under ``var/screens/eresult/`` (``pdftoppm -png -r 80``) to be looked at."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.printing.pdfcheck import flat, text_of

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "var" / "screens" / "eresult"

#: What must never be printed: program values, English words, data structures.
FORBIDDEN = re.compile(
    r"[{}\[\]]|\bNone\b|\bnull\b|\bTrue\b|\bFalse\b|\b(?:male|female|mother|father|"
    r"grandparent|relative|authorised|spouse|child|parent|organisation|first|divorced|widowed)\b"
    r"|unit_code|unit_name|province_|_full_name|_birth_date|_personal_id|_residence|"
    r"capital_vnd|business_|owner_|vsic_code|line_name|\b[a-z]+_[a-z_]+\b"
)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext missing: scripts/bootstrap installs poppler-utils"
    source = tmp_path / "eresult.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def check_reads_as_document(pdf: bytes, tmp_path: Path, *phrases: str) -> str:
    """The flat text of the document (pypdf); asserts nothing forbidden in either extraction
    and every phrase present."""
    text = text_of(pdf)
    poppler = flat(pdftotext(pdf, tmp_path))
    for extracted in (text, poppler):
        document = re.sub(r"https?://\S+", "", extracted.split("THÔNG TIN XÁC THỰC")[0])
        found = FORBIDDEN.search(document)
        assert found is None, (found, document)
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        *phrases,
    ):
        assert phrase in poppler, (phrase, poppler[:3000])
    return poppler


def keep_pages(pdf: bytes, name: str) -> list[Path]:
    """Page images of the PDF under var/screens/eresult/<name>-<n>.png."""
    assert shutil.which("pdftoppm"), "pdftoppm missing: scripts/bootstrap installs poppler-utils"
    SCREENS.mkdir(parents=True, exist_ok=True)
    for old in SCREENS.glob(f"{name}-*.png"):
        old.unlink()
    source = SCREENS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(source), str(SCREENS / name)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(SCREENS.glob(f"{name}-*.png"))
    assert pages
    return pages
