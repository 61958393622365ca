"""Issue 20, the officers' national-portal sync page in a real browser (Playwright driving
Debian's Chromium): a commune leader signs in, opens «Đồng bộ cổng quốc gia», finds the dossier
the simulated platform refused twice (a dead letter, with its reason), presses «Đồng bộ lại»
and reads the dossier's line-by-line state; the reconciliation's difference (a name changed on
the portal behind congso's back) is listed with the field's Vietnamese label; the same page on
a phone. The LGSP simulator is its own process (tests/integration/conftest.py).

Screenshots: ``/tmp/congso-sync-*.png``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from congso.integration import reconcile, sync
from congso.integration.models import SyncItem
from tests.dossiers.conftest import build_world, submit
from tests.integration.conftest import lifecycle, portal, simulator  # noqa: F401 (fixtures)

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


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


def test_leader_finds_a_dead_letter_and_syncs_it_again(
    live_server: Any,
    browser: Any,
    portal: Any,  # noqa: F811
    settings: Any,
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    settings.SYNC_MAX_ATTEMPTS = 2
    world = build_world()
    good = lifecycle(world, submit(world))
    sync.send_due()
    bad = submit(world, form_data={"ho_ten_tre": "Nguyễn Thị Mai", "ngay_sinh": "2026-02-20"})
    portal.faults("5xx", "5xx")
    sync.send_due()
    assert SyncItem.objects.get(dossier=bad).state == SyncItem.State.DEAD
    portal.tamper(good.code, ChuHoSo="Trần Văn Bình")
    reconcile.run(timezone.localdate())

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/can-bo/")
    page.locator("input[name=username]").fill(world.leader_a.username)
    page.locator("input[name=password]").fill("x")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("link", name="Đồng bộ cổng quốc gia").click()
    page.wait_for_load_state()
    assert "Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia" in page.locator("h1").inner_text()
    problems = page.locator("#problems tbody tr")
    assert problems.count() == 1
    row = problems.first.inner_text()
    assert bad.code in row and "Dừng sau 2 lần gửi" in row and "HTTP 502" in row
    differences = page.locator("#differences").inner_text()
    assert "Chủ hồ sơ" in differences and "Trần Văn Bình" in differences
    page.screenshot(path="/tmp/congso-sync-page.png", full_page=True)

    with page.expect_navigation():
        problems.first.get_by_role("button", name="Đồng bộ lại").click()
    assert "Đã đưa hồ sơ trở lại hàng đợi đồng bộ" in page.locator("[role=status]").inner_text()
    assert "đang chờ gửi" in page.locator("#dossier-sync-state").inner_text()
    sync.send_due()
    page.reload()
    assert "đã đồng bộ đầy đủ" in page.locator("#dossier-sync-state").inner_text()
    assert bad.code in portal.dossiers()
    page.screenshot(path="/tmp/congso-sync-dossier.png", full_page=True)
    context.close()

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    tab = phone.new_page()
    tab.goto(live_server.url + "/can-bo/")
    tab.locator("input[name=username]").fill(world.monitor.username)
    tab.locator("input[name=password]").fill("x")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Đăng nhập", exact=True).click()
    tab.goto(live_server.url + "/can-bo/dong-bo/")
    assert tab.locator("#problems").get_by_role("button").count() == 0  # a monitor only watches
    tab.screenshot(path="/tmp/congso-sync-phone.png", full_page=True)
    phone.close()
