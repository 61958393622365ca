"""Shared helpers for tests that log people in, with or without the second factor."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.accounts.models import User

PASSWORD = "mat-khau-du-dai-2026"


def make_user(username: str = "congdan", *, staff: bool = False, **extra: object) -> User:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=staff, **extra
    )
    assert isinstance(user, User)
    return user


def make_device(user: User, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=confirmed)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows right now for ``device``."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(current_code(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


def login_verified(client: Client, user: User, device: TOTPDevice) -> None:
    """Log ``user`` in as if they had passed the password and the TOTP steps."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
