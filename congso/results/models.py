"""Electronic results of dossiers: per-procedure result templates, the results themselves
(stored file + SHA-256), one record per signature applied, the external signing sessions and
the register numbers a result takes. The signer profiles and the PAdES levels are signing's
(:mod:`congso.signing.models`).

The models were signing's until December 2026 and keep their tables (``signing_*``: results
0001 took them over without touching the database)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from congso.signing.models import Level, SignatureRole, SignerProfile


class TemplateKind(models.TextChoices):
    """Which official document the result is (``congso.printing.eresults``)."""

    BIRTH_EXTRACT = "birth_extract", "Trích lục khai sinh (TT 04/2020/TT-BTP)"
    DEATH_EXTRACT = "death_extract", "Trích lục khai tử (TT 04/2020/TT-BTP)"
    MARRIAGE_EXTRACT = "marriage_extract", "Trích lục kết hôn (TT 04/2020/TT-BTP)"
    HOUSEHOLD_BUSINESS = "household_business", "Giấy chứng nhận đăng ký hộ kinh doanh"
    CERTIFICATE = "certificate", "Văn bản kết quả giải quyết chung"


class ResultTemplate(models.Model):
    """How the result of a procedure is rendered and signed."""

    procedure = models.OneToOneField(
        "catalog.Procedure",
        verbose_name="thủ tục",
        on_delete=models.CASCADE,
        related_name="result_template",
    )
    kind = models.CharField(
        "mẫu kết quả", max_length=20, choices=TemplateKind.choices, default=TemplateKind.CERTIFICATE
    )
    title = models.CharField("tên văn bản kết quả", max_length=200)
    level = models.CharField(
        "mức chữ ký PAdES", max_length=6, choices=Level.choices, default=Level.B_T
    )
    signature_roles = models.JSONField(
        "các chữ ký theo thứ tự",
        default=list,
        blank=True,
        help_text='Ví dụ ["approval", "seal"]: lãnh đạo ký trước (chữ ký chứng nhận), văn thư '
        "ký số cơ quan sau. Trống: chỉ lãnh đạo ký.",
    )
    legal_basis = models.CharField("căn cứ", max_length=300, blank=True)

    class Meta:
        db_table = "signing_resulttemplate"
        verbose_name = "mẫu kết quả điện tử"
        verbose_name_plural = "mẫu kết quả điện tử"

    def __str__(self) -> str:
        return f"{self.title} ({self.level})"

    def roles(self) -> list[str]:
        roles = [str(role) for role in (self.signature_roles or []) if role in SignatureRole.values]
        return roles or [SignatureRole.APPROVAL]


def result_path(instance: SignedResult, filename: str) -> str:
    dossier = instance.dossier
    return f"results/{dossier.submitted_at:%Y/%m}/{dossier.code}/{filename}"


def _token() -> str:
    return secrets.token_urlsafe(18)


class ResultStatus(models.TextChoices):
    PREPARED = "prepared", "Chờ ký"
    PARTIAL = "partial", "Đã ký một phần"
    SIGNED = "signed", "Đã ký số đầy đủ"


class SignedResult(models.Model):
    """An electronic result of a dossier: ``<dossier code>-KQ(n)``. The file is replaced by each
    signature (incremental updates keep the earlier revisions inside it); ``sha256`` is the hash
    of the stored file."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.PROTECT,
        related_name="signed_results",
    )
    number = models.PositiveSmallIntegerField("số thứ tự kết quả")
    code = models.CharField("mã kết quả", max_length=80, unique=True)
    title = models.CharField("tên văn bản", max_length=200)
    level = models.CharField("mức chữ ký PAdES", max_length=6, choices=Level.choices)
    roles = models.JSONField("các chữ ký cần có", default=list)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ResultStatus.choices, default=ResultStatus.PREPARED
    )
    file = models.FileField("tệp PDF", upload_to=result_path, max_length=300)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    public_token = models.CharField(
        "mã tra cứu công khai", max_length=40, unique=True, default=_token, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc")
    signed_at = models.DateTimeField("ký xong lúc", null=True, blank=True)
    content = models.JSONField(
        "nội dung văn bản",
        default=dict,
        blank=True,
        help_text="Nội dung in trong văn bản (để cán bộ xem trước khi ký đúng những gì tệp in).",
    )

    class Meta:
        db_table = "signing_signedresult"
        verbose_name = "kết quả điện tử"
        verbose_name_plural = "kết quả điện tử"
        ordering = ["dossier_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="signing_result_number")
        ]

    def __str__(self) -> str:
        return self.code

    def field_name(self, role: str) -> str:
        return f"Sig{self.roles.index(role) + 1}_{role}"

    def next_role(self) -> str | None:
        done = set(self.signatures.values_list("role", flat=True))
        return next((role for role in self.roles if role not in done), None)


class SignatureRecord(models.Model):
    """One signature applied to a result (who, with which certificate, at which level)."""

    result = models.ForeignKey(
        SignedResult, verbose_name="kết quả", on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField("vai trò ký", max_length=10, choices=SignatureRole.choices)
    field_name = models.CharField("trường chữ ký", max_length=60)
    certify = models.BooleanField("chữ ký chứng nhận (khóa văn bản)", default=False)
    profile = models.ForeignKey(
        SignerProfile, verbose_name="hồ sơ chữ ký", on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField("người ký", max_length=200)
    signer_title = models.CharField("chức vụ", max_length=200)
    certificate_subject = models.CharField("chủ thể chứng thư", max_length=500)
    certificate_serial = models.CharField("số hiệu chứng thư", max_length=80)
    level = models.CharField("mức chữ ký PAdES", max_length=6, choices=Level.choices)
    signed_at = models.DateTimeField("ký lúc")
    sha256_after = models.CharField("SHA-256 sau khi ký", max_length=64)

    class Meta:
        db_table = "signing_signaturerecord"
        verbose_name = "chữ ký số"
        verbose_name_plural = "chữ ký số"
        ordering = ["result_id", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["result", "role"], name="signing_record_role")
        ]

    def __str__(self) -> str:
        return f"{self.result.code} – {self.signer_name}"


class ExternalSigningSession(models.Model):
    """A document prepared for a signature made outside the server (hash-only signing): the
    prepared file waits here until the CMS signature comes back."""

    result = models.ForeignKey(
        SignedResult, verbose_name="kết quả", on_delete=models.CASCADE, related_name="+"
    )
    profile = models.ForeignKey(
        SignerProfile, verbose_name="hồ sơ chữ ký", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("vai trò ký", max_length=10, choices=SignatureRole.choices)
    token = models.CharField("mã phiên", max_length=40, unique=True, default=_token)
    prepared = models.BinaryField("tệp đã chuẩn bị")
    region_start = models.PositiveIntegerField("đầu vùng chữ ký")
    region_end = models.PositiveIntegerField("cuối vùng chữ ký")
    digest = models.CharField("SHA-256 phần được ký", max_length=64)
    based_on_sha256 = models.CharField("SHA-256 tệp gốc", max_length=64)
    created_at = models.DateTimeField("tạo lúc")
    finished_at = models.DateTimeField("hoàn tất lúc", null=True, blank=True)

    class Meta:
        db_table = "signing_externalsigningsession"
        verbose_name = "phiên ký từ xa"
        verbose_name_plural = "phiên ký từ xa"

    def __str__(self) -> str:
        return f"{self.result.code} – {self.role}"


class RegisterEntry(models.Model):
    """A number in one of an agency's registers of a year: the civil-status event
    (``KS``/``KT``/``KH``), the extracts issued (``TLKS-BS``…), the certificates (``GCN-HKD``).
    A dossier keeps its numbers when its result is prepared again."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    book = models.CharField("sổ", max_length=12)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="+"
    )
    entered_on = models.DateField("ngày ghi sổ")

    class Meta:
        db_table = "signing_registerentry"
        verbose_name = "số đăng ký"
        verbose_name_plural = "số đăng ký"
        ordering = ["agency_id", "book", "year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "book", "year", "number"], name="signing_register_number"
            ),
            models.UniqueConstraint(fields=["dossier", "book"], name="signing_register_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.number}/{self.year}"
