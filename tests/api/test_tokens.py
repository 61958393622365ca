"""API tokens (issue 13 item 5): scopes, expiry, the second-factor mark that approving and
signing need, the sign-in endpoint with its throttle, listing and revoking by the owner."""

from __future__ import annotations

import datetime as dt
import io
from importlib import import_module
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from congso.accounts import tokens
from congso.api.models import ApiToken
from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from tests.accounts.helpers import current_code, make_device, wrong_code
from tests.dossiers.conftest import submit

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/auth/tokens"


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(user: Any, scopes: list[str], **extra: Any) -> str:
    return tokens.token_create(actor=None, user=user, name="t", scopes=scopes, **extra)[1]


def act(token: str, code: str, action: str, **body: Any) -> Any:
    return Client().post(
        f"/api/v1/dossiers/{code}/actions/{action}",
        body,
        content_type="application/json",
        headers=headers(token),
    )


def test_every_token_expires(world: Any, clock: Any, settings: Any) -> None:
    row, _ = tokens.token_create(actor=None, user=world.citizen_user, name="t", scopes=["read"])
    assert row.expires_at == clock.now + dt.timedelta(days=30)
    longest = clock.now + dt.timedelta(days=settings.API_TOKEN_MAX_DAYS + 1)
    with pytest.raises(DomainError) as refused:
        tokens.token_create(
            actor=None, user=world.citizen_user, name="t", scopes=["read"], expires_at=longest
        )
    assert refused.value.code == "expiry_too_long"
    strong, _ = tokens.token_create(
        actor=None, user=world.leader_a, name="t", scopes=["read", "sign"], second_factor=True
    )
    assert strong.expires_at == clock.now + dt.timedelta(hours=12)
    assert strong.second_factor_at == clock.now


def test_unknown_or_no_scope_is_refused(world: Any) -> None:
    for scopes in ([], ["admin"], ["read", "sudo"]):
        with pytest.raises(DomainError) as refused:
            issue(world.citizen_user, scopes)
        assert refused.value.code == "invalid_scope"


def test_an_officer_token_approves_or_signs_only_after_a_second_factor(world: Any) -> None:
    for scope in ("approve", "sign"):
        with pytest.raises(DomainError) as refused:
            issue(world.leader_a, ["read", scope])
        assert refused.value.code == "second_factor_required"
        assert refused.value.status == 403
    # A citizen has no second factor to give; the scope does not make them an officer.
    issue(world.citizen_user, ["read", "approve"])


def test_a_read_token_cannot_write(world: Any) -> None:
    dossier = submit(world)
    token = issue(world.reception_a, ["read"])
    assert (
        Client().get(f"/api/v1/dossiers/{dossier.code}", headers=headers(token)).status_code == 200
    )
    response = act(token, dossier.code, "receive", expected_version=dossier.version)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    dossier.refresh_from_db()
    assert dossier.status == "submitted"


def _to_leader(world: Any) -> Any:
    dossier = submit(world)
    desk = issue(world.reception_a, ["read", "write"])
    assert act(desk, dossier.code, "receive").status_code == 200
    assert act(desk, dossier.code, "start_processing", assignee="chuyenvien.a").status_code == 200
    specialist = issue(world.specialist_a, ["read", "write"])
    assert act(specialist, dossier.code, "forward", note="Đủ").status_code == 200
    dossier.refresh_from_db()
    return dossier


def test_completing_needs_a_token_issued_after_the_second_factor(world: Any) -> None:
    dossier = _to_leader(world)
    # Write is not enough to decide.
    writer = issue(world.leader_a, ["read", "write"])
    response = act(writer, dossier.code, "complete", result_summary="Cấp giấy khai sinh")
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"
    # A row claiming "approve" without the mark (made outside the service, or before this
    # rule) is refused where it is used.
    row = ApiToken.objects.get(key_hash=tokens.hash_token(writer))
    ApiToken.objects.filter(pk=row.pk).update(scopes=["read", "write", "approve"])
    response = act(writer, dossier.code, "complete", result_summary="Cấp giấy khai sinh")
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"
    dossier.refresh_from_db()
    assert dossier.status != "completed"
    marked = issue(world.leader_a, ["read", "approve"], second_factor=True)
    response = act(marked, dossier.code, "complete", result_summary="Cấp giấy khai sinh")
    assert response.status_code == 200, response.content


