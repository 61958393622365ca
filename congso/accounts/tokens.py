"""API tokens: issue, list, revoke, and what a token may do (issue 13 item 5).

A token is ``cs_`` followed by 43 URL-safe characters; only its SHA-256 is stored
(:class:`~congso.api.models.ApiToken`), so a leaked database does not leak usable tokens.

* **Scopes.** ``read`` (every GET), ``write`` (every other operation), ``approve`` (the
  decisions with legal effect: complete, refuse), ``sign`` (signing results). A token does only
  what its scopes name.
* **Expiry.** Every token expires: ``API_TOKEN_DAYS`` by default, ``API_TOKEN_MAX_DAYS`` at most,
  and ``API_TOKEN_STRONG_HOURS`` at most for a token with ``approve`` or ``sign``.
* **Second factor.** For officers (who must pass TOTP on every page), ``approve`` and ``sign``
  are granted only to a token issued right after a second-factor check, marked with
  ``second_factor_at``; the mark is checked again whenever such a scope is used, so a token
  issued otherwise (``manage.py api_token``, tokens from before) can never approve or sign.
* **Owners** list their tokens and revoke them (``/tai-khoan/ma-truy-cap/`` and
  ``/api/v1/auth/tokens``). Every issue and revocation is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from congso.accounts.models import ApiToken
from congso.accounts.services import second_factor_required
from congso.audit.services import record
from congso.core.errors import DomainError, NotFound

TOKEN_PREFIX = "cs_"  # noqa: S105 (a public prefix, not a secret)
#: ``last_used_at`` is written at most this often per token.
TOUCH_EVERY = dt.timedelta(minutes=1)

READ, WRITE, APPROVE, SIGN = "read", "write", "approve", "sign"
SCOPES: dict[str, str] = {
    READ: "Đọc (xem hồ sơ, danh mục, kết quả)",
    WRITE: "Thao tác (nộp, tiếp nhận, chuyển, bổ sung…)",
    APPROVE: "Quyết định (hoàn thành, từ chối giải quyết)",
    SIGN: "Ký số kết quả",
}
#: Scopes that stand for a second-factor check.
STRONG = frozenset({APPROVE, SIGN})
#: Dossier actions that need the ``approve`` scope.
APPROVE_ACTIONS = frozenset({"complete", "refuse"})


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted({str(scope).strip() for scope in scopes})
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown or not chosen:
        raise DomainError(
            "invalid_scope",
            "Phạm vi phải gồm một hoặc nhiều giá trị: " + ", ".join(SCOPES) + ".",
            field="scopes",
        )
    return chosen


def needs_second_factor(user: Any, scopes: Iterable[str]) -> bool:
    """Whether a token of ``user`` with ``scopes`` must be marked by a second-factor check."""
    return bool(STRONG.intersection(scopes)) and second_factor_required(user)


def _expiry(expires_at: dt.datetime | None, scopes: list[str], now: dt.datetime) -> dt.datetime:
    strong = bool(STRONG.intersection(scopes))
    longest = (
        now + dt.timedelta(hours=settings.API_TOKEN_STRONG_HOURS)
        if strong
        else now + dt.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    )
    if expires_at is None:
        default = now + dt.timedelta(days=settings.API_TOKEN_DAYS)
        return min(default, longest)
    if expires_at <= now:
        raise DomainError(
            "invalid_expiry", "Thời điểm hết hạn phải ở tương lai.", field="expires_at"
        )
    if expires_at > longest + dt.timedelta(minutes=1):
        limit = (
            f"{settings.API_TOKEN_STRONG_HOURS} giờ với phạm vi duyệt hoặc ký số"
            if strong
            else f"{settings.API_TOKEN_MAX_DAYS} ngày"
        )
        raise DomainError(
            "expiry_too_long", f"Mã truy cập dùng được tối đa {limit}.", field="expires_at"
        )
    return min(expires_at, longest)


def token_create(
    *,
    actor: Any,
    user: Any,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None = None,
    second_factor: bool = False,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the token, which is never stored.

    ``second_factor``: the caller has just checked a TOTP code of ``user`` (the account page,
    ``POST /api/v1/auth/tokens`` with a code); required for ``approve``/``sign`` of officers."""
    label = (name or "").strip()[:100] or "API"
    chosen = _clean_scopes(scopes)
    if not user.is_active:
        raise DomainError("user_inactive", "Tài khoản đã bị khóa.", field="user")
    if needs_second_factor(user, chosen) and not second_factor:
        raise DomainError(
            "second_factor_required",
            "Mã truy cập có quyền duyệt hoặc ký số chỉ được cấp ngay sau khi xác thực hai lớp.",
            field="scopes",
            status=403,
        )
    now = timezone.now()
    expiry = _expiry(expires_at, chosen, now)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            name=label,
            key_hash=hash_token(token),
            prefix=token[:10],
            expires_at=expiry,
            scopes=chosen,
            second_factor_at=now if second_factor else None,
        )
        record(
            actor=actor,
            action="api.token.create",
            target=row,
            after={
                "user": user.pk,
                "name": label,
                "prefix": row.prefix,
                "scopes": chosen,
                "expires_at": expiry,
                "second_factor": second_factor,
            },
        )
    return row, token


def token_revoke(*, actor: Any, token: ApiToken) -> bool:
    """Revoke ``token`` (once; False when it was already revoked)."""
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().get(pk=token.pk)
        if row.revoked_at is not None:
            return False
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        record(actor=actor, action="api.token.revoke", target=row, after={"prefix": row.prefix})
    token.revoked_at = row.revoked_at
    return True


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The owner's tokens, newest first (revoked and expired ones included, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def token_of(user: Any, token_id: int) -> ApiToken:
    row = ApiToken.objects.filter(user=user, pk=token_id).first()
    if row is None:
        raise NotFound("token_not_found", "Không có mã truy cập này.", field="id")
    return row


def token_revoke_own(*, user: Any, token_id: int) -> ApiToken:
    row = token_of(user, token_id)
    token_revoke(actor=user, token=row)
    return row


def is_usable(row: ApiToken, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        row.revoked_at is None
        and row.user.is_active
        and (row.expires_at is None or row.expires_at > now)
    )


def row_for_token(token: str) -> ApiToken | None:
    """The valid, unexpired, unrevoked token row (owner active); else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if row is None or not is_usable(row, now=now):
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def scope_refusal(row: ApiToken, scope: str) -> DomainError | None:
    """Why ``row`` may not be used for ``scope`` (403), or None."""
    if scope not in (row.scopes or []):
        return DomainError(
            "insufficient_scope",
            f"Mã truy cập này không có phạm vi «{scope}» ({SCOPES.get(scope, scope)}).",
            status=403,
        )
    if scope in STRONG and row.second_factor_at is None and second_factor_required(row.user):
        return DomainError(
            "second_factor_required",
            "Mã truy cập của cán bộ chỉ được duyệt hoặc ký số khi được cấp ngay sau xác thực "
            "hai lớp.",
            status=403,
        )
    return None
