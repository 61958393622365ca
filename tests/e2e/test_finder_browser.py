"""Issue 21, the finder, in a real browser (Debian's Chromium) on the demo: a parent types the
question in their own words on a phone, finds birth registration first with why it matched,
opens it; a question typed without diacritics and with a typo; the life-event navigator leads
from "Người thân mất" to death registration. Screenshots go to ``var/screens/public/``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from congso.catalog.finder import segmenter
from congso.catalog.models import SearchLog
from tests.e2e.test_journeys_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    Citizen_,
    browser,
    demo,
)

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_a_parent_finds_birth_registration_in_their_own_words(
    live_server: Any,
    browser: Any,  # noqa: F811
    demo: dict[str, Path],  # noqa: F811
) -> None:
    # The live server runs in this process: the citizen searches once the word segmenter has
    # loaded (a busy machine takes seconds; until then queries are read accent-free).
    segmenter.start(wait=True)
    tab = Citizen_(browser, live_server.url, viewport={"width": 360, "height": 740})
    page = tab.page
    page.goto(f"{tab.base}/thu-tuc/")
    page.locator("#q").fill("vợ tôi mới sinh em bé thì phải làm giấy tờ gì")
    page.get_by_role("button", name="Tìm kiếm", exact=True).click()
    page.wait_for_url(re.compile(r"q="))
    first = page.locator("#results .result-list li").first
    first.wait_for()
    text = first.inner_text()
    assert "Thủ tục đăng ký khai sinh" in text, text
    assert "Vì sao:" in text and "«khai sinh»" in text, text
    assert "giấy phép xây dựng" not in text.lower()
    tab.shot("finder-1-newborn")
    with page.expect_navigation():
        first.locator("a").click()
    assert "/thu-tuc/1.001193/" in page.url
    assert SearchLog.objects.get(normalised__startswith="vo toi moi sinh").clicks == 1

    page.goto(f"{tab.base}/thu-tuc/?q=mo+quan+ca+phe+can+thu+tuc+gi")
    results = page.locator("#results").inner_text()
    assert results.index("Đăng ký thành lập hộ kinh doanh") < 400, results[:600]
    page.goto(f"{tab.base}/thu-tuc/?q=dang+ki+ket+hon")
    assert "Thủ tục đăng ký kết hôn" in page.locator("#results li").first.inner_text()

    page.goto(f"{tab.base}/thu-tuc/")
    page.get_by_role("link", name="Người thân mất", exact=True).click()
    page.wait_for_url(re.compile(r"/su-kien/nguoi-than-mat/"))
    main = page.locator("main").inner_text()
    assert "Người thân mất" in main and "Thủ tục đăng ký khai tử" in main, main[:800]
    for leak in ("None", "{", "nguoi-than-mat", "life_event"):
        assert leak not in main, leak
    tab.shot("finder-2-life-event")
    tab.context.close()
