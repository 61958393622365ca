"""National sign-in against the VNeID simulator (its own process): the flows, the account
linking and merge, and every bad input (forged, expired, wrong audience, replayed, provider
down) leaving nothing created or changed."""

from __future__ import annotations

import datetime
import http.client
import logging
import urllib.parse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from congso.audit.models import AuditEvent
from congso.identity import oidc, services
from congso.identity.models import NationalAccount, UsedNonce
from congso.org.models import Citizen
from simulators.vneid.citizens import SEEDED
from tests.identity.conftest import login_page, national_sign_in, provider_login

pytestmark = pytest.mark.django_db

AN = next(c for c in SEEDED if c.sub == "vneid-an")  # level-2 account, new to congso
BINH = next(c for c in SEEDED if c.sub == "vneid-binh")  # level 1
MOT = next(c for c in SEEDED if c.sub == "vneid-mot")  # a local account exists
BA = next(c for c in SEEDED if c.sub == "vneid-ba")  # registered at a desk, no account

User = get_user_model()


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), Citizen.objects.count(), NationalAccount.objects.count()


def _refused(response, code: str) -> None:  # type: ignore[no-untyped-def]
    assert f'data-code="{code}"' in response.content.decode(), response.content.decode()[:2000]
    assert "_auth_user_id" not in response.wsgi_request.session


# --- The flow -------------------------------------------------------------------------------------


def test_first_sign_in_creates_the_citizen_and_the_user(vneid) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = national_sign_in(client, f"{AN.sub}:1", query="?next=/ca-nhan/")
    assert response.status_code == 302
    assert response["Location"] == "/ca-nhan/"
    citizen = Citizen.objects.get(personal_id=AN.personal_id)
    assert citizen.full_name == AN.full_name
    assert citizen.birth_date == datetime.date(1990, 4, 15)
    assert citizen.gender == "male"  # VNeID gives none: digit 4 of the personal ID says it
    assert citizen.user is not None
    assert not citizen.user.has_usable_password()
    account = NationalAccount.objects.get(provider="vneid", subject=AN.sub)
    assert account.user == citizen.user
    assert account.level == 1
    assert client.session["identity.signed_in"]["level"] == 1
    assert AuditEvent.objects.filter(action="identity.account.link").count() == 1
    # The citizen's page now knows them.
    assert AN.full_name in client.get("/ca-nhan/").content.decode()
    # The second time: the same user, nothing new.
    before = _counts()
    again = national_sign_in(Client(), f"{AN.sub}:2")
    assert again.status_code == 302
    assert _counts() == before
    account.refresh_from_db()
    assert account.level == 2


def test_the_authorization_request_carries_state_nonce_pkce_and_the_level(vneid) -> None:  # type: ignore[no-untyped-def]
    start = Client().get("/tai-khoan/dinh-danh/vneid/bat-dau/?muc=2")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start["Location"]).query))
    assert query["response_type"] == "code"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert query["acr_values"] == "LoA2"
    # Level 2 asked: the simulator offers no level-1 sign-in.
    page = login_page(start["Location"])
    assert f'value="{AN.sub}:2"' in page and f'value="{AN.sub}:1"' not in page


def test_a_citizen_registered_at_a_desk_is_linked(vneid) -> None:  # type: ignore[no-untyped-def]
    desk = Citizen.objects.create(full_name=BA.full_name, personal_id=BA.personal_id)
    response = national_sign_in(Client(), f"{BA.sub}:1")
    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.user is not None and desk.user.national_accounts.get().subject == BA.sub
    assert Citizen.objects.count() == 1


def test_portal_sso_claims_fill_the_profile(dvcqg) -> None:  # type: ignore[no-untyped-def]
    response = national_sign_in(Client(), f"{BINH.sub}:1", provider="dvcqg")
    assert response.status_code == 302
    citizen = Citizen.objects.get(personal_id=BINH.personal_id)
    assert citizen.phone == BINH.phone
    assert citizen.email == BINH.email
    assert citizen.gender == "female"
    assert citizen.address == BINH.current


def test_vneid_claims_are_few(vneid) -> None:  # type: ignore[no-untyped-def]
    national_sign_in(Client(), f"{BINH.sub}:1")
    citizen = Citizen.objects.get(personal_id=BINH.personal_id)
    assert citizen.phone == "" and citizen.email == ""


