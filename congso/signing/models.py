"""What signing keeps of its own: the PAdES levels, the signature roles, and the officers'
signer profiles (which back-end holds the key and how the stamp reads). The documents signed
belong to the apps that sign them (the e-results of dossiers: :mod:`congso.results.models`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Level(models.TextChoices):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B", "PAdES B-B (chữ ký cơ bản)"
    B_T = "B-T", "PAdES B-T (có dấu thời gian)"
    B_LT = "B-LT", "PAdES B-LT (kèm dữ liệu kiểm tra chứng thư)"
    B_LTA = "B-LTA", "PAdES B-LTA (lưu trữ dài hạn)"


class SignatureRole(models.TextChoices):
    APPROVAL = "approval", "Lãnh đạo ký duyệt"
    SEAL = "seal", "Văn thư ký số cơ quan (đóng dấu)"


class AuthorityPrefix(models.TextChoices):
    """Signing on someone's behalf (ND 30/2020, Art. 13)."""

    NONE = "", "Ký trực tiếp"
    KT = "KT.", "KT. (ký thay)"
    TL = "TL.", "TL. (thừa lệnh)"
    TUQ = "TUQ.", "TUQ. (thừa ủy quyền)"


class SignerProfile(models.Model):
    """An officer's signing identity: which back-end holds the key and how the stamp reads."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ",
        on_delete=models.CASCADE,
        related_name="signer_profiles",
    )
    agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(
        "vai trò ký", max_length=10, choices=SignatureRole.choices, default=SignatureRole.APPROVAL
    )
    backend = models.CharField("nơi giữ khóa", max_length=20, default="soft_token")
    display_name = models.CharField("họ và tên trên con dấu", max_length=200)
    title = models.CharField("chức vụ", max_length=200)
    authority_prefix = models.CharField(
        "hình thức ký", max_length=5, choices=AuthorityPrefix.choices, blank=True
    )
    on_behalf_of = models.CharField(
        "ký thay / thừa lệnh cho (chức danh)", max_length=200, blank=True
    )
    config = models.JSONField("cấu hình", default=dict, blank=True)
    certificate_pem = models.TextField("chứng thư số (PEM, ký từ xa)", blank=True)
    active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "hồ sơ chữ ký số"
        verbose_name_plural = "hồ sơ chữ ký số"
        ordering = ["agency_id", "display_name", "pk"]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.title}"


class PublicToken(models.Model):
    """The unguessable token of a stored document on the public verification page, for apps
    whose documents have no token of their own (the e-office's issued documents): ``kind``
    names the owner's kind of document (``eoffice.document``), ``object_id`` its key there."""

    kind = models.CharField("loại văn bản", max_length=40)
    object_id = models.PositiveBigIntegerField("mã trong ứng dụng sở hữu")
    token = models.CharField("mã xác thực công khai", max_length=64, unique=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "mã xác thực công khai"
        verbose_name_plural = "mã xác thực công khai"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="signing_token_per_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"
