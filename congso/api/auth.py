"""Authentication for the API: a bearer token (API clients, officers' tools) or the Django
session (the portal's own pages, citizens).

Tokens and their scopes are :mod:`congso.accounts.tokens`. A token does only what its scopes
allow: every operation needs ``read`` (GET) or ``write`` (the others) unless it declares another
scope (:func:`token_scope`); ``approve`` and ``sign`` need a token issued after a second-factor
check. A session used by an officer must have passed the second factor (TOTP), like the officer
pages, and may do everything the person may; requests that change state through a session need
the CSRF token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from congso.accounts.services import second_factor_required
from congso.accounts.tokens import (  # noqa: F401 (re-exported: the API's token helpers)
    APPROVE,
    READ,
    SIGN,
    TOKEN_PREFIX,
    WRITE,
    hash_token,
    row_for_token,
    scope_refusal,
    token_create,
    token_revoke,
)
from congso.core.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def user_for_token(token: str) -> Any:
    """The active user owning a valid, unexpired, unrevoked ``token``; else None."""
    row = row_for_token(token)
    return row.user if row is not None else None


class BearerToken(HttpBearer):
    """``Authorization: Bearer cs_…``. A token that is sent but not valid is refused at once
    (no fall-back to the session)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = row_for_token(token.strip())
        if row is None:
            raise DomainError(
                "invalid_token",
                "Mã truy cập API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
                status=401,
            )
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        return row.user


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


def token_scope(
    scope: str | Callable[[dict[str, Any]], str], *, doc: str | None = None
) -> Callable[[F], F]:
    """Declare the scope an operation needs from a token (default: ``read`` for GET, else
    ``write``), or a function of the operation's parameters giving it (then ``doc`` says it in
    the OpenAPI document). Put it under the router's decorator."""

    def mark(view: F) -> F:
        view.token_scope = scope  # type: ignore[attr-defined]
        view.token_scope_doc = doc  # type: ignore[attr-defined]
        return view

    return mark


def require_scope(request: HttpRequest, scope: str) -> None:
    """Refuse (403 ``insufficient_scope`` / ``second_factor_required``) a request made with a
    token that does not allow ``scope``; sessions are not concerned."""
    row = getattr(request, "api_token", None)
    if row is None:
        return
    refusal = scope_refusal(row, scope)
    if refusal is not None:
        raise refusal


def enforce_token_scope(view: Callable[..., Any]) -> Callable[..., Any]:
    """API-wide decorator: the scope an operation needs (:func:`token_scope`, else by method)
    is checked before the handler runs."""
    declared = getattr(view, "token_scope", None)

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if callable(declared):
            scope = declared(kwargs)
        else:
            scope = declared or (READ if request.method in SAFE_METHODS else WRITE)
        require_scope(request, scope)
        return view(request, *args, **kwargs)

    return checked
