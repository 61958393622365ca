"""More bad input at the national sign-in (besides test_oidc_flow): an ID token for another
flow's nonce, from another issuer, HMAC-signed with the client secret (algorithm confusion), a
userinfo naming another subject, a malformed personal ID, and the population database naming
another person — each refused with a clear message, nothing created or changed."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from congso.identity import oidc, services
from congso.identity.models import NationalAccount, PopulationLookup
from congso.org.models import Citizen
from simulators.vneid.citizens import SEEDED
from tests.identity.conftest import national_sign_in

pytestmark = pytest.mark.django_db

AN = next(c for c in SEEDED if c.sub == "vneid-an")
BINH = next(c for c in SEEDED if c.sub == "vneid-binh")
User = get_user_model()


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), Citizen.objects.count(), NationalAccount.objects.count()


@pytest.mark.parametrize("fault", ["wrong_nonce", "wrong_issuer", "hs256", "userinfo_other_sub"])
def test_a_token_that_is_not_for_this_flow_is_refused(vneid, fault: str) -> None:  # type: ignore[no-untyped-def]
    vneid.faults(fault)
    response = national_sign_in(Client(), f"{AN.sub}:1")
    text = response.content.decode()
    assert response.status_code == 400 and 'data-code="token_invalid"' in text
    assert "không hợp lệ hoặc đã hết hạn" in text
    assert "_auth_user_id" not in response.wsgi_request.session
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize("personal_id", ["05109000000", "0510900001001", "05109000000x", ""])
def test_a_malformed_personal_id_is_refused(vneid, personal_id: str) -> None:  # type: ignore[no-untyped-def]
    identity = oidc.NationalIdentity(
        provider="vneid", subject="s", personal_id=personal_id, full_name=AN.full_name,
        birth_date=datetime.date(1990, 4, 15), level=1, nonce_digest="d" * 64,
    )  # fmt: skip
    with pytest.raises(oidc.SignInFailed) as caught:
        services.sign_in(identity)
    assert caught.value.code == "claims_invalid"
    assert _counts() == (0, 0, 0)


def test_the_population_database_naming_someone_else_changes_nothing(population) -> None:  # type: ignore[no-untyped-def]
    from congso.identity import population as adapter

    user = User.objects.create_user(username="binh")
    citizen = Citizen.objects.create(
        user=user, full_name="Trần Thị Bình", personal_id=BINH.personal_id,
        birth_date=datetime.date(1995, 8, 2),
    )  # fmt: skip
    population.faults("name_mismatch")
    with pytest.raises(adapter.PopulationError) as caught:
        adapter.lookup(
            personal_id=citizen.personal_id, full_name=citizen.full_name, birth_year=1995,
            purpose="Điền sẵn tờ khai", procedure_code="1.001193", actor=user,
        )  # fmt: skip
    assert caught.value.code == "population_mismatch"
    citizen.refresh_from_db()
    assert citizen.full_name == "Trần Thị Bình"
    assert PopulationLookup.objects.get().outcome == "mismatch"