def test_key_rotation_refetches_the_keys(vneid) -> None:  # type: ignore[no-untyped-def]
    assert national_sign_in(Client(), f"{AN.sub}:1").status_code == 302
    vneid.rotate(drop_old=True)
    assert national_sign_in(Client(), f"{AN.sub}:1").status_code == 302
    vneid.faults("unknown_key")
    assert national_sign_in(Client(), f"{AN.sub}:1").status_code == 302
    fetches = [e for e in vneid.state()["log"] if e["kind"] == "jwks"]
    assert len(fetches) == 3  # once, then once after each rotation


def test_rp_initiated_logout(vneid) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    national_sign_in(client, f"{AN.sub}:1")
    response = client.post("/tai-khoan/dinh-danh/dang-xuat/")
    assert response.status_code == 200
    end_session = response.context["end_session"]
    assert f'content="0;url={end_session.replace("&", "&amp;")}"' in response.content.decode()
    target = urllib.parse.urlsplit(end_session)
    assert target.path == "/oidc/logout"
    query = dict(urllib.parse.parse_qsl(target.query))
    assert query["post_logout_redirect_uri"] == "http://testserver/"
    assert query["id_token_hint"].count(".") == 2
    assert "_auth_user_id" not in client.session
    # The provider ends its session (it recognises the hint) and sends the browser home.
    connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=10)
    connection.request("GET", f"{target.path}?{target.query}")
    answer = connection.getresponse()
    assert answer.status == 302 and answer.getheader("Location") == "http://testserver/"
    logouts = [e for e in vneid.state()["log"] if e["kind"] == "logout"]
    assert logouts == [{**logouts[0], "sub": AN.sub, "hinted": True}]


# --- Merge with an existing local account ---------------------------------------------------------


@pytest.fixture
def local_account():  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username="congdan.mot", password="mat-khau-rat-dai-2026")
    citizen = Citizen.objects.create(
        full_name=MOT.full_name, personal_id=MOT.personal_id, user=user, phone="0987000222"
    )
    return user, citizen


def test_an_existing_local_account_is_merged_only_with_its_password(vneid, local_account) -> None:  # type: ignore[no-untyped-def]
    user, citizen = local_account
    client = Client()
    response = national_sign_in(client, f"{MOT.sub}:2", query="?next=/ca-nhan/")
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/dinh-danh/lien-ket/"
    assert NationalAccount.objects.count() == 0
    assert "_auth_user_id" not in client.session
    page = client.get("/tai-khoan/dinh-danh/lien-ket/")
    assert MOT.full_name in page.content.decode()
    wrong = client.post("/tai-khoan/dinh-danh/lien-ket/", {"password": "sai", "action": "merge"})
    assert wrong.status_code == 400
    assert NationalAccount.objects.count() == 0 and "_auth_user_id" not in client.session
    done = client.post(
        "/tai-khoan/dinh-danh/lien-ket/", {"password": "mat-khau-rat-dai-2026", "action": "merge"}
    )
    assert done.status_code == 302 and done["Location"] == "/ca-nhan/"
    assert int(client.session["_auth_user_id"]) == user.pk
    account = NationalAccount.objects.get()
    assert account.user == user and account.level == 2
    citizen.refresh_from_db()
    assert citizen.phone == "0987000222"  # what the citizen entered is kept
    assert citizen.birth_date == datetime.date(1985, 3, 12)  # what was empty is filled
    assert User.objects.count() == 1
    # Next time the national account signs straight in.
    again = Client()
    assert national_sign_in(again, f"{MOT.sub}:1").status_code == 302
    assert int(again.session["_auth_user_id"]) == user.pk


def test_declining_the_merge_changes_nothing(vneid, local_account) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    national_sign_in(client, f"{MOT.sub}:1")
    before = _counts()
    response = client.post("/tai-khoan/dinh-danh/lien-ket/", {"action": "decline"})
    assert response.status_code == 302
    assert _counts() == before and NationalAccount.objects.count() == 0
    assert client.get("/tai-khoan/dinh-danh/lien-ket/").status_code == 302


def test_an_officer_keeps_the_second_factor(vneid, local_account) -> None:  # type: ignore[no-untyped-def]
    user, _ = local_account
    user.is_staff = True
    user.save()
    client = Client()
    national_sign_in(client, f"{MOT.sub}:2")
    done = client.post(
        "/tai-khoan/dinh-danh/lien-ket/", {"password": "mat-khau-rat-dai-2026", "action": "merge"}
    )
    assert done["Location"].startswith("/tai-khoan/xac-thuc-hai-lop/")
    assert client.get("/can-bo/").status_code == 302  # not verified yet


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["wrong_audience", "expired_token", "bad_signature"])
def test_a_bad_id_token_is_refused(vneid, fault: str) -> None:  # type: ignore[no-untyped-def]
    vneid.faults(fault)
    before = _counts()
    response = national_sign_in(Client(), f"{AN.sub}:1")
    assert response.status_code == 400
    _refused(response, "token_invalid")
    assert "không hợp lệ hoặc đã hết hạn" in response.content.decode()
    assert _counts() == before


