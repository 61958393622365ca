"""English pages: the portal's and the workspace's catalogues are complete, and the pages
switch language with the same cookie as the header's language switch."""

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
    for app in ("portal", "backoffice")
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
    }
    for url, (user, phrases) in pages.items():
        response = english(user).get(url)
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
