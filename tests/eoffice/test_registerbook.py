"""The registers printed (PDF, ND 30 Annex IV, embedded Vietnamese face) and exported (Excel,
text cells only), from the register page; only the agency's clerks and leaders."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from congso.eoffice import services
from congso.eoffice.models import Direction, Document
from tests.eoffice.conftest import World
from tests.eoffice.test_flow import issue

pytestmark = pytest.mark.django_db

#: The printed registers are kept for a look (``pdftoppm -png -r 60``).
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screens" / "eoffice"
HOSTILE = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'


def _client(user: object, settings: object) -> Client:
    settings.OFFICER_2FA_REQUIRED = False  # type: ignore[attr-defined]
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_registers_print_and_export(
    world: World, pump: Callable[[], None], settings: object
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    issue(world)
    issue(world, subject=HOSTILE)
    pump()
    arrived = Document.objects.filter(agency=world.so.agency, direction=Direction.INCOMING)
    for document in arrived.order_by("pk"):
        services.incoming_register(actor=world.so.clerk, document_id=document.pk)
    year = timezone.localdate().year
    client = _client(world.ubnd.clerk, settings)
    page = client.get("/can-bo/van-ban/so-van-ban/", {"so": "di", "nam": year})
    assert page.status_code == 200
    html = page.content.decode()
    assert "01/UBND-VP" in html and "02/UBND-VP" in html and "Từ số 1 đến số 2" in html
    assert "&lt;" not in HOSTILE and "=HYPERLINK(&quot;" in html  # shown escaped

    printed = client.get(
        "/can-bo/van-ban/so-van-ban/", {"so": "di", "nam": year, "dinh-dang": "pdf"}
    )
    assert printed["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(printed.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text and f"Năm {year}" in text
    assert "01/UBND-VP" in text and "Tên loại và trích yếu nội dung văn bản" in text
    assert "Công văn: Về việc triển khai văn bản điện tử" in text
    fonts = {
        str(font["/BaseFont"])
        for p in reader.pages
        for font in (p["/Resources"].get("/Font") or {}).values()
    }
    assert fonts and all("DejaVu" in name for name in fonts), fonts
    (SHOTS / "so-di.pdf").write_bytes(printed.content)

    sheet = client.get(
        "/can-bo/van-ban/so-van-ban/", {"so": "di", "nam": year, "dinh-dang": "xlsx"}
    )
    book = load_workbook(io.BytesIO(sheet.content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value]
    hostile = [c for c in cells if str(c.value).startswith("Công văn: =HYPERLINK")]
    assert hostile and all(c.data_type == "s" for c in hostile)
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == "02/UBND-VP" for c in cells)

    # The department's incoming register; the province's clerk cannot open it.
    so_clerk = _client(world.so.clerk, settings)
    den = so_clerk.get(
        "/can-bo/van-ban/so-van-ban/", {"so": "den", "nam": year, "dinh-dang": "pdf"}
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(den.content)).pages)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "Ủy ban nhân dân tỉnh Demo" in text
    (SHOTS / "so-den.pdf").write_bytes(den.content)
    refused = client.get("/can-bo/van-ban/so-van-ban/", {"co-quan": world.so.agency.pk})
    assert refused.status_code == 404
    specialist = _client(world.ubnd.specialist, settings)
    assert specialist.get("/can-bo/van-ban/so-van-ban/").status_code == 403
    menu = specialist.get("/can-bo/van-ban/").content.decode()
    assert "so-van-ban" not in menu  # no menu entry that only refuses
    assert "so-van-ban" in client.get("/can-bo/van-ban/").content.decode()
