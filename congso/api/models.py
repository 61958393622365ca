"""API access tokens. Only the SHA-256 of a token is stored; the token itself is shown once."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
