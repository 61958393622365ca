"""Issue 16, records through the pages in Chromium (Playwright, Debian's Chromium): commune A's
clerk signs in, makes the 2026 file plan, is refused a heading whose retention has no legal
basis, adds it with one, opens a record, files the issued kế hoạch from the document's page
and the returned birth-registration dossier from the dossier's page, closes the record, makes
the BagIt transfer and downloads it (validated by ``bagit``). The record page is read at 360 px
and in English. The signed data is prepared before Chromium starts (pyHanko's asyncio.run
must not meet Playwright's loop); the bag's validation runs in the live server's thread.

Screenshots go to ``var/screens/records/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from congso.records import bag
from congso.records.models import Record, RecordState
from tests.dossiers.conftest import Clock, World
from tests.records.conftest import issued_document, make_archive, returned_dossier

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens" / "records"
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_a_clerk_files_a_document_and_a_dossier_closes_and_transfers_the_record(
    live_server: Any, world: World, clock: Clock, settings: Any, tmp_path: Path
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    archive = make_archive(world, clock)
    document = issued_document(archive)
    dossier = returned_dossier(archive, clock)
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def shot(name: str) -> None:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

        def press(name: str) -> None:
            with page.expect_navigation():
                page.get_by_role("button", name=name, exact=True).click()

        page.goto(base + "/tai-khoan/dang-nhap/?next=/can-bo/luu-tru/")
        page.locator("input[name=username]").fill(archive.clerk.username)
        page.locator("input[name=password]").fill("x")
        press("Đăng nhập")
        assert page.url.endswith("/can-bo/luu-tru/"), page.url

        # The file plan of 2026.
        page.get_by_role("link", name="Danh mục hồ sơ", exact=True).click()
        page.get_by_label("Năm", exact=True).fill("2026")
        press("Lập danh mục")
        assert "Đã lập danh mục hồ sơ." in page.locator("[role=status]").inner_text()
        # A heading of 10 years without its legal basis is refused, nothing is added.
        page.get_by_label("Số, ký hiệu đề mục", exact=True).fill("05")
        page.get_by_label("Tên đề mục", exact=True).fill("Hồ sơ về chuyển đổi số")
        page.get_by_label("Số năm bảo quản", exact=True).fill("10")
        press("Thêm đề mục")
        assert "Ghi căn cứ của thời hạn bảo quản" in page.locator("main").inner_text()
        shot("01-series-refused")
        page.get_by_label("Căn cứ thời hạn bảo quản").fill(
            "Thông tư 10/2022/TT-BNV, Phụ lục, mục 2.5"
        )
        press("Thêm đề mục")
        assert "Hồ sơ về chuyển đổi số" in page.locator("table").inner_text()
        page.get_by_label("Tiêu đề hồ sơ", exact=True).fill(
            "Hồ sơ triển khai chuyển đổi số xã A năm 2026"
        )
        press("Mở hồ sơ")
        shot("02-plan-and-open-record")
        record = Record.objects.get()
        assert page.url.endswith(f"/can-bo/luu-tru/ho-so/{record.pk}/?xong=open")

        # File the kế hoạch from its page.
        page.goto(f"{base}/can-bo/van-ban/{document.pk}/")
        with page.expect_navigation():
            page.get_by_role("link", name="Đưa vào hồ sơ lưu trữ").click()
        page.get_by_label("Hồ sơ lưu trữ đang lập", exact=True).select_option(str(record.pk))
        shot("03-file-document-form")
        press("Đưa vào hồ sơ")
        assert "Đã đưa vào hồ sơ" in page.locator("[role=status]").inner_text()

        # File the returned dossier from its page.
        page.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
        with page.expect_navigation():
            page.get_by_role("link", name="Đưa vào hồ sơ lưu trữ").click()
        press("Đưa vào hồ sơ")
        contents = page.locator("table").inner_text()
        assert document.number_notation in contents and dossier.code in contents
        assert "đã ký số" in contents
        shot("04-record-with-items")

        press("Kết thúc hồ sơ")
        assert "Đã kết thúc" in page.locator("main").inner_text()
        press("Lập gói BagIt và nộp lưu")
        assert "Đã nộp lưu" in page.locator("main").inner_text()
        shot("05-transferred")
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải gói BagIt").click()
        saved = tmp_path / "bag.zip"
        download.value.save_as(saved)
        checked = bag.validate_zip(saved.read_bytes())
        assert checked.info["External-Identifier"] == record.code

        # The record page on a phone, then in English.
        page.set_viewport_size(PHONE)
        page.reload()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        shot("06-record-360px")
        with page.expect_navigation():
            page.locator("form.lang-switch button[value=en]").click()
        assert "List of contents" in page.locator("main").inner_text()
        assert "Transferred" in page.locator("main").inner_text()
        shot("07-record-english-360px")
        assert not [e for e in errors if "Content Security Policy" in e], errors
        context.close()
        browser.close()

    record.refresh_from_db()
    assert record.state == RecordState.TRANSFERRED and record.items.count() == 2
