"""The dashboard, the index and the public statistics in a real browser (Debian's Chromium via
Playwright, as ``tests/ui``): the vendored Chart.js draws both charts, the pages fit a 360 px
phone without horizontal scrolling, and axe-core finds no serious or critical violation.
Screenshots go to ``docs/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.indicators.dataset import Month
from tests.ui.test_browser_flow import AXE, CHROMIUM, SHOTS, VIEWPORTS

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_second_factor"),
]

PERIOD = "?tu=2026-03-01&den=2026-03-31"
#: Screenshots looked at, not committed (CI artefacts).
OFFICER_SHOTS = Path(__file__).resolve().parents[2] / "var" / "screens" / "officer"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _violations(page: Any) -> list[str]:
    # Evaluated through the driver: a script tag would be inline script, which the site's
    # Content-Security-Policy refuses (as it should).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return list(
        page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.help + ' → '"
            " + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
    )


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_dashboard_index_and_public_page_in_a_browser(
    browser: Any, live_server: Any, month: Month, world: Any, viewport: str
) -> None:
    client = Client()
    client.force_login(world.monitor)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="vi-VN")
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    violations: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(live_server.url + "/can-bo/chi-so/" + PERIOD)
    page.wait_for_function(
        "window.Chart && Chart.getChart('trend-chart') && Chart.getChart('ontime-chart')"
    )
    assert page.evaluate("Chart.getChart('trend-chart').data.datasets[0].data") == [4]
    assert page.evaluate("Chart.getChart('trend-chart').data.datasets[1].data") == [3]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    violations += _violations(page)
    page.screenshot(path=str(SHOTS / f"08-dashboard-{viewport}.png"), full_page=True)

    page.goto(live_server.url + "/can-bo/chi-so/bo-chi-so-766/" + PERIOD)
    assert "29.22" in page.content() or "29,22" in page.content()
    violations += _violations(page)
    page.screenshot(path=str(SHOTS / f"09-index-{viewport}.png"), full_page=True)

    page.goto(live_server.url + "/thong-ke/" + PERIOD)
    assert page.get_by_text("UBND xã A").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    violations += _violations(page)
    page.screenshot(path=str(SHOTS / f"10-public-statistics-{viewport}.png"), full_page=True)
    context.close()
    assert violations == []


def test_report_progress_polls_until_ready_then_offers_the_download(
    browser: Any, live_server: Any, month: Month, world: Any
) -> None:
    """The progress page updates itself (htmx polling, no inline script, no reload) until the
    report is made, then offers the download and says so once in its status region."""
    from congso.core import worker

    worker.heartbeat()
    client = Client()
    client.force_login(world.monitor)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(
        viewport=VIEWPORTS["desktop"], locale="vi-VN", accept_downloads=True
    )
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + "/can-bo/bao-cao/")
    page.locator("#id_start").fill("2026-03-01")
    page.locator("#id_end").fill("2026-03-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Lập báo cáo").click()
    assert "Đang chờ (0 %)" in page.locator("#report-progress").inner_text()
    assert page.locator("script:not([src])").count() == 0
    page.evaluate("window.stillTheSamePage = true")
    OFFICER_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OFFICER_SHOTS / "report-1-waiting.png"), full_page=True)
    # The worker makes the report meanwhile; the page notices by itself.
    assert worker.drain() >= 1
    download = page.get_by_role("link", name="Tải về")
    download.wait_for(timeout=15000)
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place, not reloaded
    assert "Đã xong (100 %)" in page.locator("#report-progress").inner_text()
    assert "Báo cáo đã lập xong" in page.locator("#report-announce").inner_text()
    assert _violations(page) == []
    page.screenshot(path=str(OFFICER_SHOTS / "report-2-ready.png"), full_page=True)
    assert page.locator("#report-progress[hx-trigger]").count() == 0  # the polling stopped
    with page.expect_download() as caught:
        download.click()
    assert caught.value.suggested_filename == "bao-cao-mot-cua-20260301-20260331.xlsx"
    context.close()
