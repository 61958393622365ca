"""The citizen's notification preferences page in English (the notify app's catalogue)."""

from __future__ import annotations

from typing import Any

from tests.backoffice.test_english import _in_english, english


def test_preferences_page_in_english(world: Any) -> None:
    html = _in_english(
        english(world.citizen_user),
        "/ca-nhan/thong-bao/",
        [
            "Notifications about your dossiers", "Mandatory notifications", "Vietnam time",
            "from 21:00 to 07:00", ">Save<", "Back to your profile", "Receive notifications by SMS",
        ],
        [
            "Nhận thông báo về hồ sơ", "Các thông báo bắt buộc", "giờ Việt Nam", ">Lưu<",
            "Quay lại thông tin cá nhân", "Nhận thông báo qua", "Nhận cả thông báo", " đến ",
        ],
    )  # fmt: skip
    assert "<title>Notifications" in html


def test_every_notification_label_has_its_english_text() -> None:
    from django.utils import translation

    from congso.notify.channels import channels
    from congso.notify.labels import LABELS
    from congso.notify.models import EventKind, Message
    from congso.portal.templatetags.congso_ui import ui

    shown = [channel.label for channel in channels] + [
        label for choices in (EventKind, Message.Status) for label in choices.labels
    ]
    # The built-in channels' labels are in the notify catalogue; a plugin channel's in its app's.
    plugins = {channel.label for channel in channels if channel.id not in ("sms", "email")}
    assert set(shown) - plugins <= set(LABELS)
    with translation.override("en"):
        untranslated = [
            label for label in {*LABELS, *shown} if ui(label) == label and label != "SMS"
        ]
    assert untranslated == []
