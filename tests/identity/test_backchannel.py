"""OpenID Connect Back-Channel Logout: the provider's signed logout token ends the sessions
of the account (by ``sub``) or of its session (``sid``); a forged, expired, misaddressed,
malformed or replayed token ends nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from congso.audit.models import AuditEvent
from congso.identity.models import NationalSession
from simulators.vneid.citizens import SEEDED
from tests.identity.conftest import national_sign_in

pytestmark = pytest.mark.django_db

AN = next(c for c in SEEDED if c.sub == "vneid-an")
BINH = next(c for c in SEEDED if c.sub == "vneid-binh")
URL = "/tai-khoan/dinh-danh/vneid/backchannel-logout/"


def _signed_in(choice: str) -> Client:
    client = Client()
    assert national_sign_in(client, choice).status_code == 302
    assert client.get("/ca-nhan/").status_code == 200
    return client


def _alive(client: Client) -> bool:
    return client.get("/ca-nhan/").status_code == 200


def test_the_provider_ends_the_accounts_sessions(vneid) -> None:  # type: ignore[no-untyped-def]
    an, binh = _signed_in(f"{AN.sub}:2"), _signed_in(f"{BINH.sub}:1")
    assert NationalSession.objects.count() == 2
    token = vneid.logout_token(sub=AN.sub)
    provider = Client(enforce_csrf_checks=True)  # a server-to-server POST, without a cookie
    answer = provider.post(URL, {"logout_token": token})
    assert answer.status_code == 200 and answer["Cache-Control"].startswith("max-age=0")
    assert not _alive(an) and _alive(binh)
    event = AuditEvent.objects.get(action="identity.session.backchannel_logout")
    assert event.after == {"provider": "vneid", "sessions": 1}
    # The same token again: refused (jti once).
    assert provider.post(URL, {"logout_token": token}).status_code == 400


def test_a_logout_by_session_id(vneid) -> None:  # type: ignore[no-untyped-def]
    an = _signed_in(f"{AN.sub}:1")
    other = Client().post(URL, {"logout_token": vneid.logout_token(sid="sid-nobody")})
    assert other.status_code == 200 and _alive(an)
    done = Client().post(URL, {"logout_token": vneid.logout_token(sid=f"sid-{AN.sub}")})
    assert done.status_code == 200 and not _alive(an)


@pytest.mark.parametrize(
    "fault", ["wrong_audience", "expired_token", "bad_signature", "no_event", "with_nonce"]
)
def test_a_bad_logout_token_ends_nothing(vneid, fault: str) -> None:  # type: ignore[no-untyped-def]
    an = _signed_in(f"{AN.sub}:1")
    answer = Client().post(URL, {"logout_token": vneid.logout_token(sub=AN.sub, fault=fault)})
    assert answer.status_code == 400 and answer.json() == {"error": "invalid_request"}
    assert _alive(an) and NationalSession.objects.count() == 1


def test_neither_sub_nor_sid_nor_a_token(vneid) -> None:  # type: ignore[no-untyped-def]
    an = _signed_in(f"{AN.sub}:1")
    assert Client().post(URL, {"logout_token": vneid.logout_token()}).status_code == 400
    assert Client().post(URL, {"logout_token": "not.a.token"}).status_code == 400
    assert Client().post(URL, {}).status_code == 400
    assert Client().get(URL).status_code == 405
    assert Client().post(URL.replace("vneid", "nobody"), {}).status_code == 400
    assert _alive(an)
