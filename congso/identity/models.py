"""National sign-in: the national accounts linked to users, the nonces already used, and the
level of assurance the procedures require (a rule with an effective date)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Provider(models.TextChoices):
    VNEID = "vneid", "VNeID"
    DVCQG = "dvcqg", "Cổng Dịch vụ công quốc gia"


class NationalAccount(models.Model):
    """A national account (the provider's ``sub``) linked to a user, on the personal ID."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="national_accounts",
    )
    provider = models.CharField("nhà cung cấp", max_length=10, choices=Provider.choices)
    subject = models.CharField("mã tài khoản (sub)", max_length=255)
    personal_id = models.CharField("số định danh cá nhân", max_length=12)
    level = models.PositiveSmallIntegerField("mức xác thực lần gần nhất", default=1)
    linked_at = models.DateTimeField("liên kết lúc", auto_now_add=True)
    last_login_at = models.DateTimeField("đăng nhập gần nhất", null=True, blank=True)

    class Meta:
        verbose_name = "tài khoản định danh quốc gia"
        verbose_name_plural = "tài khoản định danh quốc gia"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_account_sub"),
            models.UniqueConstraint(
                fields=["provider", "personal_id"], name="identity_account_personal_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.subject}"


class UsedNonce(models.Model):
    """The nonces of the ID tokens already accepted: a token replayed is refused. Kept until
    the token would have expired anyway (``identity.services.purge_nonces``)."""

    provider = models.CharField("nhà cung cấp", max_length=10, choices=Provider.choices)
    digest = models.CharField("SHA-256 của nonce", max_length=64)
    expires_at = models.DateTimeField("hết hạn lúc")

    class Meta:
        verbose_name = "nonce đã dùng"
        verbose_name_plural = "nonce đã dùng"
        constraints = [
            models.UniqueConstraint(fields=["provider", "digest"], name="identity_nonce_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.digest[:12]}"


class AssuranceRule(models.Model):
    """The level of assurance (mức xác thực tài khoản định danh điện tử, ND 69/2024) a
    procedure requires from a given date: a citizen signed in at a lower level is asked to step
    up when starting it online, not at login."""

    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name="thủ tục",
        on_delete=models.CASCADE,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField("mức xác thực tối thiểu", choices=[(1, "1"), (2, "2")])
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True)
    legal_basis = models.CharField("căn cứ", max_length=200, blank=True)

    class Meta:
        verbose_name = "yêu cầu mức xác thực"
        verbose_name_plural = "yêu cầu mức xác thực"
        ordering = ["procedure", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.procedure_id}: mức {self.level} từ {self.valid_from}"
