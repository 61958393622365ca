"""The whole citizen-to-officer flow in a real browser (Playwright driving Debian's Chromium,
``/usr/bin/chromium``; no browser is downloaded), on a desktop and a 360×740 phone viewport,
with axe-core (vendored, ``tests/ui/vendor/axe.min.js``) run on every page visited: no serious
or critical violation is allowed. Screenshots of the key pages go to ``docs/screenshots/``."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.dossiers.models import Dossier, DossierStep
from congso.org.demo import DEMO_TOTP_KEY_HEX
from congso.org.models import Role, RoleAssignment
from tests.dossiers.conftest import PDF, PNG, User, build_world

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "x"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 360, "height": 740}}


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the test itself does no
    # database work while it runs, the live server thread does.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Session:
    """One person's browser tab, checking every page it lands on with axe-core."""

    def __init__(self, browser: Any, base: str, viewport: str, files: Path):
        self.context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="vi-VN", accept_downloads=True
        )
        self.page = self.context.new_page()
        self.base = base
        self.viewport = viewport
        self.files = files
        self.checked: list[str] = []
        self.violations: list[str] = []

    def axe(self) -> None:
        page = self.page
        if page.evaluate("document.contentType") != "text/html":
            return
        # Evaluated through the driver: a script tag would be inline script, which the site's
        # Content-Security-Policy refuses (as it should).
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.help + ' → '"
            " + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
        self.violations.extend(f"{page.url} ({self.viewport}): {item}" for item in result)
        self.checked.append(page.url)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.axe()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.viewport}.png"))

    def click(self, name: str) -> None:
        # Every button here posts a form; file forms go through upload.js (XMLHttpRequest,
        # then a navigation), so wait for the navigation, not only for the click.
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state()
        self.axe()

    def upload(self, section: str, label: str, path: Path) -> None:
        page = self.page
        page.get_by_label(label).set_input_files(str(path))
        with page.expect_navigation():
            page.locator("section", has_text=section).get_by_role("button", name="Tải lên").click()
        page.wait_for_load_state()
        self.axe()

    def follow(self, name: str | re.Pattern[str], *, exact: bool = True) -> None:
        self.page.get_by_role("link", name=name, exact=exact).first.click()
        self.page.wait_for_load_state()
        self.axe()

    def login_officer(self, username: str, key_hex: str) -> None:
        page = self.page
        self.go("/can-bo/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.click("Đăng nhập")
        page.get_by_label(re.compile("Mã xác thực")).fill(f"{totp(bytes.fromhex(key_hex)):06d}")
        self.click("Xác nhận")
        assert "/can-bo/" in page.url

    def act(self, code: str, label: str, **fields: str) -> None:
        page = self.page
        self.go(f"/can-bo/ho-so/{code}/")
        self.follow(label)
        for field_label, value in fields.items():
            page.get_by_label(field_label.replace("_", " "), exact=False).first.fill(value)
        self.click(f"Xác nhận: {label}")
        assert f"/can-bo/ho-so/{code}/?da=" in page.url, page.url


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_citizen_to_officer_flow(
    live_server: Any, browser: Any, tmp_path: Path, settings: Any, viewport: str
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    for officer in (world.reception_a, world.specialist_a, world.leader_a):
        TOTPDevice.objects.create(user=officer, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
    (tmp_path / "to-khai.pdf").write_bytes(PDF)
    (tmp_path / "giay-chung-sinh.png").write_bytes(PNG)
    (tmp_path / "giay-chung-sinh-ro.png").write_bytes(PNG)
    shots = True

    citizen = Session(browser, live_server.url, viewport, tmp_path)
    page = citizen.page
    # Register.
    citizen.go("/dang-ky/")
    page.get_by_label("Họ, chữ đệm và tên").fill("Trần Thị Bình")
    page.get_by_label("Số định danh cá nhân").fill("051192000123")
    page.get_by_label("Ngày sinh").fill("1992-05-01")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Số điện thoại").fill("0912000111")
    page.get_by_label("Tên đăng nhập").fill(f"tranbinh{viewport}")
    page.get_by_label("Mật khẩu", exact=True).fill("mat-khau-rat-dai-2026")
    page.get_by_label("Nhập lại mật khẩu").fill("mat-khau-rat-dai-2026")
    citizen.click("Đăng ký")
    # Find "khai sinh" typed without diacritics.
    citizen.go("/thu-tuc/")
    page.get_by_label("Tên hoặc mã thủ tục").fill("khai sinh")
    citizen.click("Tìm kiếm")
    citizen.follow("Thủ tục đăng ký khai sinh")
    if shots:
        citizen.shot("01-procedure")
    citizen.follow("Nộp hồ sơ trực tuyến")
    page.get_by_label(re.compile("Họ, chữ đệm, tên của trẻ")).fill("Trần Văn An")
    page.get_by_label(re.compile("Ngày sinh")).fill("2026-01-20")
    if shots:
        citizen.shot("02-online-form")
    citizen.click("Lưu và tiếp tục")
    citizen.upload(
        "Tờ khai đăng ký khai sinh",
        "Chọn tệp cho «Tờ khai đăng ký khai sinh»",
        tmp_path / "to-khai.pdf",
    )
    citizen.upload(
        "Giấy chứng sinh", "Chọn tệp cho «Giấy chứng sinh»", tmp_path / "giay-chung-sinh.png"
    )
    if shots:
        citizen.shot("03-attachments")
    citizen.click("Tiếp tục")
    citizen.click("Nộp hồ sơ")
    assert page.locator("#dossier-code").count() == 1, page.locator("main").inner_text()
    code = page.locator("#dossier-code").inner_text().strip()
    assert re.fullmatch(r"000\.00\.51\.H51-\d{6}-\d{4}", code)
    if shots:
        citizen.shot("04-submitted")

    # Reception (after the second factor) asks for a supplement.
    reception = Session(browser, live_server.url, viewport, tmp_path)
    reception.login_officer("motcua.a", DEMO_TOTP_KEY_HEX)
    assert code in reception.page.content()
    if shots:
        reception.shot("05-officer-queue")
    reception.go(f"/can-bo/ho-so/{code}/")
    reception.follow("Yêu cầu bổ sung hồ sơ")
    reception.page.get_by_label("Giấy chứng sinh", exact=True).check()
    reception.page.get_by_label(re.compile("^Lý do")).fill("Ảnh giấy chứng sinh bị mờ.")
    reception.click("Xác nhận: Yêu cầu bổ sung hồ sơ")

    # The citizen supplements.
    citizen.go(f"/ca-nhan/ho-so/{code}/")
    assert "Ảnh giấy chứng sinh bị mờ." in page.content()
    page.get_by_label("Giấy chứng sinh", exact=True).set_input_files(
        str(tmp_path / "giay-chung-sinh-ro.png")
    )
    citizen.click("Gửi hồ sơ bổ sung")

    # Officers process it to the result.
    reception.act(code, "Tiếp nhận hồ sơ")
    reception.act(code, "Chuyển xử lý")
    specialist = Session(browser, live_server.url, viewport, tmp_path)
    specialist.login_officer("chuyenvien.a", DEMO_TOTP_KEY_HEX)
    specialist.act(code, "Chuyển bước tiếp theo")
    leader = Session(browser, live_server.url, viewport, tmp_path)
    leader.login_officer("lanhdao.a", DEMO_TOTP_KEY_HEX)
    leader.act(code, "Hoàn thành, có kết quả", **{"Kết quả giải quyết": "Giấy khai sinh số 12"})
    if shots:
        leader.shot("06-officer-dossier")
    reception.act(code, "Trả kết quả")

    # The citizen downloads the receipt, sees the result and rates.
    citizen.go(f"/ca-nhan/ho-so/{code}/")
    assert "Giấy khai sinh số 12" in page.content()
    href = page.get_by_role("link", name=re.compile("Tải Giấy tiếp nhận")).get_attribute("href")
    receipt = citizen.context.request.get(live_server.url + str(href))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    page.get_by_label("Rất hài lòng", exact=True).check()
    citizen.click("Gửi đánh giá")
    assert "Bạn đã đánh giá" in page.content()
    if shots:
        citizen.shot("07-my-dossier")
    sessions = (citizen, reception, specialist, leader)
    assert [v for s in sessions for v in s.violations] == []
    assert sum(len(s.checked) for s in sessions) >= 25


def test_counter_reception_and_supervisor_reassign(
    live_server: Any, browser: Any, tmp_path: Path, settings: Any
) -> None:
    """At the desk: an in-person dossier entered and received, form 01 printed; the leader
    hands the running step to another specialist from the supervisor view."""
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    for officer in (world.reception_a, world.specialist_a, world.leader_a):
        TOTPDevice.objects.create(user=officer, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
    second = User.objects.create_user(username="chuyenvien.a2", password="x", full_name="Hà An")
    RoleAssignment.objects.create(
        user=second,
        role=Role.SPECIALIST,
        agency=world.commune_a,
        valid_from=datetime.date(2020, 1, 1),
    )
    (tmp_path / "to-khai.pdf").write_bytes(PDF)
    (tmp_path / "giay-chung-sinh.png").write_bytes(PNG)

    reception = Session(browser, live_server.url, "desktop", tmp_path)
    page = reception.page
    reception.login_officer("motcua.a", DEMO_TOTP_KEY_HEX)
    reception.follow("Tiếp nhận trực tiếp")
    # htmx shows the results as the officer types (the button is the no-script path).
    page.get_by_label("Tên hoặc mã thủ tục").fill("khai sinh")
    page.get_by_role("link", name="Thủ tục đăng ký khai sinh").wait_for()
    reception.axe()
    reception.follow("Thủ tục đăng ký khai sinh")
    page.get_by_label(re.compile("^Số định danh cá nhân")).fill("05119200077")
    page.get_by_label(re.compile("^Họ và tên")).fill("Lê Thị Cúc")
    page.get_by_label("Ngày sinh (công dân)").fill("1992-03-04")
    page.get_by_label("Giới tính (công dân)").select_option("female")
    page.get_by_label(re.compile("Họ, chữ đệm, tên của trẻ")).fill("Lê Văn Tí")
    page.locator("#f-ngay-sinh").fill("2026-02-01")
    page.get_by_label("Bản quét (số hóa) «Tờ khai đăng ký khai sinh»").set_input_files(
        str(tmp_path / "to-khai.pdf")
    )
    # A wrong ID number: the 422 page (sent through upload.js) shows the error next to the
    # field and keeps what was typed, and the scan: it is listed as attached, not chosen again.
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    page.locator("#id_number-error").wait_for()
    reception.axe()
    assert page.get_by_label(re.compile("^Họ và tên")).input_value() == "Lê Thị Cúc"
    kept = page.locator(".slot", has=page.locator("#scan-to-khai"))
    assert "to-khai.pdf" in kept.inner_text() and kept.get_by_text("Bỏ tệp").count() == 1
    page.get_by_label(re.compile("^Số định danh cá nhân")).fill("051192000777")
    # Another component's scan, sent with the corrected page.
    page.locator("#scan-giay-chung-sinh").set_input_files(str(tmp_path / "giay-chung-sinh.png"))
    reception.shot("08-counter-reception")
    # upload.js sends the form with XMLHttpRequest and shows a labelled <progress>: hold the
    # request until the progress box is there, then let it through.
    held: list[Any] = []

    def hold(route: Any) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route("**/tiep-nhan-truc-tiep/**", hold)
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    progress = page.get_by_role("progressbar", name=re.compile("Đang tải tệp lên"))
    progress.wait_for()
    assert page.locator("form[data-upload-progress]").get_attribute("aria-busy") == "true"
    reception.axe()
    while not held:  # the route handler runs on Playwright's loop; let it catch up
        page.wait_for_timeout(20)
    with page.expect_navigation():
        held[0].continue_()
    assert len(held) == 1  # one listener, one request, even after the error page
    page.unroute("**/tiep-nhan-truc-tiep/**")
    page.wait_for_load_state()
    reception.axe()
    code = page.locator("#dossier-code").inner_text().strip()
    assert re.fullmatch(r"000\.00\.51\.H51-\d{6}-\d{4}", code), page.locator("main").inner_text()
    href = page.get_by_role("link", name=re.compile("mẫu 01")).get_attribute("href")
    receipt = reception.context.request.get(live_server.url + str(href))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    dossier = Dossier.objects.get(code=code)
    assert Dossier.objects.count() == 1
    assert dossier.channel == "in_person" and dossier.status == "received"
    assert dossier.components.get(code="to-khai").digitised
    attached = {c.code: c.attachments.count() for c in dossier.components.all()}
    assert attached["to-khai"] == 1 and attached["giay-chung-sinh"] == 1
    reception.act(code, "Chuyển xử lý")

    # The consult and transfer pages of the step's holder (axe checks them; no action taken).
    specialist = Session(browser, live_server.url, "desktop", tmp_path)
    specialist.login_officer("chuyenvien.a", DEMO_TOTP_KEY_HEX)
    specialist.go(f"/can-bo/ho-so/{code}/thao-tac/consult/")
    assert specialist.page.get_by_label("Cơ quan 1", exact=True).count() == 1
    specialist.go(f"/can-bo/ho-so/{code}/thao-tac/transfer/")
    assert specialist.page.get_by_label("Cơ quan 1 chủ trì").count() == 1

    leader = Session(browser, live_server.url, "desktop", tmp_path)
    leader.login_officer("lanhdao.a", DEMO_TOTP_KEY_HEX)
    leader.follow("Giám sát một cửa")
    assert code in leader.page.content()
    card = leader.page.locator("article", has_text=code)
    card.get_by_label("Giao cho cán bộ").select_option(label="Hà An (chuyenvien.a2)")
    card.get_by_label(re.compile("^Lý do giao lại")).fill("Cân đối công việc")
    leader.shot("09-supervisor")
    leader.click(f"Giao lại bước «Thẩm định hồ sơ» của {code}")
    assert "Đã giao lại bước xử lý." in leader.page.content()
    step = DossierStep.objects.get(dossier=dossier, status="active")
    assert step.assignee == second
    sessions = (reception, specialist, leader)
    assert [v for s in sessions for v in s.violations] == []
    assert sum(len(s.checked) for s in sessions) >= 14
