"""The payments catalogue is complete in English, and the citizen's payment page switches."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.payments.conftest import fee_requested

PO = Path(settings.BASE_DIR) / "congso" / "payments" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_complete() -> None:
    entries = [e for e in PO.read_text(encoding="utf-8").split("\n\n")[1:] if "msgid" in e]
    assert len(entries) > 40
    for entry in entries:
        assert "#, fuzzy" not in entry, entry
        assert entry.rstrip().splitlines()[-1] != 'msgstr ""', f"untranslated: {entry}"


@pytest.mark.django_db
def test_the_payment_page_in_english(world, clock) -> None:
    dossier = fee_requested(world, clock)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.citizen_user)
    page = client.get(f"/ca-nhan/ho-so/{dossier.code}/thanh-toan/").content.decode()
    assert "Pay fees and charges" in page and "Total" in page
    mine = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Amount to pay" in mine and "/thanh-toan/" in mine
