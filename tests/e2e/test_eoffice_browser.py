"""Issue 16: the e-office through its pages in Chromium (Playwright, Debian's Chromium). A công
văn of the province's People's Committee is drafted by a specialist, given a visa by the head
of office, signed by the leader, numbered and issued by the clerk; it travels through the axis
simulator (its own process) to the Department of Home Affairs, whose clerk registers it, whose
leader assigns it, whose specialist processes it, drafts the reply, has it signed and issued,
and closes the document with it; the sender's page shows 01 → 03 → 04 → 05 → 06 and the reply
arrives linked. Every officer signs in through the login page; the lists show the overdue
document; one page is read at 360 px and in English.

Screenshots go to ``var/screens/eoffice/``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from congso.eoffice.models import Direction, Document, DocumentType, State, StatusEvent
from tests.eoffice.conftest import (  # noqa: F401 (fixtures)
    SO,
    UBND,
    XA,
    World,
    axis,
    eoffice_settings,
    leader_p12,
    on_axis,
    pdf_bytes,
    pump,
    seal_dir,
    world,
)

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens" / "eoffice"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

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
def types(transactional_db: None) -> None:
    """The ND 30 types of the data migration (a transactional test before this one flushed
    them)."""
    if not DocumentType.objects.exists():
        migration = importlib.import_module("congso.eoffice.migrations.0002_nd30_document_types")
        migration.seed(django_apps, None)


class Tab:
    def __init__(self, browser: Any, base: str, username: str, **context: Any) -> None:
        self.context = browser.new_context(
            viewport=context.pop("viewport", DESKTOP), locale="vi-VN", **context
        )
        self.page = self.context.new_page()
        self.base = base
        self.username = username
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

    def open_waiting(self, section: str, link: str) -> None:
        """From «Văn bản chờ tôi», open the document ``link`` listed under ``section``."""
        page = self.page
        page.goto(self.base + "/can-bo/van-ban/")
        block = page.locator("section", has=page.get_by_role("heading", name=section))
        with page.expect_navigation():
            block.get_by_role("link", name=link).first.click()

    def done(self, text: str) -> None:
        assert text in self.page.locator("[role=status]").inner_text(), self.page.url

    def close(self) -> None:
        self.context.close()


def test_a_cong_van_goes_out_and_comes_back_answered_through_the_pages(
    live_server: Any,
    browser: Any,
    types: None,
    world: World,  # noqa: F811
    pump: Callable[[], None],  # noqa: F811
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    main, annex = tmp_path / "cong-van-chuyen-doi-so.pdf", tmp_path / "phu-luc-danh-sach.pdf"
    main.write_bytes(pdf_bytes(2))
    annex.write_bytes(pdf_bytes())
    base = live_server.url
    ubnd, so = world.ubnd, world.so
    subject = "V/v triển khai gửi, nhận văn bản điện tử giữa các cơ quan hành chính năm 2027"

    # The specialist drafts the công văn.
    tab = Tab(browser, base, ubnd.specialist.username)
    page = tab.page
    page.get_by_role("link", name="Soạn văn bản").click()
    page.get_by_label("Loại văn bản", exact=True).select_option("CV")
    page.get_by_label("Trích yếu", exact=True).fill(subject)
    page.get_by_label("Nội dung tóm tắt", exact=True).fill(
        "Đề nghị các sở, ngành, UBND cấp xã gửi, nhận văn bản điện tử qua trục liên thông."
    )
    page.get_by_label("Ký hiệu cơ quan, đơn vị soạn thảo", exact=True).fill("UBND-VP")
    page.get_by_label("Địa danh", exact=True).fill("Demo")
    page.get_by_label("Người ký", exact=True).select_option(str(ubnd.leader.pk))
    page.get_by_label("Thẩm quyền ký", exact=True).select_option("KT.")
    page.get_by_label("Chức vụ người ký", exact=True).fill("Phó Chủ tịch")
    page.get_by_label(f"Sở Nội vụ tỉnh Demo ({SO})", exact=True).check()
    page.get_by_label(f"Ủy ban nhân dân xã Một ({XA})", exact=True).check()
    page.get_by_label("Nơi nhận gửi bản giấy (mỗi dòng một nơi)", exact=True).fill("Lưu: VT, KGVX")
    page.get_by_label("Nơi nhận ghi trên văn bản (mỗi dòng một nơi)", exact=True).fill(
        "Như trên;\nCT, các PCT UBND tỉnh;\nLưu: VT, KGVX."
    )
    page.get_by_label("Độ khẩn", exact=True).select_option("1")
    page.get_by_label("Số trang", exact=True).fill("2")
    page.get_by_label("Văn bản chính (PDF)", exact=True).set_input_files(str(main))
    page.get_by_label("Phụ lục, tài liệu kèm theo", exact=True).set_input_files(str(annex))
    tab.shot("01-draft-form")
    tab.press("Lưu dự thảo")
    tab.done("Đã lưu dự thảo.")
    draft = Document.objects.get(direction=Direction.OUTGOING, agency=ubnd.agency)
    assert draft.state == State.DRAFT and draft.code_number == ""  # no number at draft
    page.get_by_label(ubnd.head.get_full_name(), exact=True).check()
    tab.press("Trình duyệt")
    tab.done("Đã trình duyệt dự thảo.")
    tab.close()

    # The head of office gives the visa.
    tab = Tab(browser, base, ubnd.head.username)
    tab.open_waiting("Chờ tôi cho ý kiến (duyệt)", f"Dự thảo #{draft.pk}")
    tab.page.locator("form", has=tab.page.locator("[data-action=approve]")).get_by_label(
        "Ý kiến", exact=True
    ).fill("Đồng ý nội dung, trình lãnh đạo ký.")
    tab.press("Đồng ý (ký nháy)")
    tab.done("Đã cho ý kiến đồng ý.")
    tab.close()

    # The leader signs.
    tab = Tab(browser, base, ubnd.leader.username)
    tab.open_waiting("Chờ tôi ký", f"Dự thảo #{draft.pk}")
    tab.shot("02-leader-signs")
    tab.press("Ký số và chuyển văn thư")
    tab.done("Đã ký số văn bản")
    assert "đã ký số" in tab.page.locator("ul.files").inner_text()
    tab.close()

    # The clerk numbers and issues it: 01/UBND-VP, dispatched.
    tab = Tab(browser, base, ubnd.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", f"Dự thảo #{draft.pk}")
    tab.press("Cấp số và ban hành")
    tab.done("Đã cấp số và ban hành văn bản.")
    assert "Văn bản số 01/UBND-VP" in tab.page.locator("h1").inner_text()
    tab.close()
    pump()

    # The department's clerk registers it.
    received = Document.objects.get(direction=Direction.INCOMING, agency=so.agency)
    assert received.state == State.ARRIVED and received.number_notation == "01/UBND-VP"
    tab = Tab(browser, base, so.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", "01/UBND-VP")
    tab.shot("03-clerk-registers")
    tab.press("Vào sổ văn bản đến")
    tab.done("Đã vào sổ văn bản đến.")
    assert "1/" in tab.page.locator("dl").inner_text()
    tab.close()
    pump()

    # Its leader assigns: the specialist leads, the head co-processes, 5 working days.
    tab = Tab(browser, base, so.leader.username)
    tab.open_waiting("Chờ tôi phân công xử lý", "01/UBND-VP")
    page = tab.page
    page.get_by_label("Chủ trì xử lý", exact=True).select_option(str(so.specialist.pk))
    page.locator("fieldset", has_text="Phối hợp").get_by_label(
        so.head.get_full_name(), exact=True
    ).check()
    page.get_by_label("Hạn xử lý (ngày làm việc)", exact=True).fill("5")
    tab.shot("04-leader-assigns")
    tab.press("Phân công xử lý")
    tab.done("Đã phân công xử lý.")
    tab.close()
    pump()

    # The specialist processes it and drafts the reply from its page.
    tab = Tab(browser, base, so.specialist.username)
    tab.open_waiting("Tôi được giao xử lý", "01/UBND-VP")
    page = tab.page
    page.get_by_label("Ý kiến xử lý", exact=True).fill(
        "Đã rà soát danh sách đầu mối, dự thảo báo cáo."
    )
    tab.press("Ghi ý kiến xử lý")
    tab.done("Đã ghi ý kiến xử lý.")
    with page.expect_navigation():
        page.get_by_role("link", name="Soạn văn bản trả lời").click()
    assert "Trả lời văn bản số 01/UBND-VP" in page.locator("main").inner_text()
    assert page.get_by_label(f"Ủy ban nhân dân tỉnh Demo ({UBND})", exact=True).is_checked()
    page.get_by_label("Loại văn bản", exact=True).select_option("BC")
    page.get_by_label("Trích yếu", exact=True).fill(
        "Báo cáo đầu mối gửi, nhận văn bản điện tử của Sở Nội vụ"
    )
    page.get_by_label("Người ký", exact=True).select_option(str(so.leader.pk))
    page.get_by_label("Chức vụ người ký", exact=True).fill("Giám đốc")
    page.get_by_label("Văn bản chính (PDF)", exact=True).set_input_files(str(main))
    tab.press("Lưu dự thảo")
    reply = Document.objects.get(direction=Direction.OUTGOING, agency=so.agency)
    assert reply.reply_to_id == received.pk
    tab.press("Trình duyệt")  # nobody chosen: straight to the signer
    tab.close()

    tab = Tab(browser, base, so.leader.username)
    tab.open_waiting("Chờ tôi ký", f"Dự thảo #{reply.pk}")
    tab.press("Ký số và chuyển văn thư")
    tab.close()
    tab = Tab(browser, base, so.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", f"Dự thảo #{reply.pk}")
    tab.press("Cấp số và ban hành")
    assert "Văn bản số 01/BC-SNV" in tab.page.locator("h1").inner_text()
    tab.close()

    tab = Tab(browser, base, so.specialist.username)
    tab.open_waiting("Tôi được giao xử lý", "01/UBND-VP")
    page = tab.page
    page.get_by_label("Văn bản trả lời", exact=True).select_option(str(reply.pk))
    tab.press("Hoàn thành xử lý")
    tab.done("Đã hoàn thành xử lý văn bản.")
    assert "Hoàn thành" in page.locator("[data-state]").inner_text()
    tab.shot("05-specialist-done")
    tab.close()
    pump()

    # The sender sees the department's statuses and the reply, linked.
    sent = Document.objects.get(pk=draft.pk)
    codes = list(
        StatusEvent.objects.filter(document=sent, dispatch__recipient_code=SO)
        .order_by("at", "pk")
        .values_list("code", flat=True)
    )
    assert codes == ["01", "03", "04", "05", "06"], codes
    answer = Document.objects.get(direction=Direction.INCOMING, agency=ubnd.agency)
    assert answer.reply_to_id == sent.pk
    tab = Tab(browser, base, ubnd.clerk.username)
    page = tab.page
    page.goto(base + f"/can-bo/van-ban/{sent.pk}/")
    table = page.locator("table", has_text="Nơi nhận").inner_text()
    assert "Đã trả lời bằng văn bản số 01/BC-SNV" in table, table
    assert "01/BC-SNV" in page.locator("main").inner_text()
    tab.shot("06-sender-statuses")
    # The incoming list: the answer waits for registration; the commune's copy is not ours.
    page.get_by_role("link", name="Văn bản đến", exact=True).click()
    assert "01/BC-SNV" in page.locator("table").inner_text()
    tab.close()

    # Overdue: the commune's copy assigned with a deadline already past shows in the lists.
    xa = world.xa
    copy = Document.objects.get(direction=Direction.INCOMING, agency=xa.agency)
    from congso.eoffice import services

    services.incoming_register(actor=xa.clerk, document_id=copy.pk)
    services.incoming_assign(actor=xa.leader, document_id=copy.pk, lead_id=xa.specialist.pk)
    Document.objects.filter(pk=copy.pk).update(due_at=timezone.now() - timezone.timedelta(days=2))
    tab = Tab(browser, base, xa.specialist.username, viewport=PHONE)
    page = tab.page
    assert "Quá hạn xử lý" in page.locator("main").inner_text()
    page.get_by_role("link", name="Quá hạn", exact=True).click()
    assert "01/UBND-VP" in page.locator("table").inner_text()
    assert page.locator(".badge--late").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    tab.shot("07-overdue-360px")
    # In English.
    page.goto(base + "/can-bo/van-ban/")
    with page.expect_navigation():
        page.locator("form.lang-switch button[value=en]").click()
    assert "Documents waiting for me" in page.locator("h1").inner_text()
    tab.shot("08-english-360px")
    tab.close()
