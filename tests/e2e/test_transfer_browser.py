"""Issue 20, liên thông between systems in a real browser (Playwright driving Debian's
Chromium): a commune specialist opens a birth registration in processing, presses «Chuyển liên
thông sang đơn vị khác», forgets the reason (a Vietnamese message, nothing written), then sends
it to UBND phường Hải Châu of the Đà Nẵng system; the dossier page shows the transfer. The other
side's answers are messages signed with the partner's key, applied as the worker would (the
two-instance run over the LGSP is tests/integration/test_transfer.py); the page then shows
B's code and due time, the result and its e-result file, which opens as a PDF.

Screenshots: ``var/screens/transfer/*.png``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from congso.dossiers import services
from congso.dossiers.models import Dossier
from congso.integration import transfers
from congso.integration.models import Transfer
from tests.dossiers.conftest import build_world, receive, submit

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "transfer"
B_UNIT, B_AGENCY, SECRET = "000.00.00.H17", "000.00.12.H17", "khoa-chung-lien-thong"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

RESULT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def _from_b(transfer: Transfer, kind: str, body: dict[str, Any]) -> None:
    """B's message, signed with the shared key, delivered by the platform and applied."""
    envelope = {
        "version": 1,
        "transfer_id": str(transfer.transfer_id),
        "kind": kind,
        "from": B_UNIT,
        "to": transfers.own_unit(),
        "sent_at": timezone.localtime().isoformat(),
        "body": body,
    }
    message = transfers.sign(envelope, SECRET)
    kept = transfers.apply(
        {"MaThongDiep": uuid.uuid4().hex, "NoiGui": B_UNIT, "ThongDiep": message}
    )
    assert kept.state == "applied", kept.error


def test_specialist_transfers_a_dossier_and_sees_the_result_come_back(
    live_server: Any, browser: Any, settings: Any, tmp_path: Path
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    settings.LGSP_UNIT_CODE = "000.00.00.H51"
    settings.TRANSFER_PARTNERS = json.dumps(
        [
            {
                "unit_code": B_UNIT,
                "name": "Hệ thống một cửa điện tử thành phố Đà Nẵng",
                "secret": SECRET,
                "agencies": [{"code": B_AGENCY, "name": "UBND phường Hải Châu"}],
            }
        ]
    )
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build_world()
    dossier = receive(world, submit(world))
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    SCREENS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/can-bo/")
    page.locator("input[name=username]").fill(world.specialist_a.username)
    page.locator("input[name=password]").fill("x")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Chuyển liên thông sang đơn vị khác").click()
    assert "Chuyển liên thông sang đơn vị khác" in page.locator("h1").inner_text()
    page.locator("#destination").select_option(f"{B_UNIT}|{B_AGENCY}")
    page.locator("#reason").evaluate("e => e.removeAttribute('required')")
    with page.expect_navigation():
        page.get_by_role("button", name="Chuyển liên thông", exact=True).click()
    assert "Cần nhập lý do" in page.locator("#reason-error").inner_text()
    assert Dossier.objects.get(pk=dossier.pk).status == "processing"  # nothing written
    page.screenshot(path=str(SCREENS / "transfer-form-error.png"), full_page=True)

    page.locator("#destination").select_option(f"{B_UNIT}|{B_AGENCY}")
    page.locator("#reason").fill("Cha mẹ của trẻ cư trú tại phường Hải Châu, thành phố Đà Nẵng.")
    with page.expect_navigation():
        page.get_by_role("button", name="Chuyển liên thông", exact=True).click()
    assert "Đã chuyển liên thông" in page.locator(".status").inner_text()
    section = page.locator("#transfers-title").locator("..")
    assert "UBND phường Hải Châu" in section.inner_text()
    assert "Đã gửi, chờ nơi nhận tiếp nhận" in section.inner_text()
    assert page.get_by_role("link", name="Chuyển liên thông sang đơn vị khác").count() == 0
    page.screenshot(path=str(SCREENS / "transferred.png"), full_page=True)

    transfer = Transfer.objects.get(dossier=dossier)
    due = timezone.localtime() + datetime.timedelta(days=3)
    _from_b(
        transfer,
        "received",
        {
            "local_code": f"{B_AGENCY}-260302-0007",
            "agency": "UBND phường Hải Châu",
            "due_at": due.isoformat(),
        },
    )
    _from_b(transfer, "processing", {"note": "Đang xử lý"})
    _from_b(
        transfer,
        "result",
        {
            "result_summary": "Đã đăng ký khai sinh cho trẻ Nguyễn Văn An, số 125/2026.",
            "file": {
                "name": f"{B_AGENCY}-260302-0007-KQ1.pdf",
                "mime_type": "application/pdf",
                "sha256": hashlib.sha256(RESULT_PDF).hexdigest(),
                "content": base64.b64encode(RESULT_PDF).decode(),
            },
        },
    )
    page.reload()
    assert "Đã xử lý xong" in page.locator(".status").inner_text()
    text = section.inner_text()
    assert f"{B_AGENCY}-260302-0007" in text and "Đã có kết quả" in text
    assert "số 125/2026" in text
    history = page.locator(".timeline").inner_text()
    assert "Nhận kết quả liên thông" in history and "UBND phường Hải Châu" in history
    assert "None" not in page.content()
    page.screenshot(path=str(SCREENS / "result-back.png"), full_page=True)
    link = page.get_by_role("link", name=f"{B_AGENCY}-260302-0007-KQ1.pdf")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.body() == RESULT_PDF
    context.close()
