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


def test_category_names_and_states_in_english(pv, clock, settings) -> None:
    from congso.feedback import services
    from tests.feedback.conftest import at
    from tests.feedback.test_lifecycle import portal_report

    clock.set(at(2026, 3, 2, 9, 0))
    report = portal_report(pv)
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)
    report = services.report_answer(actor=pv.handler_t, report=report, answer="Đã vá.")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = client.get("/phan-anh/?linh_vuc=giao-thong").text
    assert f"{report.code} — Damaged road surface" in listing
    assert "Hư hỏng mặt đường" not in listing and "Street lighting" in listing  # the filter
    follow = client.get(services.follow_path(report)).text
    assert ">Answered<" in follow and "Damaged road surface" in follow
    assert "Đã trả lời" not in follow
    home = client.get("/").text
    assert 'href="/phan-anh/gui/"' in home and "Send feedback or a recommendation" in home
    # Vietnamese pages keep the Vietnamese names; the reporter's SMS stays Vietnamese.
    vietnamese = Client().get(f"/phan-anh/cong-khai/{report.code}/").text
    assert "Hư hỏng mặt đường" in vietnamese
    from congso.notify.models import Message

    assert all("Answered" not in m.body for m in Message.objects.all())
