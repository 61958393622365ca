"""Signing in a real browser (Chromium through Playwright, axe-core on every page): the specialist
prepares the e-result, the leader signs it and completes the dossier, the citizen downloads it
from their account and opens its verification page. The demo PKI's OCSP/CRL/TSA are served in a
thread (as in tests/signing)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.dossiers import services as dossier_services
from congso.org.demo import DEMO_TOTP_KEY_HEX
from congso.results.models import ResultTemplate
from congso.signing import pki
from congso.signing.models import SignatureRole, SignerProfile
from tests.dossiers.conftest import Clock, at, build_world, to_processing
from tests.signing.conftest import demo_pki
from tests.ui.test_browser_flow import CHROMIUM, PASSWORD, Session, browser

__all__ = ["browser", "demo_pki"]  # fixtures used here

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens" / "eresult"


def _keep(session: Session, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_prepare_sign_complete_download_verify_in_the_browser(
    live_server: Any,
    browser: Any,
    demo_pki: pki.DemoPKI,
    tmp_path: Path,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_DEMO_PKI_DIR = demo_pki.directory
    settings.SIGNING_DEMO_PKI_URL = demo_pki.base_url
    settings.SIGNING_TRUST_ROOTS = [str(demo_pki.directory / "root.crt")]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_PUBLIC_URL = live_server.url
    world = build_world()
    for officer in (world.specialist_a, world.leader_a):
        TOTPDevice.objects.create(user=officer, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
    ResultTemplate.objects.create(
        procedure=world.procedure,
        kind="birth_extract",
        title="Trích lục khai sinh",
        level="B-T",
        signature_roles=["approval"],
    )
    profile = SignerProfile.objects.create(
        user=world.leader_a,
        agency=world.commune_a,
        role=SignatureRole.APPROVAL,
        display_name="Nguyễn Văn Bình",
        title="Chủ tịch",
        config={"p12_path": "officers/chu-tich.p12"},
    )
    clock = Clock(monkeypatch)
    dossier = to_processing(world, clock, at(2026, 1, 5, 8))
    clock.set(datetime.datetime.now(datetime.UTC))
    dossier = dossier_services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    code = dossier.code

    specialist = Session(browser, live_server.url, "desktop", tmp_path)
    specialist.login_officer("chuyenvien.a", DEMO_TOTP_KEY_HEX)
    specialist.go(f"/can-bo/ho-so/{code}/")
    specialist.follow("Lập kết quả điện tử")
    # The officer sees the document before it exists: the extract as it will be printed.
    preview = specialist.page.get_by_role("document", name="TRÍCH LỤC KHAI SINH").inner_text()
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "(BẢN SAO)",
        "/TLKS-BS",
        "Họ, chữ đệm, tên người mẹ:",
        "Nơi đăng ký khai sinh:",
        "NGƯỜI KÝ TRÍCH LỤC",
    ):
        assert phrase in preview, (phrase, preview)  # fmt: skip
    assert not re.search(r"\bNone\b|[{}]|\bfemale\b|\bmother\b", preview), preview
    _keep(specialist, "preview-before-prepare")
    specialist.click("Xác nhận: Lập kết quả điện tử")
    assert "Đã lập kết quả điện tử" in specialist.page.content()

    leader = Session(browser, live_server.url, "desktop", tmp_path)
    leader.login_officer("lanhdao.a", DEMO_TOTP_KEY_HEX)
    leader.go(f"/can-bo/ho-so/{code}/")
    leader.follow("Ký số")
    # The leader's signing page shows the document stored in the file to be signed.
    shown = leader.page.get_by_role("document", name="TRÍCH LỤC KHAI SINH").inner_text()
    assert "Văn bản trình ký" in leader.page.content()
    assert "1/TLKS-BS" in shown and "NGƯỜI KÝ TRÍCH LỤC" in shown, shown
    _keep(leader, "leader-signing-page")
    leader.page.get_by_label(re.compile(profile.display_name)).check()
    leader.click("Xác nhận: Ký số kết quả điện tử")
    body = leader.page.locator("#ket-qua-dien-tu").inner_text()
    assert "Nguyễn Văn Bình" in body and "B-T" in body and "Đã ký số đầy đủ" in body
    leader.shot("08-signed-result")
    leader.act(code, "Hoàn thành, có kết quả", **{"Kết quả giải quyết": "Đã đăng ký khai sinh"})

    citizen = Session(browser, live_server.url, "desktop", tmp_path)
    page = citizen.page
    citizen.go("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(world.citizen_user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    citizen.click("Đăng nhập")
    citizen.go(f"/ca-nhan/ho-so/{code}/")
    link = page.get_by_role("link", name=re.compile("Tải Trích lục khai sinh"))
    with page.expect_download() as info:
        link.click()
    downloaded = Path(info.value.path())
    assert downloaded.read_bytes().startswith(b"%PDF")
    citizen.follow(re.compile("Kiểm tra chữ ký số"), exact=False)
    assert "Kết luận: Hợp lệ" in page.content()
    assert "TOTAL_PASSED" not in page.content()  # the ETSI code is the XML report's

    sessions = (specialist, leader, citizen)
    assert [v for s in sessions for v in s.violations] == []
