"""The messages on the officer's and the citizen's dossier pages, and the citizen's
notification preferences page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congso.audit.models import AuditEvent
from congso.notify.models import Message, Preference
from tests.dossiers.conftest import at, submit

S = Message.Status


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dossier_pages_show_the_messages_and_their_status(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    Message.objects.create(
        dossier=dossier, kind="received", channel="sms", recipient="0912345678", body="x",
        status=S.DELIVERED, operator_answer="ACK/DELIVRD", created_at=at(2026, 3, 2, 9, 0),
        sent_at=at(2026, 3, 2, 9, 0), delivered_at=at(2026, 3, 2, 9, 1),
    )  # fmt: skip
    Message.objects.create(
        dossier=dossier, kind="received", channel="email", recipient="an.nguyen@example.vn",
        body="x", status=S.DEAD, last_error="SMTP 451 thử lại sau", created_at=at(2026, 3, 2, 9, 0),
        failed_at=at(2026, 3, 2, 10, 30),
    )  # fmt: skip

    html = login(world.reception_a).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Thông báo đã gửi" in html
    assert "0912345678" in html and "an.nguyen@example.vn" in html
    assert "Đã nhận" in html and "09:01 02/03/2026" in html and "ACK/DELIVRD" in html
    assert "Ngừng gửi (hết số lần thử)" in html and "SMTP 451 thử lại sau" in html

    page = login(world.citizen_user).get(f"/ca-nhan/ho-so/{dossier.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thông báo đã gửi" in html and "Đã nhận" in html and "10:30 02/03/2026" in html
    assert "0912***678" in html and "a***@example.vn" in html
    assert "0912345678" not in html and "ACK/DELIVRD" not in html and "SMTP 451" not in html


def test_citizen_chooses_channels_and_unsubscribes_from_optional_notices(world):
    client = login(world.citizen_user)
    page = client.get("/ca-nhan/thong-bao/")
    assert page.status_code == 200 and "Nhận thông báo về hồ sơ" in page.content.decode()
    assert "21:00 đến 07:00" in page.content.decode()  # the quiet hours are explained

    response = client.post("/ca-nhan/thong-bao/", {"email": "on"})
    assert response.status_code == 302 and response["Location"].endswith("?da=luu")
    preference = Preference.objects.get(citizen=world.citizen)
    assert (preference.choice("sms"), preference.choice("email"), preference.unsubscribed) == (
        False,
        True,
        True,
    )
    event = AuditEvent.objects.get(action="notify.preference.set")
    assert event.after == {"sms": False, "email": True, "unsub": True}

    refused = client.post("/ca-nhan/thong-bao/", {"optional": "on"})
    assert refused.status_code == 200
    assert "Cần giữ ít nhất một kênh" in refused.content.decode()
    preference.refresh_from_db()
    assert (preference.choice("sms"), preference.choice("email")) == (False, True)  # unchanged
