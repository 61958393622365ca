"""In Debian's Chromium at 360 px: a citizen files a report with a photo, the department
answers it, and the citizen sees the answer on the follow-up page and among the published
answers. Screenshots go to ``var/screens/feedback/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from congso.feedback import services
from congso.feedback.models import Report
from tests.e2e.test_journeys_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    ROOT,
    browser,
    playwright_sync,
)
from tests.feedback.conftest import build_province, jpeg_with_location

SHOTS = ROOT / "var" / "screens" / "feedback"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def test_phone_files_a_report_with_a_photo_and_sees_the_answer(
    live_server: Any,
    browser: Any,  # noqa: F811 (the journeys' fixture)
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    pv = build_province()
    photo = tmp_path / "o-ga.jpg"
    photo.write_bytes(jpeg_with_location().read())
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()

    page.goto(live_server.url + "/phan-anh/gui/")
    page.get_by_label("Lĩnh vực").select_option("mat-duong")
    page.get_by_label("Nội dung phản ánh").fill(
        "Ổ gà sâu giữa đường Hùng Vương, đoạn trước trường học <b>nguy hiểm</b>."
    )
    page.get_by_label("Xã, phường").select_option(pv.ward_a.code)
    page.get_by_label("Địa chỉ, địa điểm").fill("Trước trường Tiểu học Cẩm Thành")
    page.get_by_label("Ảnh hoặc tệp (JPEG, PNG, PDF)").set_input_files(str(photo))
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.get_by_label("Đồng ý công khai", exact=False).check()
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "form-360px.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phản ánh", exact=True).click()
    assert "/phan-anh/theo-doi/" in page.url, page.content()[:3000]
    follow_url = page.url

    report = Report.objects.get()
    stored = report.files.get()
    assert stored.location_removed
    assert report.agency == pv.transport
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)
    services.report_answer(
        actor=pv.handler_t, report=report, answer="Đã vá ổ gà và cắm biển cảnh báo."
    )

    page.goto(follow_url)
    assert page.get_by_text("Đã vá ổ gà và cắm biển cảnh báo.").is_visible()
    assert "&lt;b&gt;nguy hiểm&lt;/b&gt;" in page.content()  # shown as typed, not as markup
    page.get_by_label("Mức hài lòng với trả lời").select_option("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá", exact=True).click()
    assert page.get_by_text("Cảm ơn bạn đã đánh giá.").is_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "follow-360px.png"), full_page=True)

    page.goto(live_server.url + "/phan-anh/?linh_vuc=giao-thong")
    page.get_by_role("link", name=f"{report.code} — Hư hỏng mặt đường").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã vá ổ gà và cắm biển cảnh báo.").is_visible()
    assert page.get_by_text("Sở Xây dựng").is_visible()
    assert "0912345678" not in page.content()
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "published-360px.png"), full_page=True)
    context.close()
