"""Levels of assurance: a procedure can require level 2 from a date (a rule with an effective
date); a level-1 citizen is asked to step up only when starting it, not at login."""

from __future__ import annotations

import datetime

from django.test import Client

from congso.identity import services
from congso.identity.models import NationalAccount
from simulators.vneid.citizens import SEEDED
from tests.identity.conftest import national_sign_in, provider_login

AN = next(c for c in SEEDED if c.sub == "vneid-an")  # a level-2 account
BINH = next(c for c in SEEDED if c.sub == "vneid-binh")  # a level-1 account


def test_the_rule_in_force_on_a_date(world) -> None:  # type: ignore[no-untyped-def]
    procedure = world.procedure
    assert services.required_level(procedure) == 1
    start = datetime.date(2026, 7, 20)
    services.assurance_rule_set(actor=None, procedure=procedure, level=2, valid_from=start)
    assert services.required_level(procedure, on=start - datetime.timedelta(days=1)) == 1
    assert services.required_level(procedure, on=start) == 2
    services.assurance_rule_set(
        actor=None, procedure=procedure, level=1, valid_from=datetime.date(2027, 1, 1)
    )
    assert services.required_level(procedure, on=datetime.date(2026, 12, 31)) == 2
    assert services.required_level(procedure, on=datetime.date(2027, 1, 1)) == 1


def test_a_level_one_citizen_steps_up_when_starting_a_level_two_procedure(world, vneid) -> None:  # type: ignore[no-untyped-def]
    procedure = world.procedure
    services.assurance_rule_set(
        actor=None, procedure=procedure, level=2, valid_from=datetime.date(2020, 1, 1)
    )
    client = Client()
    # Signing in at level 1 works: nothing is asked at login.
    assert national_sign_in(client, f"{AN.sub}:1").status_code == 302
    apply = f"/thu-tuc/{procedure.code}/nop-truc-tuyen/"
    asked = client.get(apply)
    assert asked.status_code == 403
    page = asked.content.decode()
    assert "mức 2" in page and "/tai-khoan/dinh-danh/vneid/bat-dau/?muc=2" in page
    # The form's steps ask too (no way round the start page).
    assert client.get(f"{apply}buoc-0/").status_code == 403
    start = client.get(f"/tai-khoan/dinh-danh/vneid/bat-dau/?muc=2&next={apply}")
    back = provider_login(start["Location"], f"{AN.sub}:2").removeprefix("http://testserver")
    done = client.get(back)
    assert done.status_code == 302 and done["Location"] == apply
    assert client.session["identity.signed_in"]["level"] == 2
    assert NationalAccount.objects.get(subject=AN.sub).level == 2
    assert client.get(apply).status_code == 302  # on to the form


def test_a_level_one_account_cannot_step_up(world, vneid) -> None:  # type: ignore[no-untyped-def]
    services.assurance_rule_set(
        actor=None, procedure=world.procedure, level=2, valid_from=datetime.date(2020, 1, 1)
    )
    client = Client()
    national_sign_in(client, f"{BINH.sub}:1")
    start = client.get("/tai-khoan/dinh-danh/vneid/bat-dau/?muc=2")
    # The provider offers no level-2 sign-in to a level-1 account; a tampered answer at level 1
    # is refused by congso.
    page_choice = f"{BINH.sub}:1"
    back = provider_login(start["Location"], page_choice).removeprefix("http://testserver")
    refused = client.get(back)
    assert 'data-code="level_too_low"' in refused.content.decode()
    assert client.session["identity.signed_in"]["level"] == 1


def test_a_step_up_by_another_person_is_refused(world, vneid) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    national_sign_in(client, f"{BINH.sub}:1")
    start = client.get("/tai-khoan/dinh-danh/vneid/bat-dau/?muc=2")
    back = provider_login(start["Location"], f"{AN.sub}:2").removeprefix("http://testserver")
    refused = client.get(back)
    assert 'data-code="step_up_other_person"' in refused.content.decode()
    assert not NationalAccount.objects.filter(subject=AN.sub).exists()


def test_a_password_session_is_asked_too(world, vneid) -> None:  # type: ignore[no-untyped-def]
    services.assurance_rule_set(
        actor=None, procedure=world.procedure, level=2, valid_from=datetime.date(2020, 1, 1)
    )
    client = Client()
    client.force_login(world.citizen_user)
    assert client.get(f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/").status_code == 403


def test_the_english_catalogue_is_complete() -> None:
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "congso/identity/locale/en/LC_MESSAGES/django.po"
    entries = [e for e in po.read_text(encoding="utf-8").split("\n\n")[1:] if "msgid" in e]
    assert len(entries) > 30
    for entry in entries:
        assert "#, fuzzy" not in entry, entry
        assert entry.rstrip().splitlines()[-1] != 'msgstr ""', f"untranslated: {entry}"


def test_the_step_up_page_in_english(world, vneid) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    services.assurance_rule_set(
        actor=None, procedure=world.procedure, level=2, valid_from=datetime.date(2020, 1, 1)
    )
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.citizen_user)
    page = client.get(f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/").content.decode()
    assert "An electronic identity account of level 2 is required" in page
    assert "Verify with VNeID" in page


def test_the_administration_pages(world, settings) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    settings.OFFICER_2FA_REQUIRED = False
    from congso.audit.models import AuditEvent

    admin_user = get_user_model().objects.create_superuser("quantri", password="x" * 16)
    client = Client()
    client.force_login(admin_user)
    for path in (
        "/quan-tri/identity/assurancerule/",
        "/quan-tri/identity/assurancerule/add/",
        "/quan-tri/identity/nationalaccount/",
        "/quan-tri/identity/populationlookup/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    response = client.post(
        "/quan-tri/identity/assurancerule/add/",
        {"procedure": world.procedure.pk, "level": 2, "valid_from": "2026-07-20"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert services.required_level(world.procedure, on=datetime.date(2026, 7, 20)) == 2
    assert AuditEvent.objects.filter(action="identity.assurance.create").exists()
