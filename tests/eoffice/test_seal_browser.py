"""An issued e-office document verified in Chromium (Playwright, axe-core on the page): the
address of the QR code on the agency seal's stamp opens the public verification page, which
validates the stored original; the holder uploads their copy and reads that it matches. Mobile
width; screenshots in var/screens/eoffice/."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from congso.eoffice import services, signature
from congso.signing import pki
from tests.eoffice.conftest import World
from tests.eoffice.test_seal import _main, _signed, demo_pki, sealed_world
from tests.ui.test_browser_flow import CHROMIUM, Session, browser

__all__ = ["browser", "demo_pki", "sealed_world"]  # fixtures used here

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "eoffice"


def test_a_citizen_verifies_an_issued_document_in_the_browser(
    live_server: Any,
    browser: Any,
    sealed_world: World,
    demo_pki: pki.DemoPKI,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.SIGNING_PUBLIC_URL = live_server.url
    office = sealed_world.ubnd

    def sign_and_issue() -> tuple[str, bytes, str]:
        # Off the test's thread: Playwright's sync API keeps an event loop running there,
        # and pyHanko signs with asyncio.run.
        try:
            draft = _signed(sealed_world, subject="Về việc niêm yết công khai thủ tục hành chính")
            done = services.document_issue(actor=office.clerk, document_id=draft.pk)
            return signature.verify_url(done), _main(done), done.number_notation
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        url, pdf, number = pool.submit(sign_and_issue).result()
    copy = tmp_path / "cong-van-da-nhan.pdf"
    copy.write_bytes(pdf)

    citizen = Session(browser, live_server.url, "mobile", tmp_path)
    citizen.go(url.removeprefix(live_server.url))
    page = citizen.page
    body = page.inner_text("body")
    assert "Xác thực văn bản điện tử có chữ ký số" in body
    assert f"Bản gốc lưu tại cơ quan: {number}" in body
    assert "Về việc niêm yết công khai thủ tục hành chính" in body
    assert "Kết luận: Hợp lệ" in body and "2 chữ ký" in body
    for wrong in ("None", "TOTAL_", "{", "Digitally"):
        assert wrong not in body
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "xac-thuc-van-ban-mobile.png"), full_page=True)

    page.get_by_label("Tệp PDF đang giữ").set_input_files(str(copy))
    with page.expect_navigation():
        page.get_by_role("button", name="So sánh", exact=True).click()
    page.wait_for_load_state()
    citizen.axe()
    assert "Bản tải lên trùng khớp từng byte với bản gốc." in page.inner_text("body")
    page.screenshot(path=str(SCREENS / "xac-thuc-van-ban-so-sanh-mobile.png"), full_page=True)
    assert citizen.violations == []
