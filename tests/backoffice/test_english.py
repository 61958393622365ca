"""English pages: the app catalogues (portal, workspace, notifications, e-results) are complete,
and the pages switch language with the same cookie as the header's language switch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.dossiers.conftest import submit

CATALOGUES = [
    Path(settings.BASE_DIR) / "congso" / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
    for app in ("portal", "backoffice", "notify", "signing", "results")
]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete(po: Path) -> None:
    text = po.read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n")[1:] if "msgid" in e]
    assert entries
    for entry in entries:
        assert "#, fuzzy" not in entry, entry
        assert entry.rstrip().splitlines()[-1] != 'msgstr ""', f"untranslated: {entry}"


def english(user: Any = None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def test_pages_in_english(world, clock, settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    dossier = submit(world)
    pages = {
        "/thu-tuc/?q=khai+sinh": (None, ["Find an administrative procedure", "Results"]),
        "/thu-tuc/1.001193/": (None, ["Time limit", "Fees and charges"]),
        "/dang-ky/": (None, ["Full name", "Repeat the password"]),
        "/ca-nhan/ho-so/": (world.citizen_user, ["My dossiers"]),
        "/can-bo/": (world.reception_a, ["Work queues", "To receive", "Counter reception"]),
        "/can-bo/tiep-nhan-truc-tiep/?thu-tuc=1.001193": (
            world.reception_a,
            ["Receive a dossier at the counter", "Look up the applicant"],
        ),
        "/can-bo/giam-sat/": (world.leader_a, ["One-stop desk supervision", "Received today"]),
        f"/can-bo/ho-so/{dossier.code}/thao-tac/receive/": (
            world.reception_a,
            ["Confirm: Receive the dossier"],
        ),
        "/can-bo/hang-doi/tiep-nhan/": (world.reception_a, ["Submitted, awaiting reception"]),
        "/can-bo/hang-doi/cho-duyet/": (world.leader_a, ["Awaiting my approval or signature"]),
        "/can-bo/hang-doi/tat-ca/": (
            world.monitor,
            ["Find a dossier", "Operations and indicators"],
        ),
    }
    for url, (user, phrases) in pages.items():
        response = english(user).get(url, follow=True)  # /can-bo/ goes to the officer's work
        html = response.content.decode()
        assert response.status_code == 200, url
        assert re.search(r'<html lang="en"', html), url
        for phrase in phrases:
            assert phrase in html, (url, phrase)


def test_every_workflow_label_has_its_english_text() -> None:
    from django.utils import translation

    from congso.dossiers.workflow import LABELS_VI, TRANSITIONS
    from congso.portal.labels import LABELS
    from congso.portal.templatetags.congso_ui import EXTRA_ACTION_LABELS, ui

    labels = [t.label_vi for t in TRANSITIONS.values()]
    labels += [*LABELS_VI.values(), *EXTRA_ACTION_LABELS.values()]
    assert set(labels) <= set(LABELS)
    with translation.override("en"):
        untranslated = [label for label in LABELS if ui(label) == label]
    assert untranslated == []
    with translation.override("vi"):
        assert ui("Đang xử lý") == "Đang xử lý"


def _in_english(client: Client, url: str, english_text: list[str], vietnamese: list[str]) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en"' in html, url
    for phrase in english_text:
        assert phrase in html, (url, phrase)
    for phrase in vietnamese:
        assert phrase not in html, (url, phrase)
    return html


def test_dossier_pages_in_english(world, clock, settings: Any) -> None:
    from congso.notify.models import Message

    settings.OFFICER_2FA_REQUIRED = False
    dossier = submit(world)
    Message.objects.create(
        dossier=dossier, kind="received", channel="sms", recipient="0912345678", body="x",
        status=Message.Status.DEAD, last_error="SMTP 451", created_at=dossier.submitted_at,
        failed_at=dossier.submitted_at,
    )  # fmt: skip
    officer = _in_english(
        english(world.reception_a),
        f"/can-bo/ho-so/{dossier.code}/",
        [
            "Actions", "Submission channel", "Processing deadline", "Application form",
            "Dossier components", "Processing steps", "Printable forms", "History",
            "Notifications sent", "Carrier response / error", "Receive the dossier", "Online",
            "Given up (no attempts left)", "Dossier received",
            f"Dossier {dossier.code} · Officers",
        ],
        [
            "Thao tác", "Hình thức nộp", "Hạn giải quyết", ">Tờ khai<", "Thành phần hồ sơ",
            "Các bước xử lý", "Biểu mẫu in", "Lịch sử", "Thông báo đã gửi",
            "Phản hồi nhà mạng", "Tiếp nhận hồ sơ", "Mới đăng ký, chờ tiếp nhận", "Trực tuyến",
            "Ngừng gửi", "Đã tiếp nhận hồ sơ",
        ],
    )  # fmt: skip
    assert "SMTP 451" in officer
    citizen = _in_english(
        english(world.citizen_user),
        f"/ca-nhan/ho-so/{dossier.code}/",
        [
            "My dossiers", "Procedure", "Status", "Submitted on", "Dossier components",
            "Processing history", "Notifications sent",
        ],
        [
            "Hồ sơ của tôi", "<dt>Thủ tục<", "Tình trạng", "Ngày nộp", "Thành phần hồ sơ",
            "Quá trình giải quyết", "Thông báo đã gửi", "Mới đăng ký, chờ tiếp nhận",
            "Phản hồi nhà mạng",
        ],
    )  # fmt: skip
    assert "0912***678" in citizen and "SMTP 451" not in citizen
