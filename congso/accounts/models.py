from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Every person who logs in: citizens, officers, administrators.

    What a person may do comes from their role assignments (``org.RoleAssignment``); a citizen
    is a user with an applicant profile (``org.Citizen``).
    """

    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    failed_logins = models.PositiveIntegerField("số lần đăng nhập sai liên tiếp", default=0)
    locked_until = models.DateTimeField("khóa đến", null=True, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username


class LoginThrottle(models.Model):
    """Failed logins from one client address in the current window (the per-address throttle).

    Written only by ``accounts.services``; a row whose window has passed starts a new window on
    the next failure.
    """

    ip = models.GenericIPAddressField("địa chỉ IP", primary_key=True)
    failures = models.PositiveIntegerField("số lần sai trong cửa sổ", default=0)
    window_started = models.DateTimeField("bắt đầu cửa sổ")

    class Meta:
        verbose_name = "giới hạn đăng nhập theo địa chỉ"
        verbose_name_plural = "giới hạn đăng nhập theo địa chỉ"

    def __str__(self) -> str:
        return f"{self.ip}: {self.failures}"
