from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Every person who logs in: citizens, officers, administrators.

    What a person may do comes from their role assignments (``org.RoleAssignment``); a citizen
    is a user with an applicant profile (``org.Citizen``).
    """

    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username


class Throttle(models.Model):
    """Failed attempts counted against one key, and until when the next attempt must wait
    (``congso.accounts.throttle``, the only writer). Keys: ``address:<ip>``, ``account:<hmac of
    the name tried>`` (attempts from browsers the account does not know), ``device:<hmac>`` (one
    browser the account signed in from before), ``code:<user id>`` (second-factor codes),
    ``reset:…`` (password reset requests)."""

    class Kind(models.TextChoices):
        ADDRESS = "address", "địa chỉ mạng"
        ACCOUNT = "account", "tài khoản (từ trình duyệt lạ)"
        DEVICE = "device", "tài khoản (trên trình duyệt quen)"
        CODE = "code", "mã xác thực hai lớp"
        RESET = "reset", "yêu cầu đặt lại mật khẩu"

    key = models.CharField("khóa đếm", max_length=100, primary_key=True)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    failures = models.PositiveIntegerField("số lần sai", default=0)
    window_started = models.DateTimeField("bắt đầu đếm")
    last_failure_at = models.DateTimeField("lần sai gần nhất", null=True, blank=True)
    blocked_until = models.DateTimeField("phải chờ đến", null=True, blank=True)
    announced = models.BooleanField("đã ghi nhật ký", default=False)

    class Meta:
        verbose_name = "giới hạn số lần thử"
        verbose_name_plural = "giới hạn số lần thử"
        indexes = [models.Index(fields=["kind", "window_started"], name="accounts_throttle_age")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.failures}"


class PasswordResetCode(models.Model):
    """A one-time code sent by SMS to reset a password (``congso.accounts.recovery``). Only an
    HMAC of the code is stored; it is valid for ten minutes and a few tries, and used once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="+",
    )
    code_hash = models.CharField("HMAC của mã", max_length=64)
    created_at = models.DateTimeField("tạo lúc")
    expires_at = models.DateTimeField("hết hạn lúc")
    attempts = models.PositiveSmallIntegerField("số lần nhập", default=0)
    used_at = models.DateTimeField("dùng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã đặt lại mật khẩu (SMS)"
        verbose_name_plural = "mã đặt lại mật khẩu (SMS)"
        indexes = [models.Index(fields=["user", "expires_at"], name="accounts_resetcode_user")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


# API access tokens. Only the SHA-256 of a token is stored; the token itself is shown once.
class ApiToken(models.Model):
    """A bearer token for an API client or an officer's tool (``Authorization: Bearer …``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("tên (mục đích)", max_length=100)
    key_hash = models.CharField("SHA-256 của mã", max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        "đầu mã", max_length=12, editable=False, help_text="Để nhận ra mã, không đủ để dùng."
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    scopes = models.JSONField(
        "phạm vi",
        default=list,
        help_text="read (đọc), write (thao tác), approve (quyết định: hoàn thành, từ chối), "
        "sign (ký số).",
    )
    second_factor_at = models.DateTimeField(
        "cấp sau xác thực hai lớp lúc",
        null=True,
        blank=True,
        help_text="Chỉ mã được cấp ngay sau khi kiểm tra mã OTP mới được duyệt và ký số.",
    )

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        ordering = ["-created_at"]
        db_table = "api_apitoken"  # created by the api app (moved here, issue 14 layers)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
