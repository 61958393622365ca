"""Issue 12, the officer side in a real browser (Playwright driving Debian's Chromium) on the real
demo (province 51 and its catalogue), as officers log in through the login page:

* each role lands on its own work (reception → what waits at the desk, specialist → my steps,
  leader → what waits for approval, monitor → the dashboard), with no menu entry leading to a
  page that only says "no permission";
* at the counter, «Tra cứu người nộp» fills the applicant's fields of the declaration too, a
  scan chosen once survives an error (shown as attached, not picked again) and becomes the
  dossier's attachment on receipt.

Screenshots go to ``var/screens/officer/`` (desktop). Reuses the journeys' browser and demo.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings

from congso.catalog.models import Procedure
from congso.catalog.selectors import current_version
from congso.dossiers.models import Dossier
from congso.org.models import Citizen, RoleAssignment
from tests.e2e.test_journeys_browser import (  # noqa: F401 (fixtures)
    ROOT,
    Citizen_,
    browser,
    demo,
    wanted,
)

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "var" / "screens" / "officer"
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


class Officer(Citizen_):
    """An officer's browser tab (the journeys' tab, with the form helpers)."""

    def sign_in(self, username: str) -> str:
        """Log in through the page and return where the workspace takes them."""
        page = self.page
        page.goto(self.base + "/can-bo/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(django_settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.wait_for_load_state()
        return urlparse(page.url).path

    def menu(self) -> list[str]:
        return self.page.locator("nav.subnav a").all_inner_texts()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _user(role: str, **where: Any) -> str:
    found = (
        RoleAssignment.objects.filter(role=role, **where)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    assert found is not None, (role, where)
    return str(found.user.username)


def test_each_officer_lands_on_their_own_work(
    live_server: Any,
    browser: Any,  # noqa: F811 (the journeys' fixtures)
    demo: dict[str, Path],  # noqa: F811
) -> None:
    commune = RoleAssignment.objects.filter(role="reception", desk__kind="one_stop").first()
    assert commune is not None
    agency = commune.agency_id
    landings = {
        _user("reception", agency_id=agency): ("/can-bo/hang-doi/tiep-nhan/", "Chờ tiếp nhận"),
        _user("specialist", agency_id=agency): ("/can-bo/hang-doi/cua-toi/", "Bước của tôi"),
        _user("leader", agency_id=agency): ("/can-bo/hang-doi/cho-duyet/", "Chờ tôi duyệt, ký"),
        "giamsat.tinh": ("/can-bo/chi-so/", "Bảng điều hành"),
    }
    for username, (path, heading) in landings.items():
        tab = Officer(browser, live_server.url, viewport=DESKTOP)
        assert tab.sign_in(username) == path, username
        assert heading in tab.page.locator("h1").inner_text(), username
        menu = tab.menu()
        # Nobody here is an administrator: no «Quản trị» that would only refuse them.
        assert "Quản trị" not in menu, (username, menu)
        if username == "giamsat.tinh":
            assert menu[0] == "Tìm hồ sơ" and "Hàng đợi công việc" not in menu
            assert "Điều hành, chỉ số" in menu
        else:
            assert menu[0] == "Hàng đợi công việc"
        # Every menu entry opens a page of theirs.
        for link in tab.page.locator("nav.subnav a").all():
            href = link.get_attribute("href")
            response = tab.page.request.get(tab.base + str(href))
            assert response.status == 200, (username, href, response.status)
        tab.shot(f"landing-{path.strip('/').replace('/', '-')}")
        tab.context.close()


def test_counter_look_up_fills_the_declaration_and_keeps_the_scans(
    live_server: Any,
    browser: Any,  # noqa: F811 (the journeys' fixtures)
    demo: dict[str, Path],  # noqa: F811
) -> None:
    birth = Procedure.objects.get(code="1.001193")
    schema = current_version(birth).form_schema
    desk_role = (
        RoleAssignment.objects.filter(role="reception", desk__kind="one_stop")
        .select_related("user", "desk")
        .first()
    )
    assert desk_role is not None
    citizen = Citizen.objects.get(user__username="congdan.mot")
    tab = Officer(browser, live_server.url, viewport=DESKTOP)
    tab.sign_in(desk_role.user.username)
    page = tab.page
    page.get_by_role("link", name="Tiếp nhận trực tiếp").click()
    page.locator("#q").fill("dang ky khai sinh")  # the results come as the officer types
    page.get_by_role("link", name=birth.name, exact=True).wait_for()
    with page.expect_navigation():
        page.get_by_role("link", name=birth.name, exact=True).click()
    assert "thu-tuc=1.001193" in page.url

    # The look-up fills the header and the declaration's applicant section.
    page.locator("#id_number").fill(citizen.personal_id)
    tab.press("Tra cứu người nộp")
    assert "Thông tin người nộp đã được điền vào tờ khai" in page.locator("main").inner_text()
    assert page.locator("#full_name").input_value() == citizen.full_name
    assert page.locator("#f-applicant-full-name").input_value() == citizen.full_name
    assert page.locator("#f-applicant-personal-id").input_value() == citizen.personal_id
    assert page.locator("#f-applicant-address-detail").input_value() == citizen.address
    assert page.locator("#f-applicant-address-unit").input_value() == citizen.address_unit.code
    tab.shot("counter-1-looked-up")

    # The rest filled (the father's section left blank), a scan chosen, and «Tiếp nhận hồ sơ»
    # with the competent agency not chosen yet (the desk serves two): the page comes back.
    for spec in schema["fields"]:
        if spec["type"] in ("file", "group") or not wanted(spec, {"Cha"}):
            continue
        fid = "f-" + spec["name"].replace("_", "-")
        if page.locator(f"#{fid}, #{fid}-unit").count():
            tab.fill_field(spec, spec["name"], citizen)
    # The scans the declaration asks for (the birth certificate), digitised at the desk.
    scanned = [
        s["component"] for s in schema["fields"] if s["type"] == "file" and s.get("required")
    ]
    assert scanned
    for code in scanned:
        page.locator(f"#scan-{code}").set_input_files(str(demo["pdf"]))
    slot = current_version(birth).components.get(code=scanned[0])
    assert page.locator("#agency").input_value() == ""
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    page.wait_for_selector("text=Bản quét đã đính kèm")
    main = page.locator("main").inner_text()
    assert "Có chỗ cần sửa" in main and "Cần chọn cơ quan giải quyết" in main
    kept = page.locator(".slot", has=page.locator(f"#scan-{slot.code}"))
    assert "giay-to.pdf" in kept.inner_text() and kept.get_by_text("Bỏ tệp").count() == 1
    assert page.locator(f"#scan-{slot.code}").evaluate("input => input.files.length") == 0
    # What the look-up filled is still there.
    assert page.locator("#f-applicant-full-name").input_value() == citizen.full_name
    tab.shot("counter-2-error-scan-kept")

    # The agency chosen, sent again without picking the scan again: received with it.
    agency = page.locator("#agency option", has_text="Ủy ban nhân dân").first.get_attribute("value")
    page.locator("#agency").select_option(str(agency))
    tab.press("Tiếp nhận hồ sơ")
    main = page.locator("main").inner_text()
    codes = re.findall(r"\d{3}\.\d{2}\.\d{2}\.H\d{2}-\d{6}-\d{4}", main)
    assert codes, page.locator(".field__error, .alert").all_inner_texts()
    tab.shot("counter-3-received")
    dossier = Dossier.objects.get(code=codes[0])
    assert dossier.applicant_citizen_id == citizen.pk
    assert dossier.form_data["applicant_full_name"] == citizen.full_name
    component = dossier.components.get(code=slot.code)
    assert [a.original_name for a in component.attachments.all()] == ["giay-to.pdf"]
    assert component.digitised
    assert dossier.received_at is not None
    assert dossier.received_at.date() <= datetime.date.today()
