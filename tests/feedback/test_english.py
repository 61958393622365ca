"""The feedback catalogue is complete, and the pages switch to English with the language
cookie."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.backoffice import test_english as shared

PO = Path(settings.BASE_DIR) / "congso" / "feedback" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_feedback_catalogue_is_complete() -> None:
    shared.test_catalogue_is_complete(PO)


def test_pages_in_english(pv, settings) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        "/phan-anh/gui/": ["Send feedback or a recommendation", "Commune or ward"],
        "/phan-anh/": ["Answered reports", "No matching reports yet."],
        "/phan-anh/thong-ke/": ["Feedback statistics by agency"],
    }
    for url, texts in pages.items():
        text = client.get(url).text
        for expected in texts:
            assert expected in text, (url, expected)
    client.force_login(pv.operator)
    text = client.get("/can-bo/phan-anh/tong-dai/").text
    assert "Record a call to the 1022 hotline" in text and "Caller" in text
