"""Login with lockout, the officer second factor (TOTP) and account administration.

The one write path for accounts: views, the admin login form and admin actions call these
functions; each writes its audit event in the transaction of its change.

Lockout, without check-then-act races: before a password (or a second-factor code) is checked,
the attempt takes one of the ``settings.LOGIN_MAX_FAILURES`` slots with one conditional
statement, ``UPDATE … SET failed_logins = failed_logins + 1 WHERE NOT locked AND failed_logins <
limit``. A wrong password leaves its slot taken; when all slots are taken the account is locked
(``locked_until = now + LOGIN_LOCKOUT_SECONDS``) and a new count starts. A completed login resets
the count. So however many requests arrive in parallel, at most ``LOGIN_MAX_FAILURES`` passwords
are checked per lock period, and while locked no password is checked at all (the right one is
refused too). For officers a login is complete only after the second factor: the right password
gives its slot back but does not reset the count that wrong codes build up.

Optional per-address throttle: ``settings.LOGIN_IP_MAX_FAILURES`` (0 = off) failures from one
client address within ``settings.LOGIN_LOCKOUT_SECONDS`` refuse further attempts from that
address until the window ends.
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.accounts.models import LoginThrottle, User
from congso.audit.services import record, snapshot
from congso.core.errors import DomainError
from congso.org.selectors import is_officer

INVALID_CREDENTIALS = "invalid_credentials"
ACCOUNT_LOCKED = "account_locked"
TOO_MANY_ATTEMPTS = "too_many_attempts"
INVALID_CODE = "invalid_code"
CODE_THROTTLED = "code_throttled"
NO_DEVICE = "no_device"
ALREADY_ENROLLED = "already_enrolled"

DEVICE_NAME = "Ứng dụng xác thực"


class LoginRefused(DomainError):
    status = 403


# --- reads ----------------------------------------------------------------------------------


def is_locked(user: User, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.locked_until is not None and user.locked_until > now


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


def locked_message(until: dt.datetime) -> str:
    # Shown rounded up to the minute, so "try again after 10:16" is never too early.
    local = timezone.localtime(until + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
    return gettext(
        "Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần liên tiếp. "
        "Vui lòng thử lại sau %(time)s ngày %(date)s."
    ) % {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}


def _locked_error(until: dt.datetime) -> LoginRefused:
    return LoginRefused(ACCOUNT_LOCKED, locked_message(until), status=403)


# --- counters -------------------------------------------------------------------------------


def _limit() -> int:
    return max(int(settings.LOGIN_MAX_FAILURES), 1)


def _not_locked(now: dt.datetime) -> models.Q:
    return models.Q(locked_until__isnull=True) | models.Q(locked_until__lte=now)


def _reserve_attempt(user: User, *, now: dt.datetime) -> bool:
    """Take a slot for one attempt (one UPDATE); False when locked or no slot is left."""
    taken = User.objects.filter(_not_locked(now), pk=user.pk, failed_logins__lt=_limit()).update(
        failed_logins=F("failed_logins") + 1
    )
    return taken == 1


def _release_attempt(user: User) -> None:
    """Give a slot back (right password of an officer who still owes the code)."""
    User.objects.filter(pk=user.pk, failed_logins__gt=0).update(
        failed_logins=F("failed_logins") - 1
    )


def _lock_if_exhausted(user: User, *, now: dt.datetime) -> bool:
    """Lock the account when every slot is used; True for the one call that locks it."""
    until = now + dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    locked = User.objects.filter(_not_locked(now), pk=user.pk, failed_logins__gte=_limit()).update(
        locked_until=until, failed_logins=0
    )
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    return locked == 1


def _reset_failures(user: User) -> None:
    User.objects.filter(pk=user.pk).exclude(failed_logins=0, locked_until=None).update(
        failed_logins=0, locked_until=None
    )
    user.failed_logins, user.locked_until = 0, None


def _take_attempt(user: User, *, now: dt.datetime, ip: str | None) -> None:
    """Reserve a slot for an attempt on ``user`` or raise the lock refusal (audited)."""
    for _ in range(2):
        if _reserve_attempt(user, now=now):
            return
        with transaction.atomic():
            # No slot: either locked, or every slot is held by attempts still running.
            tripped = _lock_if_exhausted(user, now=now)
            if tripped:
                record(
                    actor=AnonymousUser(),
                    action="accounts.login.lockout",
                    target=user,
                    after={"ip": ip, "locked_until": user.locked_until},
                )
            if is_locked(user, now=now):
                record(
                    actor=AnonymousUser(),
                    action="accounts.login.refused_locked",
                    target=user,
                    after={"ip": ip, "locked_until": user.locked_until},
                )
        if user.locked_until is not None and is_locked(user, now=now):
            raise _locked_error(user.locked_until)
        # A login completed in between and freed the slots: try once more.
    raise _too_many_attempts()


def _ip_limit() -> int:
    return int(settings.LOGIN_IP_MAX_FAILURES)


def _ip_window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def _ip_blocked(ip: str | None, *, now: dt.datetime) -> bool:
    limit = _ip_limit()
    if limit <= 0 or not ip:
        return False
    return LoginThrottle.objects.filter(
        ip=ip, failures__gte=limit, window_started__gt=_ip_window_start(now)
    ).exists()


def _ip_failure(ip: str | None, *, now: dt.datetime) -> bool:
    """Count a failure for ``ip``; True when this failure reaches the limit."""
    limit = _ip_limit()
    if limit <= 0 or not ip:
        return False
    window_start = _ip_window_start(now)
    LoginThrottle.objects.filter(window_started__lte=window_start).exclude(ip=ip).delete()
    LoginThrottle.objects.get_or_create(ip=ip, defaults={"failures": 0, "window_started": now})
    LoginThrottle.objects.filter(ip=ip, window_started__lte=window_start).update(
        failures=0, window_started=now
    )
    LoginThrottle.objects.filter(ip=ip).update(failures=F("failures") + 1)
    failures = LoginThrottle.objects.values_list("failures", flat=True).get(ip=ip)
    return failures == limit


def _failure(
    *, user: User | None, username: str, ip: str | None, action: str, now: dt.datetime
) -> None:
    """Audit one failed attempt (its slot stays taken) and lock when no slot is left."""
    ip_tripped = _ip_failure(ip, now=now)
    if user is None:
        record(actor=AnonymousUser(), action=action, after={"username": username[:150], "ip": ip})
    else:
        tripped = _lock_if_exhausted(user, now=now)
        record(
            actor=AnonymousUser(),
            action=action,
            target=user,
            after={"ip": ip, "failed_logins": user.failed_logins},
        )
        if tripped:
            record(
                actor=AnonymousUser(),
                action="accounts.login.lockout",
                target=user,
                after={"ip": ip, "locked_until": user.locked_until},
            )
    if ip_tripped:
        record(actor=AnonymousUser(), action="accounts.login.ip_throttled", after={"ip": ip})


def _too_many_attempts() -> LoginRefused:
    return LoginRefused(
        TOO_MANY_ATTEMPTS,
        gettext(
            "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng của bạn. Vui lòng thử lại sau ít phút."
        ),
        status=429,
    )


# --- login ----------------------------------------------------------------------------------


def login_attempt(
    *, username: str, password: str, ip: str | None, request: HttpRequest | None = None
) -> User:
    """Check a username and password; return the user or raise :class:`LoginRefused`.

    The caller logs the user in (``django.contrib.auth.login``). For officers the login is not
    complete until :func:`second_factor_verify` or :func:`second_factor_confirm` succeeds.
    """
    now = timezone.now()
    if _ip_blocked(ip, now=now):
        raise _too_many_attempts()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is not None:
        _take_attempt(user, now=now, ip=ip)
    authenticated = authenticate(request, username=username, password=password)
    if not isinstance(authenticated, User):
        with transaction.atomic():
            _failure(user=user, username=username, ip=ip, action="accounts.login.failure", now=now)
        if user is not None and user.locked_until is not None and is_locked(user, now=now):
            raise _locked_error(user.locked_until)
        raise LoginRefused(
            INVALID_CREDENTIALS, gettext("Tên đăng nhập hoặc mật khẩu không đúng."), status=403
        )
    needs_code = second_factor_required(authenticated)
    with transaction.atomic():
        if not needs_code:
            _reset_failures(authenticated)
        elif user is not None and user.pk == authenticated.pk:
            _release_attempt(authenticated)
        record(
            actor=authenticated,
            action="accounts.login.success",
            target=authenticated,
            after={"ip": ip, "second_factor": "required" if needs_code else "not_required"},
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
    if _ip_blocked(ip, now=now):
        raise _too_many_attempts()
    _take_attempt(user, now=now, ip=ip)
    with transaction.atomic():
        locked_device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        # django-otp's own back-off after wrong codes; a refused wait is not a failure.
        allowed, _ = locked_device.verify_is_allowed()
        if allowed and locked_device.verify_token(token.strip()):
            if not locked_device.confirmed:
                locked_device.confirmed = True
                locked_device.save(update_fields=["confirmed"])
            _reset_failures(user)
            record(
                actor=user,
                action=success_action,
                target=user,
                after={"ip": ip, "device": locked_device.name},
            )
            return locked_device
        if allowed:
            _failure(
                user=user,
                username=user.get_username(),
                ip=ip,
                action="accounts.otp.failure",
                now=now,
            )
        else:
            _release_attempt(user)
    if not allowed:
        raise LoginRefused(
            CODE_THROTTLED,
            gettext("Bạn vừa nhập sai mã. Vui lòng chờ vài giây rồi thử lại."),
            status=429,
        )
    if user.locked_until is not None and is_locked(user, now=now):
        raise _locked_error(user.locked_until)
    raise LoginRefused(
        INVALID_CODE,
        gettext("Mã xác thực không đúng hoặc đã hết hạn."),
        field="code",
        status=403,
    )


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
    """Lift a lockout now. Returns False when the account was not locked."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.failed_logins == 0 and locked.locked_until is None:
            return False
        before = snapshot(locked, ["failed_logins", "locked_until"])
        _reset_failures(locked)
        record(
            actor=actor,
            action="accounts.user.unlock",
            target=locked,
            before=before,
            after=snapshot(locked, ["failed_logins", "locked_until"]),
        )
    user.failed_logins, user.locked_until = 0, None
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
