"""In Chromium: a citizen signs in through the VNeID simulator (its own process), lands on their
page, and logging out ends the provider's session too. The prefill, the store, the access log
and the step-up are walked by tests/e2e/test_identity_browser.py. Screenshots in
var/screens/identity/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from congso.identity import oidc
from congso.org.models import Citizen
from simulators.vneid.citizens import SEEDED
from tests.e2e.test_journeys_browser import CHROMIUM, ROOT

SHOTS = ROOT / "var" / "screens" / "identity"
AN = next(c for c in SEEDED if c.sub == "vneid-an")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_a_citizen_signs_in_with_vneid_and_lands_on_their_page(
    live_server: Any, browser: Any, vneid_process: Any, settings: Any
) -> None:
    base = live_server.url
    vneid_process.reset()
    vneid_process.configure(
        redirect_uris=[f"{base}/tai-khoan/dinh-danh/vneid/callback/"],
        post_logout_redirect_uris=[f"{base}/"],
    )
    for name, value in vneid_process.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    oidc.forget_cached()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{base}/")
        page.screenshot(path=str(SHOTS / "home.png"), full_page=True)
        page.goto(f"{base}/tai-khoan/dang-nhap/?next=/ca-nhan/")
        page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
        page.wait_for_url(f"{vneid_process.url}/oauth2/authorize*")
        page.screenshot(path=str(SHOTS / "provider.png"), full_page=True)
        page.locator(f'button[data-sub="{AN.sub}"][data-level="1"]').click()
        page.wait_for_url(f"{base}/ca-nhan/")
        text = page.content()
        assert AN.full_name in text
        assert AN.personal_id in text
        page.screenshot(path=str(SHOTS / "profile.png"), full_page=True)
        assert Citizen.objects.filter(personal_id=AN.personal_id, user__isnull=False).exists()
        # Logging out ends the provider's session too and comes home.
        page.get_by_role("button", name="Đăng xuất").click()
        page.wait_for_url(f"{base}/")
        events = [e["kind"] for e in vneid_process.state()["log"]]
        assert events.count("logout") == 1
    finally:
        context.close()
        oidc.forget_cached()
