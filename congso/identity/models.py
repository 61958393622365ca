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
        indexes = [models.Index(fields=["expires_at"], name="identity_nonce_expiry")]

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


class LookupOutcome(models.TextChoices):
    FOUND = "found", "tìm thấy"
    CACHED = "cached", "dùng kết quả vừa tra"
    NOT_FOUND = "not_found", "không có số định danh"
    MISMATCH = "mismatch", "họ tên hoặc năm sinh không khớp"
    UNAVAILABLE = "unavailable", "hệ thống không trả lời"


class PopulationLookup(models.Model):
    """One use of a person's data from the national population database (CSDLQG về dân cư):
    who, when, why (the procedure, the dossier), the request id, the outcome. The person reads
    these on their page ("Ai đã tra cứu dữ liệu của tôi", ND 13/2023)."""

    personal_id = models.CharField("số định danh được tra cứu", max_length=12, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tra cứu",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(
        "tư cách",
        max_length=10,
        choices=[("citizen", "chính công dân"), ("officer", "cán bộ"), ("system", "hệ thống")],
    )
    actor_label = models.CharField("tên người tra cứu", max_length=255, blank=True)
    purpose = models.CharField("mục đích", max_length=255)
    procedure_code = models.CharField("mã thủ tục", max_length=30, blank=True)
    dossier_code = models.CharField("mã hồ sơ", max_length=40, blank=True)
    request_id = models.CharField("mã yêu cầu", max_length=64, unique=True)
    outcome = models.CharField("kết quả", max_length=12, choices=LookupOutcome.choices)
    at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lượt tra cứu CSDLQG về dân cư"
        verbose_name_plural = "lượt tra cứu CSDLQG về dân cư"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.request_id} ({self.outcome})"


class PopulationRecord(models.Model):
    """The last answer of the population database for a person, kept briefly
    (``CONGSO_POPULATION_CACHE_SECONDS``) so that one application does not ask it again and
    again. Never copied over the citizen's profile."""

    personal_id = models.CharField("số định danh", max_length=12, unique=True)
    data = models.JSONField("dữ liệu trả về")
    fetched_at = models.DateTimeField("tra lúc", db_index=True)

    class Meta:
        verbose_name = "kết quả CSDLQG về dân cư (tạm)"
        verbose_name_plural = "kết quả CSDLQG về dân cư (tạm)"

    def __str__(self) -> str:
        return self.personal_id


class NationalSession(models.Model):
    """A browser session opened by a national sign-in, so the provider's back-channel logout
    (OpenID Connect Back-Channel Logout 1.0) can end it: by ``sub`` (every session of the
    account) or by ``sid`` (the provider's session)."""

    provider = models.CharField("nhà cung cấp", max_length=10, choices=Provider.choices)
    subject = models.CharField("mã tài khoản (sub)", max_length=255)
    sid = models.CharField("mã phiên của nhà cung cấp (sid)", max_length=255, blank=True)
    session_key = models.CharField("phiên", max_length=40)
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phiên đăng nhập định danh"
        verbose_name_plural = "phiên đăng nhập định danh"
        indexes = [
            models.Index(fields=["provider", "subject"], name="identity_session_sub"),
            models.Index(fields=["provider", "sid"], name="identity_session_sid"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.session_key[:8]}"
