"""In Chromium: a citizen signs in through the VNeID simulator (its own process) and lands on
their page; a level-2 procedure later asks them to step up. Screenshots in var/screens/identity/."""

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


def test_a_form_prefilled_from_the_population_database_and_the_access_log(
    live_server: Any,
    browser: Any,
    vneid_process: Any,
    population: Any,
    world: Any,
    settings: Any,
) -> None:
    from congso.catalog.models import ProcedureVersion
    from congso.org.models import AdministrativeUnit, UnitKind, UnitLevel

    base = live_server.url
    vneid_process.reset()
    vneid_process.configure(redirect_uris=[f"{base}/tai-khoan/dinh-danh/vneid/callback/"])
    for name, value in vneid_process.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    oidc.forget_cached()
    province = AdministrativeUnit.objects.get(code="51", level=UnitLevel.PROVINCE)
    AdministrativeUnit.objects.create(
        code="21211",
        name="Xã Tịnh Khê",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.COMMUNE,
        parent=province,
        province=province,
    )
    version = ProcedureVersion.objects.get(procedure=world.procedure)
    version.form_schema = {
        "fields": [
            {
                "name": "noi_cu_tru",
                "type": "address",
                "label": "Nơi cư trú",
                "required": True,
                "prefill": "citizen.address",
            }
        ]
    }
    version.save()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    apply = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/"
    try:
        page.goto(f"{base}/tai-khoan/dang-nhap/?next={apply}")
        page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
        page.locator(f'button[data-sub="{AN.sub}"][data-level="1"]').click()
        page.wait_for_url(f"{base}{apply}buoc-0/")
        source = page.locator("#f-noi-cu-tru-source")
        assert source.inner_text() == "từ CSDLQG về dân cư"
        assert page.locator("#f-noi-cu-tru-detail").input_value() == "Số 12, đường Lê Lợi"
        page.screenshot(path=str(SHOTS / "prefilled.png"), full_page=True)
        page.goto(f"{base}/ca-nhan/")
        page.get_by_role("link", name="Ai đã tra cứu dữ liệu của tôi (CSDLQG về dân cư)").click()
        rows = page.locator("#lookups tbody tr")
        assert rows.count() == 1
        assert "Chính bạn" in rows.first.inner_text()
        assert world.procedure.code in rows.first.inner_text()
        page.screenshot(path=str(SHOTS / "lookups.png"), full_page=True)
    finally:
        context.close()
        oidc.forget_cached()


def test_a_level_one_citizen_is_asked_to_step_up_for_a_level_two_procedure(
    live_server: Any, browser: Any, vneid_process: Any, world: Any, settings: Any
) -> None:
    import datetime

    from congso.identity import services

    base = live_server.url
    vneid_process.reset()
    vneid_process.configure(redirect_uris=[f"{base}/tai-khoan/dinh-danh/vneid/callback/"])
    for name, value in vneid_process.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    oidc.forget_cached()
    services.assurance_rule_set(
        actor=None, procedure=world.procedure, level=2, valid_from=datetime.date(2020, 1, 1)
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    apply = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/"
    try:
        page.goto(f"{base}/tai-khoan/dang-nhap/?next=/ca-nhan/")
        page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
        page.locator(f'button[data-sub="{AN.sub}"][data-level="1"]').click()
        page.wait_for_url(f"{base}/ca-nhan/")  # level 1 is enough to sign in
        page.goto(f"{base}{apply}")
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Cần tài khoản định danh điện tử mức 2"
        )
        page.screenshot(path=str(SHOTS / "step-up.png"), full_page=True)
        page.get_by_role("link", name="Xác thực bằng VNeID").click()
        page.wait_for_url(f"{vneid_process.url}/oauth2/authorize*")
        assert page.locator(f'button[data-sub="{AN.sub}"][data-level="1"]').count() == 0
        page.locator(f'button[data-sub="{AN.sub}"][data-level="2"]').click()
        page.wait_for_url(f"{base}{apply}buoc-0/")
        assert "Nộp hồ sơ trực tuyến" in page.content()
    finally:
        context.close()
        oidc.forget_cached()
