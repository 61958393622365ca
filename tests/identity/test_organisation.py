"""Organisations by tax code: the portal SSO's MaSoDoanhNghiep links the signed-in citizen to
the enterprise as its legal representative (source: the national identity system)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from congso.audit.models import AuditEvent
from congso.identity import oidc, services
from congso.org import representation
from congso.org.models import Organisation, Representative
from simulators.vneid.citizens import SEEDED
from tests.identity.conftest import national_sign_in

pytestmark = pytest.mark.django_db

AN = next(c for c in SEEDED if c.sub == "vneid-an")
BINH = next(c for c in SEEDED if c.sub == "vneid-binh")


def test_the_enterprise_claim_links_the_representative(dvcqg) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert national_sign_in(client, f"{AN.sub}:2", provider="dvcqg").status_code == 302
    organisation = Organisation.objects.get(tax_code=AN.business_tax_code)
    assert organisation.name == "Công ty TNHH Nông sản Trà Bồng"
    link = Representative.objects.get()
    assert link.citizen.personal_id == AN.personal_id
    assert (link.role, link.source) == ("legal_representative", "national_identity")
    user = link.citizen.user
    assert representation.representation_for(user, organisation) == link
    assert AuditEvent.objects.filter(action="identity.organisation.link").count() == 1
    # Signing in again changes nothing.
    national_sign_in(Client(), f"{AN.sub}:2", provider="dvcqg")
    assert Representative.objects.count() == 1 and Organisation.objects.count() == 1


def test_no_claim_or_a_malformed_tax_code_links_nothing(dvcqg) -> None:  # type: ignore[no-untyped-def]
    national_sign_in(Client(), f"{BINH.sub}:1", provider="dvcqg")
    identity = oidc.NationalIdentity(
        provider="dvcqg",
        subject="someone",
        personal_id=AN.personal_id,
        full_name=AN.full_name,
        birth_date=datetime.date(1990, 4, 15),
        level=2,
        organisation_tax_code="4301020262",  # wrong check digit
        organisation_name="Công ty Không Có Thật",
        nonce_digest="c" * 64,
    )
    outcome = services.sign_in(identity)
    assert outcome.user is not None
    assert not Organisation.objects.exists() and not Representative.objects.exists()


def test_vneid_gives_no_enterprise(vneid) -> None:  # type: ignore[no-untyped-def]
    national_sign_in(Client(), f"{AN.sub}:2")
    assert not Organisation.objects.exists()
