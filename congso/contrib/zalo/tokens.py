"""The OA access token: seeded from the environment, refreshed with the single-use refresh
token, kept encrypted in :class:`~congso.contrib.zalo.models.OaToken` (Fernet, key derived from
``SECRET_KEY``; a row that no longer decrypts is seeded again from the environment).

The refresh makes no HTTP call inside a transaction (a SQLite write lock would be held through
it): the worker that refreshes records the new pair only if the row still holds the refresh
token it used; a worker that lost that race (Zalo refuses the used token) takes the pair the
winner recorded."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.contrib.zalo import client
from congso.contrib.zalo.models import OaToken

#: Refresh this long before Zalo's expiry (the clock of the worker and Zalo's may differ).
MARGIN = timedelta(minutes=5)


def _fernet() -> Fernet:
    key = hashlib.sha256(b"congso.contrib.zalo.tokens:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def _open(value: str) -> str | None:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        return None


def _seed() -> str:
    pair = f"{settings.ZALO_ACCESS_TOKEN}\n{settings.ZALO_REFRESH_TOKEN}"
    return hashlib.sha256(pair.encode()).hexdigest()


@dataclass(frozen=True)
class Current:
    access_token: str
    refresh_token: str
    expires_at: datetime | None


def current() -> Current:
    """The tokens in use, seeding (or re-seeding) the row from the environment when needed.
    The common case is one read, no lock."""
    row = OaToken.objects.filter(app_id=settings.ZALO_APP_ID).first()
    if row is not None and row.seed == _seed():
        access, refresh = _open(row.access_token), _open(row.refresh_token)
        if access is not None and refresh is not None:
            return Current(access, refresh, row.expires_at)
    with transaction.atomic():
        row, created = OaToken.objects.select_for_update().get_or_create(
            app_id=settings.ZALO_APP_ID
        )
        access, refresh = _open(row.access_token), _open(row.refresh_token)
        if created or row.seed != _seed() or access is None or refresh is None:
            row.access_token = _seal(settings.ZALO_ACCESS_TOKEN)
            row.refresh_token = _seal(settings.ZALO_REFRESH_TOKEN)
            row.expires_at, row.seed, row.last_error = None, _seed(), ""
            row.save()
            record(
                actor=None,
                action="zalo.token.seed",
                target=row,
                after={"app_id": row.app_id, "from": "environment"},
            )
            access, refresh = settings.ZALO_ACCESS_TOKEN, settings.ZALO_REFRESH_TOKEN
    return Current(access, refresh, row.expires_at)


def access_token() -> str:
    """A usable access token: the current one, or a fresh one when it is about to expire."""
    now = current()
    if now.expires_at is not None and now.expires_at - MARGIN <= timezone.now():
        return refresh(stale=now.access_token)
    return now.access_token


def refresh(*, stale: str) -> str:
    """A new access token, ``stale`` having been refused or expired. Raises
    :class:`client.RefreshFailed` (the refresh token is no good) or
    :class:`client.ZaloUnavailable`."""
    used = current()
    if used.access_token != stale and used.access_token:
        return used.access_token  # another worker refreshed meanwhile
    if not used.refresh_token:
        raise client.RefreshFailed(
            "Chưa cấu hình refresh token của OA (CONGSO_ZALO_REFRESH_TOKEN)."
        )
    try:
        tokens = client.refresh(refresh_token=used.refresh_token)
    except client.RefreshFailed as exc:
        after = current()
        if after.refresh_token != used.refresh_token:
            return after.access_token  # lost the race: the winner's pair is recorded
        _record_error(str(exc))
        raise
    with transaction.atomic():
        # A refresh token is single use, so no other refresh with ``used`` succeeded meanwhile:
        # the pair Zalo just issued is the current one.
        row = OaToken.objects.select_for_update().get(app_id=settings.ZALO_APP_ID)
        now = timezone.now()
        row.access_token, row.refresh_token = (
            _seal(tokens.access_token),
            _seal(tokens.refresh_token),
        )
        row.expires_at = now + timedelta(seconds=tokens.expires_in) if tokens.expires_in else None
        row.refreshed_at, row.refreshes, row.last_error = now, row.refreshes + 1, ""
        row.save()
        record(
            actor=None,
            action="zalo.token.refresh",
            target=row,
            after={
                "app_id": row.app_id,
                "expires_at": row.expires_at.isoformat() if row.expires_at else None,
            },
        )
    return tokens.access_token


def _record_error(reason: str) -> None:
    with transaction.atomic():
        row = OaToken.objects.select_for_update().get(app_id=settings.ZALO_APP_ID)
        row.last_error = reason[:2000]
        row.save(update_fields=["last_error", "updated_at"])
        record(
            actor=None,
            action="zalo.token.refresh_failed",
            target=row,
            after={"error": reason[:200]},
        )
