"""The dossier admin pages are read-only views through restrict(); code rules are added through
the service (validated, audited). The officer second factor is switched off here."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.dossiers.models import CodeRule
from tests.dossiers.conftest import at, receive, submit


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.OFFICER_2FA_REQUIRED = False


def test_pages_load_and_dossiers_are_read_only(world, clock):
    dossier = receive(world, submit(world))
    client = Client()
    client.force_login(User.objects.create_user(username="root", is_staff=True, is_superuser=True))
    for name in ("dossier", "dossierevent", "coderule"):
        assert client.get(reverse(f"admin:dossiers_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert page.status_code == 200
    assert dossier.code in page.content.decode()
    assert client.get(reverse("admin:dossiers_dossier_add")).status_code == 403


def test_a_staff_officer_sees_only_their_dossiers(world, clock):
    from django.contrib.auth.models import Permission

    mine = submit(world)
    officer = world.reception_b
    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    client = Client()
    client.force_login(officer)
    listing = client.get(reverse("admin:dossiers_dossier_changelist"))
    assert listing.status_code == 200
    assert mine.code not in listing.content.decode()


def test_adding_a_code_rule_goes_through_the_service(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    client = Client()
    client.force_login(User.objects.create_user(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:dossiers_coderule_add")
    refused = client.post(url, {"effective_from": "2026-03-01", "pattern": "{agency}-{seq:04d}"})
    assert refused.status_code == 200
    assert "từ ngày mai" in refused.content.decode()
    created = client.post(
        url,
        {
            "effective_from": "2027-01-01",
            "pattern": "{agency}-{yymmdd}-{seq:05d}",
            "legal_basis": "Thông tư mới",
        },
    )
    assert created.status_code == 302
    rule = CodeRule.objects.get(effective_from="2027-01-01")
    assert rule.pattern == "{agency}-{yymmdd}-{seq:05d}"
    assert AuditEvent.objects.filter(action="dossiers.code_rule.create").count() == 1
