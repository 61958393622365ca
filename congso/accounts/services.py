"""Sign-in with progressive delays, the officer second factor (TOTP), passwords and account
administration.

The one write path for accounts: views, the admin login form, the API and admin actions call
these functions; each writes its audit event in the transaction of its change.

Sign-in throttle (:mod:`congso.accounts.throttle`, no hard lock that anyone can trigger):

* every attempt on an account is reserved on a key *before* the password is checked: the
  account's own key for browsers it does not know (``account:<hmac of the name tried>``, whether
  or not the name exists, so answers do not reveal which names exist), or the key of the known
  browser it comes from (:mod:`congso.accounts.devices`). After ``LOGIN_FREE_FAILURES`` failures
  each further attempt waits 30 s, 1 min, 2 min … up to ``LOGIN_MAX_DELAY_SECONDS``; the right
  password clears the key. An attacker guessing a leader's password therefore delays only
  attempts from unknown browsers, never the leader on their usual one;
* failures from one client address are counted over every account (password spraying):
  ``LOGIN_IP_FREE_FAILURES`` within ``LOGIN_IP_WINDOW_SECONDS``, then the same progression
  (known browsers are not subject to it);
* second-factor codes have their own key per officer, with the same progression.

A refused attempt is answered with when to try again (status 429, ``retry_after`` seconds).
"""

from __future__ import annotations

import datetime as dt
import math
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.accounts import devices, throttle
from congso.accounts.models import Throttle, User
from congso.audit.services import record
from congso.core.errors import DomainError
from congso.org.selectors import is_officer

INVALID_CREDENTIALS = "invalid_credentials"
TOO_MANY_ATTEMPTS = "too_many_attempts"
ADDRESS_THROTTLED = "address_throttled"
INVALID_CODE = "invalid_code"
CODE_THROTTLED = "code_throttled"
NO_DEVICE = "no_device"
ALREADY_ENROLLED = "already_enrolled"

DEVICE_NAME = "Ứng dụng xác thực"
Kind = Throttle.Kind


class LoginRefused(DomainError):
    status = 403


# --- rules and keys -------------------------------------------------------------------------


def account_rule() -> throttle.Rule:
    return throttle.Rule(
        free=settings.LOGIN_FREE_FAILURES,
        delay=settings.LOGIN_DELAY_SECONDS,
        cap=settings.LOGIN_MAX_DELAY_SECONDS,
        window=settings.LOGIN_WINDOW_SECONDS,
    )


def address_rule() -> throttle.Rule:
    return throttle.Rule(
        free=settings.LOGIN_IP_FREE_FAILURES,
        delay=settings.LOGIN_DELAY_SECONDS,
        cap=settings.LOGIN_MAX_DELAY_SECONDS,
        window=settings.LOGIN_IP_WINDOW_SECONDS,
    )


def _digest(value: str) -> str:
    return salted_hmac("congso.accounts.throttle", value).hexdigest()[:40]


def account_key(username: str) -> str:
    """The key of a name as typed (case-folded): the same for every case variant, and a digest,
    so a password typed into the name field is not stored."""
    return f"account:{_digest(username.strip().casefold())}"


def address_key(ip: str) -> str:
    return f"address:{ip}"


def code_key(user: User) -> str:
    return f"code:{user.pk}"


# --- reads ----------------------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """Officers (staff, or anyone with a current role) confirm a TOTP code after the password."""
    if not settings.OFFICER_2FA_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return bool(is_officer(user))


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def device_secret(device: TOTPDevice) -> str:
    """The base32 secret people type into an authenticator app, in groups of four."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def delayed_until(user: User, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The latest time until which attempts on ``user`` wait (any key), or None."""
    now = now or timezone.now()
    until = (
        Throttle.objects.filter(user=user, blocked_until__gt=now)
        .order_by("-blocked_until")
        .values_list("blocked_until", flat=True)
        .first()
    )
    return until


def wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d giây", "%(n)d giây", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes}


def retry_message(until: dt.datetime, now: dt.datetime, *, address: bool = False) -> str:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    local = timezone.localtime(until + dt.timedelta(microseconds=999_999)).replace(microsecond=0)
    values = {"wait": wait_text(seconds), "time": local.strftime("%H:%M:%S")}
    if address:
        return (
            gettext(
                "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn. Vui lòng thử lại sau "
                "%(wait)s (lúc %(time)s)."
            )
            % values
        )
    return (
        gettext(
            "Bạn đã nhập sai nhiều lần. Để bảo vệ tài khoản, vui lòng thử lại sau %(wait)s "
            "(lúc %(time)s)."
        )
        % values
    )


