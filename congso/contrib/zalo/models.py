"""The Official Account's tokens (refreshed, single-use refresh token) and the ZNS message ids
of each attempt (to match Zalo's delivery callbacks)."""

from __future__ import annotations

from django.db import models


class OaToken(models.Model):
    """The current access and refresh token of the OA, encrypted (``tokens.py``). One row per
    Zalo app id. ``seed`` is a fingerprint of the environment's tokens the row was last seeded
    from: a new pair in the environment (the app was re-authorised) replaces the row's."""

    app_id = models.CharField("mã ứng dụng Zalo", max_length=64, unique=True)
    access_token = models.TextField("access token (mã hóa)", blank=True)
    refresh_token = models.TextField("refresh token (mã hóa)", blank=True)
    expires_at = models.DateTimeField("access token hết hạn lúc", null=True, blank=True)
    seed = models.CharField("dấu của token cấu hình", max_length=64, blank=True)
    refreshed_at = models.DateTimeField("làm mới lúc", null=True, blank=True)
    refreshes = models.PositiveIntegerField("số lần làm mới", default=0)
    last_error = models.TextField("lỗi làm mới gần nhất", blank=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    class Meta:
        verbose_name = "token Official Account Zalo"
        verbose_name_plural = "token Official Account Zalo"

    def __str__(self) -> str:
        return f"OA app {self.app_id}"


class ZnsSend(models.Model):
    """One attempt of one message accepted by Zalo: the ``msg_id`` Zalo returned and the
    ``tracking_id`` we sent (``<message key hex>-<attempt>``), so the delivery callback finds
    the message and the attempt (a duplicate after a timeout is then counted as such)."""

    message = models.ForeignKey(
        "notify.Message", verbose_name="tin", on_delete=models.CASCADE, related_name="zns_sends"
    )
    attempt = models.PositiveSmallIntegerField("lần gửi")
    msg_id = models.CharField("msg_id (Zalo)", max_length=64, unique=True)
    tracking_id = models.CharField("tracking_id", max_length=48)
    sent_at = models.DateTimeField("Zalo nhận lúc")

    class Meta:
        verbose_name = "lần gửi ZNS"
        verbose_name_plural = "lần gửi ZNS"
        ordering = ["message_id", "attempt"]

    def __str__(self) -> str:
        return f"{self.msg_id} ({self.message_id} #{self.attempt})"
