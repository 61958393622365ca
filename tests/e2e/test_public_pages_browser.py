"""Issue 12, content and polish, in a real browser (Debian's Chromium) on the real demo: what a
citizen reads on the pages they walk — the home page and its search box, search results, every
procedure page, the public look-up, their dossier, the public verification page of a signed
result — carries no internal notes (editor's remarks, role codes, ETSI codes, ISO timestamps,
national status numbers), at 360 px and on a computer; the English interface's validation
messages are English; ``/xac-thuc/`` does not scroll sideways on a phone.

Shares the journeys module's browser, demo and citizen tab. Screenshots go to
``var/screens/public/``. The signed result comes from the demo PKI served in a thread.
"""

from __future__ import annotations

import io
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from congso.catalog.models import Procedure
from congso.catalog.selectors import current_version
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.org.models import Citizen, RoleAssignment
from congso.results import services as result_services
from congso.signing import pki
from congso.signing.models import SignerProfile
from tests.e2e.test_journeys_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    ROOT,
    Citizen_,
    browser,
    demo,
    playwright_sync,
    walk,
)

SHOTS = ROOT / "var" / "screens" / "public"
WIDTHS = ({"width": 360, "height": 740}, {"width": 1280, "height": 900})

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

#: What must never reach a citizen's page: editor's notes of the catalogue, developer
#: references, signing back-ends, role codes, ETSI codes, raw certificate names, the national
#: portal's status numbers, ISO or UTC timestamps, program data.
INTERNAL = [
    re.compile(pattern)
    for pattern in (
        r"chưa xác minh",
        r"RULES\.md",
        r"soft_token|pkcs11",
        r"\b(reception|specialist|leader|department_head|clerk|monitor)\b",
        r"TOTAL_PASSED|TOTAL_FAILED|INDETERMINATE|FILL_FORMS|ENTIRE_FILE|NO_CHANGES",
        r"Common Name:|Organization:",
        r"trạng thái \d+ theo|status \d+ on the National",
        r"CSDLQG ghi|CSDLQG:|theo nội dung CSDLQG|nguồn thứ cấp|trang nguồn",
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}",
        r"\d{2}:\d{2}:\d{2}\.\d{3,}",
        r"\+00:00",
        r"\bNone\b|\{'",
        r"\d{4,} đồng",  # an amount without its thousands separator
    )
]


def internal_notes(text: str) -> list[str]:
    return [match.group(0) for pattern in INTERNAL for match in [pattern.search(text)] if match]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def signing(demo: dict[str, Path], settings: Any, tmp_path: Path) -> Iterator[None]:  # noqa: F811
    """The demo PKI (result templates, the leaders' soft tokens) with its OCSP/CRL/TSA served
    in a thread on a free loopback port."""
    directory = tmp_path / "pki"
    settings.SIGNING_DEMO_PKI_DIR = directory
    settings.SIGNING_DEMO_PKI_URL = f"http://127.0.0.1:{_free_port()}"
    settings.SIGNING_TRUST_ROOTS = [str(directory / "root.crt")]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_ONLINE_REVOCATION = True
    call_command("signing_demo_setup", stdout=io.StringIO(), stderr=io.StringIO())
    server = pki.serve_in_thread(pki.DemoPKI(directory))
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _holder(role: str, agency_id: int) -> Any:
    found = (
        RoleAssignment.objects.filter(role=role, agency_id=agency_id).select_related("user").first()
    )
    assert found is not None, (role, agency_id)
    return found.user


def _to_signed_and_returned(code: str) -> Any:
    """The desk receives the dossier, the steps go forward to the leader, the specialist
    prepares the e-result, the leader signs and completes, the desk returns it online."""
    dossier = Dossier.objects.get(code=code)
    agency = dossier.competent_agency
    reception = (
        RoleAssignment.objects.filter(role="reception", desk__serves=agency)
        .select_related("user")
        .first()
    )
    assert reception is not None
    dossier = dossier_services.dossier_receive(actor=reception.user, dossier=dossier)
    dossier = dossier_services.dossier_start_processing(actor=reception.user, dossier=dossier)
    for _ in range(10):
        step = dossier.steps.filter(ended_at__isnull=True, parent__isnull=True).first()
        assert step is not None
        if step.role == "leader":
            break
        actor = _holder(step.role, step.agency_id)
        dossier = dossier_services.dossier_forward(actor=actor, dossier=dossier, step_id=step.pk)
    leader = _holder("leader", agency.pk)
    result = result_services.result_prepare(actor=_holder("specialist", agency.pk), dossier=dossier)
    profile = SignerProfile.objects.get(user=leader, agency=agency, role="approval")
    result_services.result_sign(actor=leader, result=result, profile=profile)
    dossier = dossier_services.dossier_complete(
        actor=leader, dossier=Dossier.objects.get(pk=dossier.pk), result_summary="Đã đăng ký"
    )
    dossier_services.dossier_return_result(actor=reception.user, dossier=dossier, method="online")
    result.refresh_from_db()
    return result


