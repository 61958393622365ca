"""Reading the generated PDFs back with pypdf: text per page, fonts, images, page size."""

from __future__ import annotations

import io

import pypdf
from reportlab.lib.pagesizes import A4, A5, landscape

A5_SIZE = tuple(round(value) for value in A5)
A4_LANDSCAPE_SIZE = tuple(round(value) for value in landscape(A4))


def reader(data: bytes) -> pypdf.PdfReader:
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


def flat(text: str) -> str:
    """Text with every run of whitespace (line breaks from wrapping) as one space."""
    return " ".join(text.split())


def page_texts(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in reader(data).pages]


def text_of(data: bytes) -> str:
    return " ".join(page_texts(data))


def page_sizes(data: bytes) -> set[tuple[int, int]]:
    return {
        (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        for page in reader(data).pages
    }


def fonts_of(data: bytes) -> dict[str, bool]:
    """Every font the pages use → whether its program is embedded (a /FontFile2 stream)."""
    found: dict[str, bool] = {}
    for page in reader(data).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found[str(font["/BaseFont"])] = embedded
    return found


def image_count(data: bytes, page: int = 0) -> int:
    return len(reader(data).pages[page].images)


def subject_of(data: bytes) -> str:
    """The document's subject (the form number and its circular)."""
    metadata = pypdf.PdfReader(io.BytesIO(data)).metadata
    return str(metadata.subject or "") if metadata else ""