def test_signing_needs_the_sign_scope_and_the_mark(world: Any) -> None:
    writer = issue(world.leader_a, ["read", "write"])
    for path, body in (
        ("/api/v1/signatures/results/KQ/sign", {"profile_id": 1}),
        ("/api/v1/signatures/results/KQ/external", {"profile_id": 1}),
        ("/api/v1/signatures/external/abc", {"signature_cms": "AAAA"}),
    ):
        response = Client().post(
            path, body, content_type="application/json", headers=headers(writer)
        )
        assert response.status_code == 403, path
        assert response.json()["code"] == "insufficient_scope"


def test_signing_in_for_a_token(world: Any) -> None:
    world.citizen_user.set_password("mat-khau-cong-dan-2026")
    world.citizen_user.save()
    response = Client().post(
        TOKENS,
        {"username": "congdan.mot", "password": "mat-khau-cong-dan-2026", "scopes": ["read"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith("cs_") and body["scopes"] == ["read"]
    assert body["second_factor"] is False and body["usable"] is True
    mine = Client().get("/api/v1/dossiers", headers=headers(body["token"]))
    assert mine.status_code == 200
    assert AuditEvent.objects.filter(action="api.token.create").count() == 1


def test_an_officer_signs_in_for_a_token_with_the_code(world: Any, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    leader = world.leader_a
    leader.set_password("mat-khau-lanh-dao-2026")
    leader.save()
    device = make_device(leader)
    body = {"username": "lanhdao.a", "password": "mat-khau-lanh-dao-2026", "scopes": ["sign"]}
    client = Client()
    response = client.post(TOKENS, body, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"
    response = client.post(
        TOKENS, {**body, "code": wrong_code(device)}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "invalid_code"
    response = client.post(
        TOKENS, {**body, "code": current_code(device)}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["second_factor"] is True
    row = ApiToken.objects.get(pk=response.json()["id"])
    assert row.second_factor_at is not None
    assert row.expires_at <= timezone.now() + dt.timedelta(hours=12)


def test_the_token_endpoint_is_throttled_like_the_login(world: Any, settings: Any) -> None:
    settings.LOGIN_FREE_FAILURES = 3
    client = Client()
    body = {"username": "lanhdao.a", "password": "doan-sai", "scopes": ["read"]}
    for _ in range(3):
        response = client.post(TOKENS, body, content_type="application/json")
        assert response.status_code == 403
        assert response.json()["code"] == "invalid_credentials"
    response = client.post(TOKENS, body, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert response["Retry-After"] == "30"
    assert "thử lại sau 30 giây" in response.json()["message"]


def test_owners_list_and_revoke_their_tokens(world: Any) -> None:
    mine = issue(world.specialist_a, ["read", "write"])
    other = issue(world.reception_a, ["read", "write"])
    other_row = ApiToken.objects.get(key_hash=tokens.hash_token(other))
    listed = Client().get(TOKENS, headers=headers(mine)).json()
    assert [item["prefix"] for item in listed] == [mine[:10]]
    assert "token" not in listed[0] and "key_hash" not in listed[0]
    # Someone else's token is unknown here.
    response = Client().delete(f"{TOKENS}/{other_row.pk}", headers=headers(mine))
    assert response.status_code == 404
    own_row = ApiToken.objects.get(key_hash=tokens.hash_token(mine))
    assert Client().delete(f"{TOKENS}/{own_row.pk}", headers=headers(mine)).status_code == 204
    assert Client().get(TOKENS, headers=headers(mine)).status_code == 401
    assert AuditEvent.objects.filter(action="api.token.revoke").count() == 1
    assert Client().get(TOKENS, headers=headers(other)).status_code == 200


def test_the_command_issues_scoped_tokens_without_the_mark(world: Any) -> None:
    out = io.StringIO()
    call_command("api_token", "lanhdao.a", "--scope", "read", "--scope", "write", stdout=out)
    token = out.getvalue().strip()
    row = ApiToken.objects.get(key_hash=tokens.hash_token(token))
    assert row.scopes == ["read", "write"] and row.second_factor_at is None
    assert row.expires_at is not None


def test_tokens_from_before_keep_read_and_write_and_get_an_expiry(world: Any) -> None:
    row = ApiToken.objects.create(
        user=world.citizen_user, name="cũ", key_hash="x" * 64, prefix="cs_old", scopes=[]
    )

    class _HistoricApps:  # the model lived in api then; it is accounts' now (same table)
        def get_model(self, app_label: str, name: str) -> Any:
            return ApiToken

    import_module("congso.api.migrations.0003_existing_tokens_scoped_and_expiring").forwards(
        _HistoricApps(), None
    )
    row.refresh_from_db()
    assert row.scopes == ["read", "write"]
    assert row.expires_at is not None and row.second_factor_at is None
