"""The Content-Security-Policy in a real browser (Debian's Chromium through Playwright): the
pages that run scripts (htmx, Chart.js, the admin, the API explorer) load and work with no
violation reported — the policy forbids inline script and style, and nothing here needs them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.accounts.helpers import login_verified, make_device, make_user

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + e.lineNumber);
});
"""


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


def _visit(context: Any, url: str) -> tuple[list[str], list[str]]:
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(WATCH)
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp")
    page.close()
    return violations, console


def test_pages_with_scripts_run_under_the_policy(browser: Any, live_server: Any) -> None:
    officer = make_user("quantri", staff=True, is_superuser=True)
    client = Client()
    login_verified(client, officer, make_device(officer))
    session = client.cookies["sessionid"].value
    anonymous = browser.new_context()
    signed_in = browser.new_context()
    signed_in.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    pages = [
        (anonymous, "/"),
        (anonymous, "/tai-khoan/dang-nhap/"),
        (anonymous, "/thu-tuc/"),
        (anonymous, "/tra-cuu"),
        (anonymous, "/thong-ke/"),
        (anonymous, "/api/v1/docs"),
        (signed_in, "/quan-tri/"),
        (signed_in, "/quan-tri/accounts/user/"),
        (signed_in, "/quan-tri/accounts/user/add/"),
        (signed_in, "/can-bo/"),
        (signed_in, "/can-bo/chi-so/"),
        (signed_in, "/tai-khoan/ma-truy-cap/"),
    ]
    found = {}
    for context, path in pages:
        violations, console = _visit(context, live_server.url + path)
        if violations or console:
            found[path] = violations + console
    assert found == {}
    # The API explorer really rendered (its scripts ran): Swagger UI built its page.
    page = anonymous.new_page()
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    page.close()


def test_the_watch_sees_a_violation(browser: Any, live_server: Any) -> None:
    """The check above can fail: a page with an inline script and style under the same header
    reports both."""
    from django.conf import settings

    from congso.core.middleware import header_value

    context = browser.new_context()
    url = live_server.url + "/thu-nghiem-csp/"
    context.route(
        url,
        lambda route: route.fulfill(
            status=200,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": header_value(settings.SECURE_CSP),
            },
            body='<p style="color:red">x</p><script>document.title="ran"</script>',
        ),
    )
    violations, _console = _visit(context, url)
    assert any(v.startswith("script-src") for v in violations), violations
    assert any(v.startswith("style-src") for v in violations), violations
