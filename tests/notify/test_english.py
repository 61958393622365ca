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
            "21:00", ">Save<", "Back to your profile",
        ],
        [
            "Nhận thông báo về hồ sơ", "Các thông báo bắt buộc", "giờ Việt Nam", ">Lưu<",
            "Quay lại thông tin cá nhân",
        ],
    )  # fmt: skip
    assert "<title>Notifications" in html