def _in_a_thread(work: Callable[..., Any], *args: Any) -> Any:
    """Run ``work`` in another thread: signing runs its own event loop (pyHanko's asyncio),
    which cannot start in this thread while Playwright's sync API has one running."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work(*args)
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _read(tab: Citizen_, path: str, shot: str) -> str:
    page = tab.page
    page.goto(tab.base + path)
    page.wait_for_load_state()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}-{tab.tag}.png"), full_page=True)
    text: str = page.locator("body").inner_text()
    found = internal_notes(text)
    assert not found, (path, tab.tag, found)
    return text


def _no_sideways_scroll(tab: Citizen_, path: str) -> None:
    width, inner = tab.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, (path, tab.tag, width, inner)


def test_what_citizens_read_has_no_internal_notes(
    live_server: Any,
    browser: Any,  # noqa: F811
    demo: dict[str, Path],  # noqa: F811
    signing: None,
    settings: Any,
) -> None:
    settings.SIGNING_PUBLIC_URL = live_server.url
    citizen = Citizen.objects.select_related("user").get(user__username="congdan.mot")
    birth = Procedure.objects.get(code="1.001193")
    desktop = Citizen_(browser, live_server.url, viewport=dict(WIDTHS[1]))
    desktop.login("congdan.mot")
    code = walk(desktop, birth, citizen, demo)
    result = _in_a_thread(_to_signed_and_returned, code)
    procedures = list(Procedure.objects.filter(active=True).order_by("code"))

    for viewport in WIDTHS:
        tab = Citizen_(browser, live_server.url, viewport=dict(viewport))
        # The home page: a search box, no developer or administration links.
        text = _read(tab, "/", "home")
        assert "Tài liệu API" not in text and "Vào trang quản trị" not in text
        assert not tab.page.locator(
            "a[href^='/api/'], a[href^='/quan-tri/'], a[href='/healthz']"
        ).count()
        tab.page.locator("#home-q").fill("dang ky kinh doanh")
        with tab.page.expect_navigation():
            tab.page.get_by_role("button", name="Tìm kiếm", exact=True).click()
        assert "/thu-tuc/?q=dang+ky+kinh+doanh" in tab.page.url, tab.page.url
        rows = tab.page.locator("#results .result-list li")
        names = rows.locator("a").all_inner_texts()
        # Every meaningful word: the household-business registrations, not half the catalogue.
        assert names and len(names) <= 4, names
        assert all("kinh doanh" in name.casefold() for name in names), names
        assert all(
            "Nộp trực tuyến" in row or "Nộp trực tiếp" in row for row in rows.all_inner_texts()
        )
        tab.page.screenshot(path=str(SHOTS / f"search-{tab.tag}.png"), full_page=True)
        _no_sideways_scroll(tab, "/thu-tuc/")
        # Every procedure page (on the phone: the birth registration only).
        for procedure in procedures if viewport["width"] > 360 else [birth]:
            text = _read(tab, f"/thu-tuc/{procedure.code}/", f"procedure-{procedure.code}")
            version = current_version(procedure)
            if version.time_limit_text:
                assert version.time_limit_text[:40] not in text, procedure.code
            if "online" in (version.submission_channels or []) and version.form_schema:
                assert "Làm trực tuyến" in text, procedure.code
        _no_sideways_scroll(tab, f"/thu-tuc/{birth.code}/")
        # The public look-up and the verification page of the signed result.
        text = _read(tab, f"/tra-cuu?ma={code}", "lookup-exists")
        assert "Có hồ sơ mã số" in text and "Đã trả kết quả" not in text
        tab.page.locator("#so-cuoi").fill(citizen.personal_id[-4:])
        with tab.page.expect_navigation():
            tab.page.get_by_role("button", name="Xem tình trạng", exact=True).click()
        tab.page.screenshot(path=str(SHOTS / f"lookup-{tab.tag}.png"), full_page=True)
        text = tab.page.locator("body").inner_text()
        assert not internal_notes(text), internal_notes(text)
        assert "Đã trả kết quả" in text
        text = _read(tab, f"/xac-thuc/{result.public_token}/", "verify-result")
        assert "Kết luận: Hợp lệ" in text and "(giờ Việt Nam)" in text
        _no_sideways_scroll(tab, "/xac-thuc/<token>/")
        # The generic page with the citizen's own copy uploaded: the same report.
        pdf = Path(settings.MEDIA_ROOT) / result.file.name
        tab.page.goto(tab.base + "/xac-thuc/")
        tab.page.locator("#file").set_input_files(str(pdf))
        with tab.page.expect_navigation():
            tab.page.get_by_role("button", name="Kiểm tra", exact=True).click()
        text = tab.page.locator("body").inner_text()
        assert "Kết luận: Hợp lệ" in text and not internal_notes(text), internal_notes(text)
        tab.page.screenshot(path=str(SHOTS / f"verify-upload-{tab.tag}.png"), full_page=True)
        _no_sideways_scroll(tab, "/xac-thuc/")
        # The citizen's own pages.
        tab.login("congdan.mot")
        text = _read(tab, "/ca-nhan/ho-so/", "my-dossiers")
        text = _read(tab, f"/ca-nhan/ho-so/{code}/", "my-dossier")
        assert "Xuất trình bản chính khi nhận kết quả tại Bộ phận Một cửa" in text
        assert "Đã khai trên tờ khai điện tử" in text
        assert "chưa có tệp" not in text.casefold()
        _no_sideways_scroll(tab, f"/ca-nhan/ho-so/{code}/")
        tab.context.close()
    desktop.context.close()


def test_english_validation_messages(
    live_server: Any,
    browser: Any,  # noqa: F811
    demo: dict[str, Path],  # noqa: F811
) -> None:
    tab = Citizen_(browser, live_server.url, viewport=dict(WIDTHS[0]), locale="en-GB")
    page = tab.page
    # Registering with a username already taken and an ID that contradicts the declared sex.
    page.goto(tab.base + "/dang-ky/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("#id_full_name").fill("Trần Thị Bình")
    page.locator("#id_personal_id").fill("051092000099")
    page.locator("#id_birth_date").fill("1992-05-01")
    page.locator("#id_gender").select_option("female")
    page.locator("#id_phone").fill("0912000111")
    page.locator("#id_username").fill("congdan.mot")
    page.locator("#id_password").fill("mat-khau-rat-dai-2026")
    page.locator("#id_password2").fill("mat-khau-rat-dai-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    text = page.locator("main").inner_text()
    assert "This username is already taken." in text, text
    assert "Tên đăng nhập này đã có người dùng." not in text
    # Another username: now the personal ID is checked against the declared sex.
    page.locator("#id_username").fill("tranthibinh")
    page.locator("#id_password").fill("mat-khau-rat-dai-2026")
    page.locator("#id_password2").fill("mat-khau-rat-dai-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    text = page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / f"register-errors-en-{tab.tag}.png"), full_page=True)
    assert "does not match the sex declared (female)" in text, text
    assert "Mã thế kỷ" not in text and "không khớp" not in text
    # The online form: the server's messages next to the fields, in English.
    page.goto(tab.base + "/tai-khoan/dang-nhap/?next=/ca-nhan/")
    page.locator("input[name=username]").fill("congdan.mot")
    page.locator("input[name=password]").fill(django_settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert "dang-nhap" not in page.url, page.url
    page.goto(tab.base + "/thu-tuc/1.001193/nop-truc-tuyen/")
    page.wait_for_load_state()
    assert "/buoc-0/" in page.url, page.url
    page.evaluate(
        "document.querySelectorAll('form').forEach(f => f.noValidate = true);"
        "document.querySelectorAll('#f-applicant-phone, [id$=phone]').forEach(e => e.value = '12');"
        "document.querySelectorAll('input[type=email]').forEach(e => e.value = 'khong-phai-email');"
    )
    agency = page.locator("#competent_agency")
    if agency.count():
        agency.select_option(index=0)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue", exact=True).click()
    errors = " ".join(page.locator(".field__error").all_inner_texts())
    page.screenshot(path=str(SHOTS / f"form-errors-en-{tab.tag}.png"), full_page=True)
    assert errors, page.locator("main").inner_text()[:1500]
    assert re.search(r"required\.|is not a valid|must ", errors), errors
    for vietnamese in ("bắt buộc nhập", "không phải", "phải là", "chưa chọn", "Cần chọn"):
        assert vietnamese not in errors, (vietnamese, errors)
    _no_sideways_scroll(tab, "/thu-tuc/1.001193/nop-truc-tuyen/buoc-0/")
    tab.context.close()


__all__ = ["playwright_sync"]