def _throttled(
    code: str, until: dt.datetime, now: dt.datetime, *, address: bool = False
) -> LoginRefused:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return LoginRefused(
        code, retry_message(until, now, address=address), status=429, retry_after=seconds
    )


# --- sign-in --------------------------------------------------------------------------------


def _record_delays(
    *, key: str, kind: str, user: User | None, ip: str | None, now: dt.datetime
) -> None:
    """Audit, once per key and window, that its attempts now wait."""
    rule = address_rule() if kind == Kind.ADDRESS else account_rule()
    if not throttle.announce(key, rule):
        return
    until = throttle.blocked(key, rule, now=now)
    if kind == Kind.ADDRESS:
        record(
            actor=AnonymousUser(),
            action="accounts.login.ip_throttled",
            after={"ip": ip, "until": until},
        )
    else:
        record(
            actor=AnonymousUser(),
            action="accounts.login.throttled",
            target=user,
            after={"ip": ip, "kind": kind, "until": until},
        )


def login_attempt(
    *,
    username: str,
    password: str,
    ip: str | None,
    device_token: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Check a username and password; return the user or raise :class:`LoginRefused`.

    ``device_token`` is the browser's device cookie, if any. The caller logs the user in
    (``django.contrib.auth.login``) and, once the sign-in is complete, gives the browser its
    device cookie (:func:`congso.accounts.devices.remember`). For officers the sign-in is not
    complete until :func:`second_factor_verify` or :func:`second_factor_confirm` succeeds.
    """
    now = timezone.now()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    device = devices.device_id(device_token, user)
    if device is None:
        if ip:
            until = throttle.blocked(address_key(ip), address_rule(), now=now)
            if until is not None:
                raise _throttled(ADDRESS_THROTTLED, until, now, address=True)
        key, kind = account_key(username), Kind.ACCOUNT
    else:
        key, kind = f"device:{device}", Kind.DEVICE
    until = throttle.take(key, kind, account_rule(), now=now, user_id=user.pk if user else None)
    if until is not None:
        raise _throttled(TOO_MANY_ATTEMPTS, until, now)
    authenticated = authenticate(request, username=username, password=password)
    if not isinstance(authenticated, User):
        with transaction.atomic():
            if device is None and ip:
                throttle.fail(address_key(ip), Kind.ADDRESS, address_rule(), now=now)
            if user is None:
                record(
                    actor=AnonymousUser(),
                    action="accounts.login.failure",
                    after={"username": username[:150], "ip": ip},
                )
            else:
                record(
                    actor=AnonymousUser(),
                    action="accounts.login.failure",
                    target=user,
                    after={"ip": ip, "kind": kind, "failures": throttle.failures(key)},
                )
            _record_delays(key=key, kind=kind, user=user, ip=ip, now=now)
            if device is None and ip:
                _record_delays(key=address_key(ip), kind=Kind.ADDRESS, user=None, ip=ip, now=now)
        message = gettext("Tên đăng nhập hoặc mật khẩu không đúng.")
        next_at = throttle.blocked(key, account_rule(), now=now)
        if next_at is not None:
            message += " " + retry_message(next_at, now)
        raise LoginRefused(INVALID_CREDENTIALS, message, status=403)
    needs_code = second_factor_required(authenticated)
    with transaction.atomic():
        # The right password: this key's count starts again (codes keep their own).
        throttle.clear(key)
        record(
            actor=authenticated,
            action="accounts.login.success",
            target=authenticated,
            after={
                "ip": ip,
                "second_factor": "required" if needs_code else "not_required",
                "known_browser": device is not None,
            },
        )
    return authenticated


def logout_record(*, user: Any, ip: str | None) -> None:
    if getattr(user, "is_authenticated", False):
        with transaction.atomic():
            record(actor=user, action="accounts.logout", target=user, after={"ip": ip})


# --- second factor --------------------------------------------------------------------------


def _check_code(
    *, user: User, device: TOTPDevice, token: str, ip: str | None, success_action: str
) -> TOTPDevice:
    now = timezone.now()
    # django-otp's own back-off after wrong codes (1 s, 2 s, 4 s …): a refused wait is not a
    # failure and takes no attempt.
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise LoginRefused(
            CODE_THROTTLED,
            gettext("Bạn vừa nhập sai mã. Vui lòng chờ vài giây rồi thử lại."),
            status=429,
            retry_after=1,
        )
    key = code_key(user)
    until = throttle.take(key, Kind.CODE, account_rule(), now=now, user_id=user.pk)
    if until is not None:
        raise _throttled(CODE_THROTTLED, until, now)
    with transaction.atomic():
        locked_device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked_device.verify_token(token.strip()):
            if not locked_device.confirmed:
                locked_device.confirmed = True
                locked_device.save(update_fields=["confirmed"])
            throttle.clear(key)
            record(
                actor=user,
                action=success_action,
                target=user,
                after={"ip": ip, "device": locked_device.name},
            )
            return locked_device
        record(
            actor=user,
            action="accounts.otp.failure",
            target=user,
            after={"ip": ip, "failures": throttle.failures(key)},
        )
        if throttle.announce(key, account_rule()):
            record(
                actor=user,
                action="accounts.otp.throttled",
                target=user,
                after={"ip": ip, "until": throttle.blocked(key, account_rule(), now=now)},
            )
    message = gettext("Mã xác thực không đúng hoặc đã hết hạn.")
    next_at = throttle.blocked(key, account_rule(), now=now)
    if next_at is not None:
        message += " " + retry_message(next_at, now)
    raise LoginRefused(INVALID_CODE, message, field="code", status=403)


def second_factor_verify(*, user: User, token: str, ip: str | None) -> TOTPDevice:
    """Check a code from the user's confirmed device; the caller then calls ``django_otp.login``."""
    device = confirmed_device(user)
    if device is None:
        raise LoginRefused(NO_DEVICE, gettext("Bạn chưa đăng ký ứng dụng xác thực."), status=409)
    return _check_code(
        user=user, device=device, token=token, ip=ip, success_action="accounts.otp.success"
    )


def second_factor_enrollment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device an officer is enrolling (created on first call).

    Refused once a confirmed device exists: adding another device then needs an administrator
    to reset the second factor first, so a stolen password cannot enrol a new phone.
    """
    if confirmed_device(user) is not None:
        raise LoginRefused(
            ALREADY_ENROLLED, gettext("Tài khoản đã có ứng dụng xác thực."), status=409
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def second_factor_confirm(*, user: User, token: str, ip: str | None) -> TOTPDevice:
    """Confirm enrolment with a first code from the new device."""
    device = second_factor_enrollment_device(user=user)
    return _check_code(
        user=user, device=device, token=token, ip=ip, success_action="accounts.otp.enroll"
    )


# --- administration -------------------------------------------------------------------------


def account_unlock(*, actor: User, user: User) -> bool:
    """Lift every sign-in delay of ``user`` now (its account, known-browser and code keys).
    Returns False when nothing was counted."""
    with transaction.atomic():
        rows = list(
            Throttle.objects.select_for_update()
            .filter(user=user)
            .values("kind", "failures", "blocked_until")
        )
        if not rows:
            return False
        Throttle.objects.filter(user=user).delete()
        record(
            actor=actor,
            action="accounts.user.unlock",
            target=user,
            before={"throttles": rows},
            after={"throttles": []},
        )
    return True


def second_factor_reset(*, actor: User, user: User) -> int:
    """Remove every TOTP device of ``user`` (lost phone): they enrol again at the next login."""
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=user).values_list("name", "confirmed"))
        if not devices:
            return 0
        TOTPDevice.objects.filter(user=user).delete()
        record(
            actor=actor,
            action="accounts.otp.reset",
            target=user,
            before={"devices": [{"name": n, "confirmed": c} for n, c in devices]},
            after={"devices": []},
        )
    return len(devices)


def user_record_admin_save(
    *,
    actor: User,
    user: User,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    created: bool,
) -> None:
    """Audit a user created or changed through the administration (in its transaction)."""
    record(
        actor=actor,
        action="accounts.user.create" if created else "accounts.user.update",
        target=user,
        before=before,
        after=after,
    )


def user_record_password_set(*, actor: User, user: User) -> None:
    """Audit a password set by an administrator (the password itself is never logged)."""
    record(actor=actor, action="accounts.user.password_set", target=user)


def user_delete(*, actor: User, user: User, before: dict[str, Any]) -> None:
    with transaction.atomic():
        record(actor=actor, action="accounts.user.delete", target=user, before=before)
        user.delete()
