"""Issue 16: the register page's metadata export in Chromium — the clerk of the People's
Committee opens the outgoing register, sees the entries, downloads the metadata as CSV and
JSON; a subject starting with ``=`` arrives inert. Screenshot in ``var/screens/eoffice/``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_eoffice_browser import CHROMIUM, Tab, playwright_sync, types  # noqa: F401
from tests.eoffice.conftest import (  # noqa: F401 (fixtures)
    World,
    axis,
    eoffice_settings,
    leader_p12,
    on_axis,
    pump,
    seal_dir,
    world,
)
from tests.eoffice.test_flow import issue

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]
HOSTILE = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'


def test_the_clerk_downloads_the_register_metadata(
    live_server: Any,
    types: None,  # noqa: F811
    world: World,  # noqa: F811
    pump: Callable[[], None],  # noqa: F811
    settings: Any,
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    issue(world, subject="V/v tổng kết công tác văn thư, lưu trữ năm 2026")
    issue(world, subject=HOSTILE)
    # Chromium is started after the documents are signed: pyHanko signs with asyncio.run(),
    # which cannot run inside the loop Playwright's sync API keeps in this thread.
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            _walk(browser, live_server.url, world)
        finally:
            browser.close()


def _walk(browser: Any, base: str, world: World) -> None:  # noqa: F811
    tab = Tab(browser, base, world.ubnd.clerk.username)
    page = tab.page
    page.goto(base + "/can-bo/van-ban/so-van-ban/?so=di")
    assert "Từ số 1 đến số 2" in page.content()
    tab.shot("register-metadata-links")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Siêu dữ liệu (CSV)", exact=True).click()
    data = Path(csv_download.value.path()).read_bytes().decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert [r["number_notation"] for r in rows] == ["01/UBND-VP", "02/UBND-VP"]
    assert rows[1]["subject"] == "'" + HOSTILE
    assert csv_download.value.suggested_filename.endswith(".csv")
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Siêu dữ liệu (JSON)", exact=True).click()
    body = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert [e["register_number"] for e in body["entries"]] == [1, 2]
    assert body["entries"][0]["subject"] == "V/v tổng kết công tác văn thư, lưu trữ năm 2026"
    tab.close()
