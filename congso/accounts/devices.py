"""Browsers an account signed in from ("device cookies", OWASP's answer to lockouts that
anyone can trigger): after a completed sign-in the browser gets a signed cookie naming the
account and a random device id. Attempts that carry a valid one for the account tried are
counted on that device's own key, so failures from elsewhere (an attacker guessing a leader's
password) never delay the leader on their usual browser.

The cookie is signed with ``SECRET_KEY`` and holds a digest of the account's password hash: it
stops being valid when the password changes (or is reset), and after ``LOGIN_DEVICE_DAYS``.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpResponse

COOKIE = "congso_device"
SALT = "congso.accounts.device"


def _password_digest(user: Any) -> str:
    return hashlib.sha256(user.password.encode("utf-8")).hexdigest()[:16]


def issue(user: Any) -> str:
    return signing.dumps(
        {"u": user.pk, "d": secrets.token_urlsafe(16), "p": _password_digest(user)},
        salt=SALT,
        compress=True,
    )


def device_id(token: str | None, user: Any) -> str | None:
    """The device id when ``token`` is a valid cookie of ``user``; else None."""
    if not token or user is None:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.LOGIN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        return None
    if data.get("p") != _password_digest(user) or not isinstance(data.get("d"), str):
        return None
    return hashlib.sha256(data["d"].encode("ascii", "replace")).hexdigest()[:40]


def remember(response: HttpResponse, user: Any) -> None:
    """Give the browser its device cookie (after a completed sign-in)."""
    response.set_cookie(
        COOKIE,
        issue(user),
        max_age=settings.LOGIN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
