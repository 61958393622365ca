"""Authentication for the API: a bearer token (API clients, officers' tools) or the Django
session (the portal's own pages, citizens), and the token service.

Tokens are ``cs_`` followed by 43 URL-safe characters; only their SHA-256 is stored
(:class:`~congso.api.models.ApiToken`), so a leaked database does not leak usable tokens. A
session used by an officer must have passed the second factor (TOTP), like the officer pages;
requests that change state through a session need the CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from congso.accounts.services import second_factor_required
from congso.api.models import ApiToken
from congso.audit.services import record
from congso.core.errors import DomainError

TOKEN_PREFIX = "cs_"  # noqa: S105 (a public prefix, not a secret)
#: ``last_used_at`` is written at most this often per token.
TOUCH_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_create(
    *, actor: Any, user: Any, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the token, which is never stored."""
    label = (name or "").strip()[:100] or "API"
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(
            "invalid_expiry", "Thời điểm hết hạn phải ở tương lai.", field="expires_at"
        )
    if not user.is_active:
        raise DomainError("user_inactive", "Tài khoản đã bị khóa.", field="user")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            name=label,
            key_hash=hash_token(token),
            prefix=token[:10],
            expires_at=expires_at,
        )
        record(
            actor=actor,
            action="api.token.create",
            target=row,
            after={"user": user.pk, "name": label, "prefix": row.prefix, "expires_at": expires_at},
        )
    return row, token


def token_revoke(*, actor: Any, token: ApiToken) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(actor=actor, action="api.token.revoke", target=token)


def user_for_token(token: str) -> Any:
    """The active user owning a valid, unexpired, unrevoked ``token``; else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if row is None or not row.user.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class BearerToken(HttpBearer):
    """``Authorization: Bearer cs_…``. A token that is sent but not valid is refused at once
    (no fall-back to the session)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is None:
            raise DomainError(
                "invalid_token",
                "Mã truy cập API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
                status=401,
            )
        request.user = user
        return user


class Session(APIKeyCookie):
    """The Django session; CSRF is checked for signed-in users on unsafe methods.

    ``optional``: on public operations an officer's session that has not passed the second
    factor counts as nobody (the visitor is anonymous) instead of being refused."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, *, optional: bool = False) -> None:
        super().__init__()
        self.optional = optional

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        verified = getattr(user, "is_verified", None)
        if second_factor_required(user) and not (verified and verified()):
            if self.optional:
                return None
            raise DomainError(
                "second_factor_required",
                "Cán bộ cần xác thực hai lớp (mã OTP) trước khi dùng API bằng phiên đăng nhập.",
                status=403,
            )
        return user


def require_login(request: HttpRequest) -> Any:
    """Last in the chain: nobody authenticated, so answer 401 in the API's error shape."""
    raise DomainError(
        "unauthenticated",
        "Cần đăng nhập, hoặc gửi mã truy cập API trong tiêu đề Authorization: Bearer <mã>.",
        status=401,
    )


def anonymous(request: HttpRequest) -> Any:
    """Last in the public chain: nobody authenticated, and nobody is needed. The handler sees an
    anonymous visitor (``request.auth`` and ``request.user``)."""
    request.user = AnonymousUser()
    return request.user


#: Use as ``auth=`` on routers and operations that need a person.
SESSION_OR_TOKEN: list[Callable[..., Any]] = [BearerToken(), Session(), require_login]
#: The API's default: the same identity chain as :data:`SESSION_OR_TOKEN`, but an anonymous
#: visitor is let through. Every operation uses one of the two, so a valid token is recognised
#: everywhere, and an invalid one is refused everywhere (401 ``invalid_token``).
TOKEN_SESSION_OR_ANONYMOUS: list[Callable[..., Any]] = [
    BearerToken(),
    Session(optional=True),
    anonymous,
]


def is_public(callbacks: Any) -> bool:
    """Whether an operation's auth chain lets anonymous visitors through."""
    return bool(callbacks) and callbacks[-1] is anonymous
