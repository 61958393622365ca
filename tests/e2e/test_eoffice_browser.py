"""Issue 16: the e-office through its pages in Chromium (Playwright, Debian's Chromium). A công
văn of the province's People's Committee is drafted by a specialist, given a visa by the head
of office, signed by the leader, numbered and issued by the clerk; it travels through the axis
simulator (its own process) to the Department of Home Affairs and to a commune. The
department's clerk registers it, its leader assigns it, its specialist processes it, drafts the
reply, has it signed and issued, and closes the document with it; the commune registers and
assigns its copy; the sender's page shows 01 → 03 → 04 → 05 → 06 and the reply arrives linked.
Then the issuer corrects the document (the commune accepts the update, the department refuses
it), asks for it back (the commune gives it back, the department, done, refuses), annuls it (the
department accepts the annulment), and its clerk enters a scanned paper decision of the
ministry and registers it. Every officer signs in through the login page; axe-core checks every
page visited (no serious or critical violation); key pages are also read at 360 px, one in
English.

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

from congso.eoffice.models import (
    Direction,
    Document,
    DocumentType,
    IncomingUpdate,
    State,
    StatusEvent,
)
from congso.signing.models import SignerProfile
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
AXE = Path(__file__).resolve().parents[1] / "ui" / "vendor" / "axe.min.js"
#: Every serious or critical axe-core violation met on the way (asserted empty at the end).
VIOLATIONS: list[str] = []
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens" / "eoffice"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.once,
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


#: Realistic names for the test world's officers (the conftest's are role words).
NAMES = {
    "ub": {
        "leader": "Hoàng Văn Thắng",
        "clerk": "Nguyễn Thị Thu Hà",
        "specialist": "Lê Minh Tuấn",
        "head": "Phạm Quốc Bảo",
    },
    "so": {
        "leader": "Trần Đức Long",
        "clerk": "Đỗ Thị Lan",
        "specialist": "Vũ Ngọc Anh",
        "head": "Bùi Văn Hải",
    },
    "xa": {
        "leader": "Đặng Văn Sơn",
        "clerk": "Lương Thị Mai",
        "specialist": "Phan Văn Định",
        "head": "Ngô Thị Hồng",
    },
}


def _rename(offices: World) -> None:
    for prefix, office in (("ub", offices.ubnd), ("so", offices.so), ("xa", offices.xa)):
        for role, full_name in NAMES[prefix].items():
            user = getattr(office, role)
            # get_full_name() is "first last": the family and middle names, then the given one.
            user.first_name, user.last_name = full_name.rsplit(" ", 1)
            user.full_name = full_name
            user.save()
        SignerProfile.objects.filter(user=office.leader).update(
            display_name=NAMES[prefix]["leader"]
        )


def official_pdf(path: Path, *, issuer: str, heading: str, subject: str, pages: int) -> Path:
    """A document of several A4 pages with Vietnamese text in the ND 30 layout (issuer, the
    national motto, number, subject, body, page numbers), in the printed forms' DejaVu face."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from congso.printing import fonts

    fonts.register_fonts()
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    body = [
        "Thực hiện Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư,",
        "các cơ quan, đơn vị triển khai gửi, nhận văn bản điện tử qua Trục liên thông văn bản,",
        "bảo đảm văn bản được ký số, cấp số và gửi đến nơi nhận trong ngày ban hành.",
        "Đề nghị Thủ trưởng các cơ quan, đơn vị chỉ đạo bộ phận văn thư thực hiện nghiêm túc.",
    ]
    for number in range(1, pages + 1):
        pdf.setFont(fonts.BOLD, 11)
        pdf.drawString(60, height - 60, issuer.upper())
        pdf.drawRightString(width - 50, height - 60, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        pdf.drawRightString(width - 80, height - 76, "Độc lập - Tự do - Hạnh phúc")
        pdf.setFont(fonts.REGULAR, 11)
        pdf.drawString(60, height - 96, heading)
        pdf.setFont(fonts.ITALIC, 11)
        pdf.drawString(60, height - 116, subject[:90])
        pdf.setFont(fonts.REGULAR, 12)
        y = height - 160
        for line in body * 3:
            pdf.drawString(60, y, line)
            y -= 20
        pdf.drawCentredString(width / 2, 40, f"Trang {number}/{pages}")
        pdf.showPage()
    pdf.save()
    return path


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
        self.axe()

    def axe(self) -> None:
        """axe-core on the page (evaluated through the driver: the CSP refuses inline
        script); serious and critical violations are collected."""
        page = self.page
        if page.evaluate("document.contentType") != "text/html":
            return
        page.evaluate(AXE.read_text(encoding="utf-8"))
        found = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.help + ' → '"
            " + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
        VIOLATIONS.extend(f"{page.url}: {item}" for item in found)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.axe()

    def follow(self, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name, exact=True).first.click()
        self.axe()

    def shot(self, name: str, *, phone: bool = False) -> None:
        """A full-page screenshot; with ``phone`` also at 360 px (checked by axe there too,
        and for sideways scrolling)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        page = self.page
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if phone:
            size = page.viewport_size
            page.set_viewport_size(PHONE)
            page.screenshot(path=str(SHOTS / f"{name}-360px.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (name, width)
            self.axe()
            page.set_viewport_size(size)

    def press(self, name: str, within: str = "") -> None:
        page = self.page
        scope = page.locator(f"form:has([data-action={within}])") if within else page
        with page.expect_navigation():
            scope.get_by_role("button", name=name, exact=True).click()
        self.axe()

    def card(self, heading: str) -> Any:
        return self.page.locator("section.card", has=self.page.get_by_role("heading", name=heading))

    def open_waiting(self, section: str, link: str) -> None:
        """From «Văn bản chờ tôi», open the document ``link`` listed under ``section``."""
        page = self.page
        page.goto(self.base + "/can-bo/van-ban/")
        block = page.locator("section", has=page.get_by_role("heading", name=section))
        with page.expect_navigation():
            block.get_by_role("link", name=link).first.click()
        self.axe()

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
    VIOLATIONS.clear()
    _rename(world)
    subject = "V/v triển khai gửi, nhận văn bản điện tử giữa các cơ quan hành chính năm 2027"
    main = official_pdf(
        tmp_path / "cong-van-trien-khai-van-ban-dien-tu.pdf",
        issuer="Ủy ban nhân dân tỉnh Demo",
        heading="Số:      /UBND-VP",
        subject=subject,
        pages=3,
    )
    annex = official_pdf(
        tmp_path / "phu-luc-danh-sach-dau-moi.pdf",
        issuer="Ủy ban nhân dân tỉnh Demo",
        heading="Phụ lục: Danh sách đầu mối văn thư các cơ quan",
        subject="(Kèm theo Công văn số      /UBND-VP)",
        pages=2,
    )
    report = official_pdf(
        tmp_path / "bao-cao-dau-moi-so-noi-vu.pdf",
        issuer="Sở Nội vụ tỉnh Demo",
        heading="Số:      /BC-SNV",
        subject="Báo cáo đầu mối gửi, nhận văn bản điện tử của Sở Nội vụ",
        pages=2,
    )
    base = live_server.url
    ubnd, so = world.ubnd, world.so

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
    page.get_by_label("Số trang", exact=True).fill("3")
    page.get_by_label("Văn bản chính (PDF)", exact=True).set_input_files(str(main))
    page.get_by_label("Phụ lục, tài liệu kèm theo", exact=True).set_input_files(str(annex))
    tab.shot("01-draft-form", phone=True)
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
    tab.shot("02-leader-signs", phone=True)
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
    tab.shot("03-clerk-registers", phone=True)
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
    tab.shot("04-leader-assigns", phone=True)
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
    page.get_by_label("Văn bản chính (PDF)", exact=True).set_input_files(str(report))
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
    tab.shot("06-sender-statuses", phone=True)
    # The incoming list: the answer waits for registration; the commune's copy is not ours.
    tab.follow("Văn bản đến")
    assert "01/BC-SNV" in page.locator("table").inner_text()
    tab.close()

    # The commune's clerk registers its copy and its leader assigns it, through the pages.
    xa = world.xa
    copy = Document.objects.get(direction=Direction.INCOMING, agency=xa.agency)
    tab = Tab(browser, base, xa.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", "01/UBND-VP")
    tab.press("Vào sổ văn bản đến")
    tab.done("Đã vào sổ văn bản đến.")
    tab.close()
    tab = Tab(browser, base, xa.leader.username)
    tab.open_waiting("Chờ tôi phân công xử lý", "01/UBND-VP")
    tab.page.get_by_label("Chủ trì xử lý", exact=True).select_option(str(xa.specialist.pk))
    tab.page.get_by_label("Hạn xử lý (ngày làm việc)", exact=True).fill("3")
    tab.press("Phân công xử lý")
    tab.done("Đã phân công xử lý.")
    tab.close()
    pump()
    assert Document.objects.get(pk=copy.pk).state == State.ASSIGNED

    # Overdue: the commune's copy, its deadline already past, shows in the lists.
    Document.objects.filter(pk=copy.pk).update(due_at=timezone.now() - timezone.timedelta(days=2))
    tab = Tab(browser, base, xa.specialist.username, viewport=PHONE)
    page = tab.page
    assert "Quá hạn xử lý" in page.locator("main").inner_text()
    tab.follow("Quá hạn")
    assert "01/UBND-VP" in page.locator("table").inner_text()
    assert page.locator(".badge--late").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    tab.shot("07-overdue-360px")
    tab.close()

    # The issuer corrects the subject and adds a reply date: an update package to both.
    tab = Tab(browser, base, ubnd.clerk.username)
    page = tab.page
    tab.goto(f"/can-bo/van-ban/{sent.pk}/")
    tab.follow("Cập nhật, đính chính văn bản")
    page.get_by_label("Lý do cập nhật, đính chính", exact=True).fill(
        "Đính chính trích yếu, bổ sung hạn báo cáo theo chỉ đạo của Chủ tịch UBND tỉnh."
    )
    tab.press("Gửi bản cập nhật")  # nothing changed yet: refused, in words
    assert "Chưa có thông tin nào thay đổi" in page.locator("[role=alert]").inner_text()
    corrected = subject.replace("cơ quan hành chính", "cơ quan hành chính nhà nước")
    page.get_by_label("Trích yếu", exact=True).fill(corrected)
    page.get_by_label("Hạn trả lời", exact=True).fill("2027-01-15")
    tab.shot("09-update-form", phone=True)
    tab.press("Gửi bản cập nhật")
    tab.done("Đã cập nhật văn bản, gửi bản cập nhật đến nơi nhận.")
    tab.close()
    pump()

    # The commune accepts it (a new version); the department, done already, refuses it.
    tab = Tab(browser, base, xa.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", "01/UBND-VP")
    card = tab.card("Nơi ban hành cập nhật, đính chính văn bản")
    assert "nhà nước" in card.locator("ins").first.inner_text()
    assert "15/01/2027" in card.inner_text() or "2027-01-15" in card.inner_text()
    tab.shot("10-update-received", phone=True)
    tab.press("Chấp nhận bản cập nhật")
    tab.done("Đã chấp nhận")
    assert Document.objects.get(pk=copy.pk).subject == corrected
    tab.close()
    tab = Tab(browser, base, so.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", "01/UBND-VP")
    tab.press("Từ chối bản cập nhật")
    tab.done("Đã từ chối bản cập nhật.")
    tab.close()
    pump()
    assert Document.objects.get(pk=sent.pk).state == State.ISSUED  # 15 to an update ≠ recall
    decisions = set(IncomingUpdate.objects.values_list("decision", flat=True))
    assert decisions == {IncomingUpdate.Decision.APPLIED, IncomingUpdate.Decision.REFUSED}

    # The issuer asks for it back: the commune gives it back, the department (done) cannot.
    tab = Tab(browser, base, ubnd.clerk.username)
    page = tab.page
    tab.goto(f"/can-bo/van-ban/{sent.pk}/")
    page.locator("form:has([data-action=recall])").get_by_label("Lý do", exact=True).fill(
        "Gửi nhầm: Ủy ban nhân dân xã Một không thuộc phạm vi triển khai đợt này."
    )
    tab.press("Đề nghị nơi nhận trả lại văn bản (thu hồi)")
    tab.done("Đã gửi đề nghị thu hồi đến từng nơi nhận.")
    tab.close()
    pump()
    tab = Tab(browser, base, xa.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", "01/UBND-VP")
    card = tab.card("Nơi gửi đề nghị thu hồi văn bản")
    assert "Gửi nhầm" in card.inner_text()
    tab.shot("11-recall-asked", phone=True)
    tab.press("Đồng ý trả lại văn bản")
    tab.done("Đã đồng ý trả lại văn bản cho nơi gửi.")
    assert "Nơi gửi đã lấy lại" in tab.page.locator("[data-state]").inner_text()
    tab.close()
    tab = Tab(browser, base, so.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", "01/UBND-VP")
    card = tab.card("Nơi gửi đề nghị thu hồi văn bản")
    assert "không trả lại được" in card.inner_text()
    assert card.get_by_role("button", name="Đồng ý trả lại văn bản").count() == 0
    tab.press("Từ chối trả lại")
    tab.done("Đã từ chối yêu cầu thu hồi.")
    tab.close()
    pump()
    tab = Tab(browser, base, ubnd.clerk.username)
    page = tab.page
    tab.goto(f"/can-bo/van-ban/{sent.pk}/")
    card = tab.card("Đề nghị thu hồi đã gửi")
    text = card.inner_text()
    assert "1 nơi đồng ý trả lại · 1 nơi từ chối · 0 nơi chưa trả lời" in text, text
    assert "Đã ban hành" in page.locator("[data-state]").inner_text()
    assert (
        page.get_by_role("button", name="Đề nghị nơi nhận trả lại văn bản (thu hồi)").count() == 0
    )
    tab.shot("12-recall-answers", phone=True)

    # So it annuls the document: the department accepts the annulment.
    page.locator("form:has([data-action=revoke])").get_by_label("Lý do", exact=True).fill(
        "Hủy bỏ để ban hành văn bản thay thế phù hợp Kế hoạch chuyển đổi số năm 2027."
    )
    tab.press("Hủy bỏ văn bản (văn bản hết hiệu lực)")
    assert "Đã thu hồi" in page.locator("[data-state]").inner_text()
    tab.close()
    pump()
    tab = Tab(browser, base, so.clerk.username)
    tab.open_waiting("Chờ văn thư: vào sổ, cấp số, cập nhật", "01/UBND-VP")
    card = tab.card("Nơi ban hành hủy bỏ văn bản")
    assert "Kế hoạch chuyển đổi số" in card.inner_text()
    tab.shot("13-annulment-received", phone=True)
    tab.press("Đồng ý hủy bỏ")
    assert Document.objects.get(pk=received.pk).state == State.WITHDRAWN
    tab.close()
    pump()

    # The clerk enters a scanned paper decision of the ministry, then registers it.
    tab = Tab(browser, base, ubnd.clerk.username)
    page = tab.page
    tab.follow("Nhập văn bản đến")
    scan = official_pdf(
        tmp_path / "qd-1234-bnv-ban-quet.pdf",
        issuer="Bộ Nội vụ",
        heading="Số: 1234/QĐ-BNV",
        subject="Quyết định ban hành Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2027",
        pages=4,
    )
    not_pdf = tmp_path / "ghi-chu.txt"
    not_pdf.write_text("Bản ghi chú, không phải văn bản", encoding="utf-8")
    page.get_by_label("Loại văn bản", exact=True).select_option("QD")
    page.get_by_label("Cơ quan ban hành", exact=True).fill("Bộ Nội vụ")
    page.get_by_label("Số", exact=True).fill("1234")
    page.get_by_label("Ký hiệu", exact=True).fill("QĐ-BNV")
    page.get_by_label("Ngày ban hành", exact=True).fill("2026-11-20")
    page.get_by_label("Trích yếu", exact=True).fill(
        "Về việc ban hành Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2027"
    )
    page.get_by_label("Người ký", exact=True).fill("Trần Văn Khải")
    page.get_by_label("Chức vụ người ký", exact=True).fill("Thứ trưởng")
    page.get_by_label("Độ khẩn", exact=True).select_option("1")
    page.get_by_label("Số trang", exact=True).fill("4")
    page.get_by_label("Bản quét hoặc tệp đính kèm thư (PDF)", exact=True).set_input_files(
        str(not_pdf)
    )
    tab.press("Lưu văn bản đến")  # not a PDF: refused in words, nothing stored
    assert "PDF" in page.locator("main").inner_text()
    assert not Document.objects.filter(code_number="1234").exists()
    page.get_by_label("Bản quét hoặc tệp đính kèm thư (PDF)", exact=True).set_input_files(str(scan))
    tab.shot("14-paper-entry", phone=True)
    tab.press("Lưu văn bản đến")
    tab.done("Đã nhập văn bản đến.")
    entered = Document.objects.get(code_number="1234")
    assert entered.state == State.ARRIVED and entered.number_notation == "1234/QĐ-BNV"
    tab.press("Vào sổ văn bản đến")
    tab.done("Đã vào sổ văn bản đến.")
    entered.refresh_from_db()
    assert entered.state == State.REGISTERED and entered.register_number is not None
    facts = page.locator("dl").inner_text()
    assert "Bản giấy (đã quét)" in facts and "()" not in facts, facts
    tab.shot("15-paper-registered", phone=True)

    # In English: the choices read in English (the packages keep the Vietnamese wording).
    tab.goto(f"/can-bo/van-ban/{sent.pk}/")
    with page.expect_navigation():
        page.locator("form.lang-switch button[value=en]").click()
    tab.axe()
    text = page.locator("main").inner_text()
    for english in (
        "Recalled",
        "Official letter",
        "Urgent",
        "Document exchange axis",
        "Annulment accepted.",
        "Recall refused.",
    ):
        assert english in text, english
    for vietnamese in ("Đã thu hồi", "Công văn", "Trục liên thông văn bản"):
        assert vietnamese not in text, vietnamese
    tab.shot("16-english", phone=True)
    tab.goto("/can-bo/van-ban/")
    assert "Documents waiting for me" in page.locator("h1").inner_text()
    tab.shot("08-english-360px", phone=True)
    tab.close()
    assert not VIOLATIONS, "\n".join(VIOLATIONS)
