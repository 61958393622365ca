"""Passwords: change (signed in), reset by e-mail (Django's signed link) or by SMS (a short
one-time code), each through the notify outbox (the project's SMTP and Kannel providers).

* **No account enumeration.** A reset request answers the same whether or not an account has
  that address or number; the message goes out from the worker, so the answer's timing does not
  depend on it either.
* **Throttled.** Requests per address or number and per client address, and code entries per
  number, use the sign-in throttle's progressive delays (:mod:`congso.accounts.throttle`): no
  e-mail or SMS bombing, no guessing of the 6-digit code (five tries per code as well).
* **After a reset** every API token of the account is revoked, its sign-in delays are lifted,
  and its other sessions and known browsers stop working (both hold a digest of the password).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from congso.accounts import throttle
from congso.accounts.models import ApiToken, PasswordResetCode, Throttle, User
from congso.accounts.services import LoginRefused, retry_message
from congso.accounts.tokens import token_revoke
from congso.audit.services import record
from congso.core.errors import DomainError
from congso.notify.models import EventKind
from congso.notify.phone import normalise_phone
from congso.notify.services import message_direct

CODE_SECONDS = 600
CODE_TRIES = 5
RESET_THROTTLED = "reset_throttled"
INVALID_RESET_CODE = "invalid_reset_code"


def request_rule() -> throttle.Rule:
    """Reset requests: three per address or number, then 1 min, 2 min … at most an hour."""
    return throttle.Rule(free=3, delay=60, cap=3600, window=3600)


def address_rule() -> throttle.Rule:
    return throttle.Rule(free=10, delay=60, cap=3600, window=3600)


def code_rule() -> throttle.Rule:
    return throttle.Rule(
        free=CODE_TRIES, delay=settings.LOGIN_DELAY_SECONDS, cap=3600, window=CODE_SECONDS * 6
    )


def _digest(value: str) -> str:
    return salted_hmac("congso.accounts.recovery", value).hexdigest()


def _refused(until: dt.datetime, now: dt.datetime) -> LoginRefused:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    message = gettext("Bạn đã yêu cầu nhiều lần.") + " " + retry_message(until, now)
    return LoginRefused(RESET_THROTTLED, message, status=429, retry_after=seconds)


def _take_request(target: str, ip: str | None, now: dt.datetime) -> None:
    """Count one reset request for ``target`` (an address or a number) and for ``ip``."""
    keys = [(f"reset:{_digest(target)[:40]}", request_rule())]
    if ip:
        keys.append((f"reset-address:{ip}", address_rule()))
    for key, rule in keys:
        until = throttle.blocked(key, rule, now=now)
        if until is not None:
            raise _refused(until, now)
    for key, rule in keys:
        throttle.fail(key, Throttle.Kind.RESET, rule, now=now)


# --- e-mail ---------------------------------------------------------------------------------


def _users_by_email(email: str) -> list[User]:
    return [
        user
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password()
    ]


def reset_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def password_reset_request_email(*, email: str, ip: str | None, base_url: str) -> int:
    """Send a reset link to every active account with ``email``; returns how many (the page
    does not show it). Raises :class:`LoginRefused` (429) when asked too often."""

    now = timezone.now()
    _take_request(email.strip().casefold(), ip, now)
    users = _users_by_email(email)
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    with transaction.atomic():
        for user in users:
            context = {"user": user, "link": reset_link(user, base_url), "hours": hours}
            message_direct(
                kind=EventKind.PASSWORD_RESET,
                channel="email",
                recipient=user.email,
                subject=render_to_string("accounts/email/password_reset_subject.txt", context),
                body=render_to_string("accounts/email/password_reset.txt", context),
                body_html=render_to_string("accounts/email/password_reset.html", context),
            )
            record(
                actor=user,
                action="accounts.password.reset_requested",
                target=user,
                after={"channel": "email", "ip": ip},
            )
    return len(users)


# --- SMS ------------------------------------------------------------------------------------


def _same_number(stored: str, number: str) -> bool:
    try:
        return normalise_phone(stored) == number
    except DomainError:
        return False


def _users_by_phone(number: str) -> list[User]:
    """Active accounts whose own number or citizen profile's number is ``number`` (stored
    numbers are written in many ways: narrowed in SQL by the last two digits, compared
    normalised)."""
    tail = number[-2:]
    found = (
        User.objects.filter(Q(phone__endswith=tail) | Q(citizen__phone__endswith=tail))
        .filter(is_active=True)
        .select_related("citizen")
        .distinct()
    )
    matches = []
    for user in found:
        citizen = getattr(user, "citizen", None)
        stored = [user.phone, citizen.phone if citizen is not None else ""]
        matched = any(_same_number(value, number) for value in stored if value)
        if matched and user.has_usable_password():
            matches.append(user)
    return matches


def normalised_phone(raw: str) -> str:
    return normalise_phone(raw)


def password_reset_request_sms(*, phone: str, ip: str | None) -> int:
    """Send a one-time code by SMS to every active account with ``phone`` (the account's own
    number or its citizen profile's). Returns how many."""

    number = normalised_phone(phone)
    now = timezone.now()
    _take_request(number, ip, now)
    users = _users_by_phone(number)
    with transaction.atomic():
        for user in users:
            code = f"{secrets.randbelow(1_000_000):06d}"
            PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
            PasswordResetCode.objects.create(
                user=user,
                code_hash=_digest(f"{user.pk}:{code}"),
                created_at=now,
                expires_at=now + dt.timedelta(seconds=CODE_SECONDS),
            )
            body = render_to_string(
                "accounts/sms/password_reset.txt",
                {"user": user, "code": code, "minutes": CODE_SECONDS // 60},
            )
            message_direct(
                kind=EventKind.PASSWORD_RESET, channel="sms", recipient=number, body=body
            )
            record(
                actor=user,
                action="accounts.password.reset_requested",
                target=user,
                after={"channel": "sms", "ip": ip},
            )
    return len(users)


def password_reset_code_check(*, phone: str, code: str, ip: str | None) -> User:
    """The account whose current SMS code for ``phone`` is ``code``; the code is then used up.
    Raises ``invalid_reset_code`` (403) or the throttle's 429."""
    number = normalised_phone(phone)
    now = timezone.now()
    key = f"reset-code:{_digest(number)[:40]}"
    until = throttle.take(key, Throttle.Kind.RESET, code_rule(), now=now)
    if until is not None:
        raise _refused(until, now)
    entered = "".join(code.split())
    with transaction.atomic():
        candidates = list(
            PasswordResetCode.objects.select_for_update()
            .select_related("user")
            .filter(
                user__in=_users_by_phone(number),
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=CODE_TRIES,
            )
        )
        for row in candidates:
            if hmac.compare_digest(row.code_hash, _digest(f"{row.user_id}:{entered}")):
                row.used_at = now
                row.save(update_fields=["used_at"])
                throttle.clear(key)
                record(
                    actor=row.user,
                    action="accounts.password.reset_code_ok",
                    target=row.user,
                    after={"ip": ip},
                )
                return row.user
        PasswordResetCode.objects.filter(pk__in=[row.pk for row in candidates]).update(
            attempts=F("attempts") + 1
        )
    raise DomainError(
        INVALID_RESET_CODE,
        gettext("Mã không đúng hoặc đã hết hạn. Hãy kiểm tra tin nhắn, hoặc yêu cầu mã mới."),
        field="code",
        status=403,
    )


def confirm_url(user: User) -> str:
    """The set-password page for ``user`` (Django's signed link), after a right SMS code."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


# --- setting the password -------------------------------------------------------------------


def password_reset_complete(*, user: User, password: str, ip: str | None) -> int:
    """Set the new password after a reset; revoke every API token of the account and lift its
    sign-in delays. Returns how many tokens were revoked."""

    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        live = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
        for row in live:
            token_revoke(actor=user, token=row)
        Throttle.objects.filter(user=user).delete()
        record(
            actor=user,
            action="accounts.password.reset",
            target=user,
            after={"ip": ip, "tokens_revoked": len(live)},
        )
    return len(live)


def password_change(*, user: User, password: str, ip: str | None) -> None:
    """A signed-in user's new password (the form checked the old one and the rules)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor=user, action="accounts.password.change", target=user, after={"ip": ip})
