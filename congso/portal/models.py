"""Drafts of online submissions: a citizen's form data and uploaded files, saved at every step
and resumable from any device (they live on the server, keyed by account and procedure)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Draft(models.Model):
    """One unfinished online application of one account for one procedure."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="portal_drafts",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="+"
    )
    competent_agency = models.ForeignKey(
        "org.Agency",
        verbose_name="cơ quan giải quyết",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField("dữ liệu tờ khai (chưa kiểm tra)", default=dict, blank=True)
    step = models.PositiveSmallIntegerField("bước đang làm", default=0)
    #: Who the dossier is for (issue 13 item 4): ``self``, ``organisation`` (one the account
    #: represents) or ``on_behalf`` (another person, with ``on_behalf`` = relationship, note).
    applicant_kind = models.CharField("nộp cho", max_length=20, default="self")
    organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name="tổ chức (người nộp là người đại diện)",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    on_behalf = models.JSONField("khai báo nộp thay", default=dict, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("lưu lúc", auto_now=True)

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        constraints = [
            models.UniqueConstraint(fields=["user", "procedure"], name="portal_draft_one_per_proc")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.procedure_id}"


def draft_file_path(instance: DraftFile, filename: str) -> str:
    return f"drafts/{instance.draft.user_id}/{instance.draft_id}/{filename}"


class DraftFile(models.Model):
    """A file uploaded into a draft's component slot, already checked against the slot."""

    draft = models.ForeignKey(
        Draft, verbose_name="hồ sơ nháp", on_delete=models.CASCADE, related_name="files"
    )
    component_code = models.CharField("mã thành phần", max_length=60)
    file = models.FileField("tệp", upload_to=draft_file_path, max_length=300)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    mime_type = models.CharField("loại tệp (theo nội dung)", max_length=100)
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    #: The entry of "Giấy tờ của tôi" this file was taken from instead of an upload.
    store_document = models.ForeignKey(
        "docstore.StoredDocument",
        verbose_name="lấy từ Giấy tờ của tôi",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "tệp của hồ sơ nháp"
        verbose_name_plural = "tệp của hồ sơ nháp"
        ordering = ("component_code", "pk")

    def __str__(self) -> str:
        return self.original_name
