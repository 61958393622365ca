"""API tokens for tests that act through the API as a person would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from congso.accounts.tokens import SCOPES, token_create
from congso.api.models import ApiToken


def full_token(user: Any, *, name: str = "test") -> str:
    """A token as its owner gets it from the account page right after the TOTP check: every
    scope, marked as issued after a second factor. The tests' clock moves by days, so its
    expiry is pushed far away (the service caps it at CONGSO_API_TOKEN_STRONG_HOURS)."""
    row, token = token_create(
        actor=None, user=user, name=name, scopes=list(SCOPES), second_factor=True
    )
    assert row.expires_at is not None
    ApiToken.objects.filter(pk=row.pk).update(expires_at=row.expires_at + timedelta(days=3650))
    return token


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {full_token(user)}"}