def test_the_clock_skew_is_tolerated_within_its_limit(vneid, settings) -> None:  # type: ignore[no-untyped-def]
    vneid.faults("clock_ahead")
    assert national_sign_in(Client(), f"{AN.sub}:1").status_code == 302  # 60 s < 120 s
    settings.OIDC_CLOCK_SKEW_SECONDS = 10
    vneid.faults("clock_ahead")
    before = _counts()
    _refused(national_sign_in(Client(), f"{AN.sub}:1"), "token_invalid")
    assert _counts() == before


@pytest.mark.parametrize("fault", ["5xx:token", "timeout:token", "5xx:jwks", "5xx:userinfo"])
def test_the_provider_down_during_the_callback(vneid, fault: str) -> None:  # type: ignore[no-untyped-def]
    vneid.faults(fault)
    before = _counts()
    response = national_sign_in(Client(), f"{AN.sub}:1")
    assert response.status_code == 503
    _refused(response, "provider_unavailable")
    assert "đang không trả lời" in response.content.decode()
    assert _counts() == before


def test_the_provider_down_at_the_start(vneid) -> None:  # type: ignore[no-untyped-def]
    vneid.faults("5xx:discovery")
    response = Client().get("/tai-khoan/dinh-danh/vneid/bat-dau/")
    assert response.status_code == 503
    _refused(response, "provider_unavailable")


def test_a_replayed_callback_is_refused(vneid) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    start = client.get("/tai-khoan/dinh-danh/vneid/bat-dau/")
    back = provider_login(start["Location"], f"{AN.sub}:1").removeprefix("http://testserver")
    assert client.get(back).status_code == 302
    before = _counts()
    client.logout()
    replay = client.get(back)
    _refused(replay, "state_invalid")
    # Another browser with the stolen callback URL: no state in its session.
    _refused(Client().get(back), "state_invalid")
    assert _counts() == before


def test_a_forged_state_is_refused(vneid) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    start = client.get("/tai-khoan/dinh-danh/vneid/bat-dau/")
    back = provider_login(start["Location"], f"{AN.sub}:1").removeprefix("http://testserver")
    forged = back.replace("state=", "state=x")
    _refused(client.get(forged), "state_invalid")
    assert _counts() == (0, 0, 0)


def test_a_replayed_nonce_is_refused(vneid) -> None:  # type: ignore[no-untyped-def]
    identity = oidc.NationalIdentity(
        provider="vneid",
        subject=AN.sub,
        personal_id=AN.personal_id,
        full_name=AN.full_name,
        birth_date=datetime.date(1990, 4, 15),
        level=1,
        nonce_digest="a" * 64,
        expires_at=0,
    )
    services.sign_in(identity)
    before = _counts()
    with pytest.raises(oidc.SignInFailed) as caught:
        services.sign_in(identity)
    assert caught.value.code == "nonce_replayed"
    assert _counts() == before
    assert UsedNonce.objects.count() == 1


def test_a_cancelled_sign_in(vneid) -> None:  # type: ignore[no-untyped-def]
    response = national_sign_in(Client(), "cancel")
    _refused(response, "access_denied")


def test_a_personal_id_that_contradicts_the_birth_date_is_refused(vneid) -> None:  # type: ignore[no-untyped-def]
    identity = oidc.NationalIdentity(
        provider="vneid",
        subject="x",
        personal_id=AN.personal_id,
        full_name=AN.full_name,
        birth_date=datetime.date(1991, 4, 15),
        level=1,
        nonce_digest="b" * 64,
    )
    with pytest.raises(oidc.SignInFailed) as caught:
        services.sign_in(identity)
    assert caught.value.code == "claims_invalid"
    assert _counts() == (0, 0, 0)


def test_logs_carry_neither_tokens_nor_personal_data(vneid, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="congso")
    client = Client()
    national_sign_in(client, f"{AN.sub}:1")
    vneid.faults("bad_signature")
    national_sign_in(Client(), f"{AN.sub}:1")
    token = client.session["identity.signed_in"]["id_token"]
    assert "oidc vneid id_token" in caplog.text  # the refusal is logged…
    for secret in (token, token.split(".")[1], AN.personal_id, AN.full_name, AN.sub):
        assert secret not in caplog.text  # …without the token or the person
