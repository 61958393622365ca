"""In Debian's Chromium on a 360 px phone: a citizen files a report with a real photo (a
1280×960 JPEG with the phone's EXIF, GPS position included), the department's officer accepts,
assigns and answers it on the officer pages (with a standard answer), and the citizen sees the
answer on the follow-up page and among the published answers. Screenshots go to
``/tmp/congso-screens/feedback/``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from congso.feedback import photos
from congso.feedback.models import Report, StandardAnswer
from congso.feedback.workflow import Status
from tests.e2e.test_journeys_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    browser,
    playwright_sync,
)
from tests.feedback.conftest import build_province

SHOTS = Path("/tmp/congso-screens/feedback")
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def street_photo() -> bytes:
    """A 1280×960 photo-like JPEG (a road with a pothole, sky, trees) as a phone writes it:
    Make, Model, DateTimeOriginal and a GPS block (Quảng Ngãi)."""
    image = Image.new("RGB", (1280, 960))
    draw = ImageDraw.Draw(image)
    for y in range(960):  # sky to asphalt gradient
        shade = (135 - y // 12, 180 - y // 10, 235 - y // 6) if y < 380 else (90, 90, 95)
        draw.line([(0, y), (1280, y)], fill=tuple(max(0, c) for c in shade))
    for x in range(0, 1280, 160):
        draw.ellipse([x, 250, x + 140, 390], fill=(40, 110, 50))
    draw.polygon([(200, 960), (560, 380), (720, 380), (1080, 960)], fill=(70, 70, 74))
    draw.ellipse([520, 640, 820, 760], fill=(35, 30, 28))  # the pothole
    for x in range(630, 660, 2):
        draw.line([(x, 420), (x, 940)], fill=(230, 230, 230) if x % 4 else (70, 70, 74))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"  # Make
    exif[0x0110] = "Galaxy A15"  # Model
    exif.get_ifd(0x8769)[0x9003] = "2026:03:02 07:41:09"  # DateTimeOriginal
    gps = exif.get_ifd(photos.GPS_IFD)
    gps.update({1: "N", 2: (15.0, 7.0, 12.5), 3: "E", 4: (108.0, 48.0, 3.2)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=88)
    return out.getvalue()


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}-360px.png"), full_page=True)


def _press(page: Any, form: Any, name: str) -> None:
    with page.expect_navigation():
        form.get_by_role("button", name=name, exact=True).click()


def test_phone_files_a_report_with_a_photo_and_sees_the_published_answer(
    live_server: Any,
    browser: Any,  # noqa: F811 (the journeys' fixture)
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FEEDBACK_PROVINCE = "51"
    settings.OFFICER_2FA_REQUIRED = False
    pv = build_province()
    StandardAnswer.objects.create(
        province=pv.province,
        category=pv.category("giao-thong"),
        title="Đã sửa chữa mặt đường",
        text="Sở Xây dựng đã kiểm tra hiện trường và giao đơn vị duy tu sửa chữa mặt đường.",
    )
    photo = tmp_path / "IMG_20260302_074109.jpg"
    photo.write_bytes(street_photo())
    assert photos.has_location(photo.read_bytes())
    SHOTS.mkdir(parents=True, exist_ok=True)

    citizen = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = citizen.new_page()
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Gửi phản ánh, kiến nghị", exact=True).click()
    page.get_by_label("Lĩnh vực").select_option("mat-duong")
    page.get_by_label("Nội dung phản ánh").fill(
        "Ổ gà sâu khoảng 20 cm giữa đường Hùng Vương, đoạn trước trường Tiểu học, xe máy "
        "đã ngã hai lần trong tuần. <b>Rất nguy hiểm</b> khi trời mưa."
    )
    page.get_by_label("Xã, phường").select_option(pv.ward_a.code)
    page.get_by_label("Địa chỉ, địa điểm").fill("Trước số 215 Hùng Vương")
    page.get_by_label("Ảnh hoặc tệp (JPEG, PNG, PDF)").set_input_files(str(photo))
    page.get_by_label("Họ và tên", exact=False).first.fill("Nguyễn Thị Hoa")
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.get_by_label("Đồng ý công khai", exact=False).check()
    _no_sideways_scroll(page)
    _shot(page, "1-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phản ánh", exact=True).click()
    assert "/phan-anh/theo-doi/" in page.url, page.content()[:3000]
    follow_url = page.url
    _shot(page, "2-filed")

    report = Report.objects.get()
    assert report.agency == pv.transport and report.status == Status.NEW
    stored = report.files.get()
    assert stored.location_removed and not photos.has_location(stored.file.open("rb").read())
    with Image.open(stored.file.open("rb")) as kept:
        assert kept.size == (1280, 960) and kept.getexif()[0x0110] == "Galaxy A15"

    # The department's officer, on a phone too, handles it on the officer pages.
    officer = browser.new_context(viewport=PHONE, locale="vi-VN")
    desk = officer.new_page()
    desk.goto(live_server.url + f"/tai-khoan/dang-nhap/?next=/can-bo/phan-anh/{report.code}/")
    desk.locator("input[name=username]").fill(pv.handler_t.username)
    desk.locator("input[name=password]").fill("x")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Đăng nhập", exact=True).click()
    assert f"/can-bo/phan-anh/{report.code}/" in desk.url, desk.url
    _shot(desk, "3-officer-report")
    _press(desk, desk.locator("form[action$='/thao-tac/accept/']"), "Tiếp nhận xử lý")
    assign = desk.locator("form[action$='/thao-tac/assign/']")
    assign.get_by_label("Cán bộ xử lý").select_option(label=str(pv.handler_t))
    _press(desk, assign, "Giao cán bộ xử lý")
    answer = desk.locator("form[action$='/thao-tac/answer/']")
    answer.get_by_label("Mẫu trả lời").select_option(label="Đã sửa chữa mặt đường")
    answer.get_by_label("Nội dung trả lời").fill("Đã vá ổ gà và cắm biển cảnh báo ngày 05/3/2026.")
    _shot(desk, "4-officer-answer")
    _press(desk, answer, "Trả lời")
    report.refresh_from_db()
    assert report.status == Status.ANSWERED and report.on_time is True
    officer.close()

    page.goto(follow_url)
    assert page.get_by_text("Đã vá ổ gà và cắm biển cảnh báo ngày 05/3/2026.").is_visible()
    assert "giao đơn vị duy tu sửa chữa mặt đường" in page.content()
    assert "&lt;b&gt;Rất nguy hiểm&lt;/b&gt;" in page.content()  # shown as typed, not markup
    page.get_by_label("Mức hài lòng với trả lời").select_option("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá", exact=True).click()
    assert page.get_by_text("Cảm ơn bạn đã đánh giá.").is_visible()
    _no_sideways_scroll(page)
    _shot(page, "5-follow-answered")

    page.goto(live_server.url + "/phan-anh/?linh_vuc=giao-thong&xa=" + pv.ward_a.code)
    _no_sideways_scroll(page)
    _shot(page, "6-published-list")
    page.get_by_role("link", name=f"{report.code} — Hư hỏng mặt đường").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã vá ổ gà và cắm biển cảnh báo ngày 05/3/2026.").is_visible()
    assert page.get_by_text("Sở Xây dựng").first.is_visible()
    assert "0912345678" not in page.content() and "Nguyễn Thị Hoa" not in page.content()
    _no_sideways_scroll(page)
    _shot(page, "7-published-detail")
    citizen.close()
