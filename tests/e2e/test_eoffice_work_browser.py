"""Issue 16, the handling work through the pages (Chromium): during the appraisal of a birth
registration dossier, the commune's specialist raises a consultation letter from the dossier
page (the draft form comes pre-filled); the letter goes to the Department of Justice (routed
inside the instance), whose lead handler gives a part of it to a colleague from the document's
page and answers; the reply shows on the dossier page and the dossier on both documents' pages;
the Department's leader reads the unit's overdue list and the dashboard's e-office block.

Screenshots: ``var/screens/eoffice-work/``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from congso.eoffice import services
from congso.eoffice.models import Direction, Document, DocumentType, DossierLink, SubAssignment
from congso.eoffice.services import Recipient, Upload
from tests.eoffice.conftest import (  # noqa: F401 (fixtures)
    eoffice_settings,
    leader_p12,
    pdf_bytes,
    seal_dir,
)
from tests.eoffice.test_work import _appraisal, _pump, _sign_and_issue, build_office

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens" / "eoffice-work"

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


@pytest.fixture
def office(transactional_db: None, leader_p12: Path) -> Any:  # noqa: F811
    if not DocumentType.objects.exists():
        migration = importlib.import_module("congso.eoffice.migrations.0002_nd30_document_types")
        migration.seed(django_apps, None)
    return build_office(leader_p12)


def off_loop(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in another thread: PAdES signing runs its own asyncio loop, which cannot
    start inside Playwright's (the test thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


class Tab:
    def __init__(self, browser: Any, base: str, username: str, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
        self.page = self.context.new_page()
        self.base = base
        page = self.page
        page.goto(base + "/tai-khoan/dang-nhap/?next=/can-bo/van-ban/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill("x")
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
        assert page.url.endswith("/can-bo/van-ban/"), page.url

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def press(self, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).click()

    def close(self) -> None:
        self.context.close()


def test_a_consultation_letter_from_the_dossier_page_and_the_overdue_list(
    live_server: Any, browser: Any, office: Any, tmp_path: Path, settings: Any
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    settings.EOFFICE_INTERNAL_ROUTING = True
    dossier, step = _appraisal(office)
    letter_pdf = tmp_path / "cong-van-xin-y-kien.pdf"
    letter_pdf.write_bytes(pdf_bytes())
    base = live_server.url

    # The commune's specialist raises the consultation letter from the dossier page.
    tab = Tab(browser, base, office.specialist_a.username)
    page = tab.page
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    section = page.locator("#van-ban-ho-so")
    with page.expect_navigation():
        section.get_by_role("link", name=f"Soạn công văn xin ý kiến (bước «{step.name}»)").click()
    assert page.get_by_label("Trích yếu", exact=True).input_value() == (
        f"V/v xin ý kiến về hồ sơ {dossier.code} (Thủ tục đăng ký khai sinh)"
    )
    assert (
        "Bước xử lý: Thẩm định hồ sơ."
        in page.get_by_label("Nội dung tóm tắt", exact=True).input_value()
    )
    page.get_by_label("Người ký", exact=True).select_option(str(office.leader_a.pk))
    page.get_by_label("Chức vụ người ký", exact=True).fill("Chủ tịch")
    page.get_by_label(f"Sở Tư pháp ({office.department.code})", exact=True).check()
    page.get_by_label("Văn bản chính (PDF)", exact=True).set_input_files(str(letter_pdf))
    tab.shot("01-draft-from-dossier")
    tab.press("Lưu dự thảo")
    letter = Document.objects.get(direction=Direction.OUTGOING, agency=office.commune_a)
    assert DossierLink.objects.get(document=letter).step_id == step.pk
    assert dossier.code in page.locator("#ho-so-lien-quan").inner_text()
    tab.shot("02-letter-shows-its-dossier")

    # Signed, issued and delivered; the Department registers and assigns it.
    off_loop(_sign_and_issue, letter, office.leader_a, office.clerk_a, office.specialist_a)
    off_loop(_pump)
    received = Document.objects.get(agency=office.department, direction=Direction.INCOMING)
    services.incoming_register(actor=office.clerk_stp, document_id=received.pk)
    services.incoming_assign(
        actor=office.leader_stp,
        document_id=received.pk,
        lead_id=office.specialist_stp.pk,
        working_days=3,
    )

    # The lead handler gives a part to a colleague from the document's page.
    lead = Tab(browser, base, office.specialist_stp.username)
    lead.page.goto(f"{base}/can-bo/van-ban/{received.pk}/")
    form = lead.page.locator("#giao-viec-form")
    form.get_by_label("Giao cho cán bộ", exact=True).select_option(str(office.helper_stp.pk))
    form.get_by_label("Nội dung giao", exact=True).fill(
        "Rà soát hồ sơ khai sinh, đối chiếu quy định về xác định quê quán của trẻ."
    )
    form.get_by_label("Hạn (số ngày làm việc)", exact=True).fill("30")
    lead.press("Giao việc")
    assert "không được muộn hơn hạn xử lý" in lead.page.locator(".messages").inner_text()
    form = lead.page.locator("#giao-viec-form")
    form.get_by_label("Giao cho cán bộ", exact=True).select_option(str(office.helper_stp.pk))
    form.get_by_label("Nội dung giao", exact=True).fill(
        "Rà soát hồ sơ khai sinh, đối chiếu quy định về xác định quê quán của trẻ."
    )
    form.get_by_label("Hạn (số ngày làm việc)", exact=True).fill("2")
    lead.press("Giao việc")
    assert "Đã giao việc." in lead.page.locator(".messages").inner_text()
    assert "Hoàng Thị Giúp" in lead.page.locator("#giao-viec").inner_text()
    lead.shot("03-sub-assignment")
    lead.close()
    assert SubAssignment.objects.filter(user=office.helper_stp, document=received).exists()

    # The Department answers; the reply arrives at the commune linked to the letter.
    answer = services.draft_create(
        actor=office.specialist_stp,
        agency_id=office.department.pk,
        doc_type_code="CV",
        subject="V/v ý kiến về việc xác định quê quán khi đăng ký khai sinh",
        main=Upload("tra-loi.pdf", pdf_bytes()),
        signer_id=office.leader_stp.pk,
        signer_position="Giám đốc",
        recipients=[Recipient(name="UBND xã A", code=office.commune_a.code)],
        notation_suffix="STP-HCTP",
        reply_to_id=received.pk,
    )
    answer = off_loop(
        _sign_and_issue, answer, office.leader_stp, office.clerk_stp, office.specialist_stp
    )
    off_loop(_pump)
    reply = Document.objects.get(agency=office.commune_a, direction=Direction.INCOMING)

    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    block = page.locator("#van-ban-ho-so").inner_text()
    assert f"Số {answer.number_notation} của Sở Tư pháp" in block
    assert "ý kiến về việc xác định quê quán" in block
    page.locator("#van-ban-ho-so").scroll_into_view_if_needed()
    tab.shot("04-dossier-page-with-reply")
    with page.expect_navigation():
        page.locator("#van-ban-ho-so").get_by_role(
            "link", name=f"Số {answer.number_notation} của Sở Tư pháp"
        ).click()
    assert dossier.code in page.locator("#ho-so-lien-quan").inner_text()
    assert page.url.endswith(f"/can-bo/van-ban/{reply.pk}/")
    tab.shot("05-reply-shows-the-dossier")
    tab.close()

    # Overdue: the Department's leader reads the unit's list and the dashboard block.
    Document.objects.filter(pk=received.pk).update(due_at=timezone.now() - timedelta(days=2))
    SubAssignment.objects.filter(document=received).update(
        due_at=timezone.now() - timedelta(days=1)
    )
    head = Tab(browser, base, office.leader_stp.username)
    head.page.get_by_role("link", name="Hạn xử lý").click()
    head.page.get_by_role("link", name="Của đơn vị").click()
    text = head.page.locator("main").inner_text()
    assert "2 quá hạn" in text
    assert "chuyenvien.stp" in text and "Hoàng Thị Giúp" in text
    assert "Được giao việc" in text and "Chủ trì" in text
    head.shot("06-unit-overdue-list")
    head.page.goto(f"{base}/can-bo/chi-so/")
    panel = head.page.locator("section[aria-labelledby=eoffice-panel-title]")
    assert "văn bản đến đang quá hạn xử lý" in panel.inner_text()
    assert panel.locator("#eoffice-overdue .ind-tile__n").inner_text() == "1"
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(SHOTS / "07-dashboard-panel.png"))
    head.close()

    # At 360 px, the specialist's own list.
    mine = Tab(browser, base, office.specialist_stp.username, width=360)
    mine.page.goto(f"{base}/can-bo/van-ban/qua-han-sap-den-han/")
    assert "Quá hạn" in mine.page.locator("main").inner_text()
    mine.shot("08-my-deadlines-360")
    mine.close()
