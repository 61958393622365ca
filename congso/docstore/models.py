"""The electronic data store of each citizen ("Giấy tờ của tôi", ND 45/2020 art. 16–17).

Two kinds of entries, both pointing at a file congso already holds (nothing is copied):

* the signed e-results the citizen received (a :class:`~congso.results.models.SignedResult`
  fully signed for a dossier whose applicant is the citizen), put in by the results' hook;
* papers an officer marked as digitised (số hóa) from a dossier's attachment, with the issuer,
  the number, the date of issue and the validity of the paper itself.

A later dossier can satisfy a component from the store instead of an upload; each use is a
:class:`DocumentReuse` row (the dossier records "reused from store"). The citizen may withdraw
the reuse of an entry (``reuse_allowed``) and allow it again; every change is audited.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class DocumentKind(models.TextChoices):
    RESULT = "result", "Kết quả giải quyết thủ tục hành chính điện tử"
    DIGITISED = "digitised", "Giấy tờ đã số hóa"


class StoredDocument(models.Model):
    citizen = models.ForeignKey(
        "org.Citizen",
        verbose_name="công dân",
        on_delete=models.CASCADE,
        related_name="stored_documents",
    )
    kind = models.CharField("loại", max_length=10, choices=DocumentKind.choices)
    title = models.CharField("tên giấy tờ", max_length=255)
    issuer = models.CharField("cơ quan cấp", max_length=255)
    number = models.CharField("số, ký hiệu", max_length=100, blank=True)
    issued_on = models.DateField("ngày cấp", null=True, blank=True)
    valid_until = models.DateField(
        "có giá trị đến hết ngày", null=True, blank=True, help_text="Để trống: không thời hạn."
    )
    result = models.OneToOneField(
        "results.SignedResult",
        verbose_name="kết quả điện tử",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stored_document",
    )
    attachment = models.ForeignKey(
        "dossiers.Attachment",
        verbose_name="tệp đã số hóa",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stored_documents",
    )
    source_dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ nguồn",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reuse_allowed = models.BooleanField("cho phép dùng lại", default=True)
    consent_changed_at = models.DateTimeField("đổi đồng ý lúc", null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đưa vào kho",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField("đưa vào kho lúc")

    class Meta:
        verbose_name = "giấy tờ trong kho dữ liệu của công dân"
        verbose_name_plural = "giấy tờ trong kho dữ liệu của công dân"
        ordering = ["citizen_id", "-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="result") & Q(result__isnull=False) & Q(attachment__isnull=True))
                | (Q(kind="digitised") & Q(result__isnull=True) & Q(attachment__isnull=False)),
                name="docstore_document_one_source",
            ),
            models.UniqueConstraint(
                fields=["citizen", "attachment"],
                condition=Q(attachment__isnull=False),
                name="docstore_document_attachment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.number})" if self.number else self.title

    @property
    def file(self) -> models.fields.files.FieldFile:
        source = self.result if self.result_id else self.attachment
        assert source is not None
        return source.file

    @property
    def mime_type(self) -> str:
        return (
            self.attachment.mime_type
            if self.attachment_id and self.attachment
            else ("application/pdf")
        )

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_until is None or self.valid_until >= day


class DocumentReuse(models.Model):
    """One component of a dossier satisfied from the store instead of an upload."""

    document = models.ForeignKey(
        StoredDocument,
        verbose_name="giấy tờ trong kho",
        on_delete=models.PROTECT,
        related_name="reuses",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.CASCADE,
        related_name="store_reuses",
    )
    component_code = models.CharField("mã thành phần", max_length=60)
    attachment = models.ForeignKey(
        "dossiers.Attachment",
        verbose_name="tệp của hồ sơ",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng lại",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("lúc")

    class Meta:
        verbose_name = "lượt dùng lại giấy tờ trong kho"
        verbose_name_plural = "lượt dùng lại giấy tờ trong kho"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.component_code}"
