"""Scans taken at the counter for a dossier not received yet.

The counter page posts the whole form at once: a look-up, an added row or an error sends it
back, and a browser never keeps the files chosen in ``<input type="file">``. Each scan is
therefore checked and kept on the server as soon as it arrives, under the page's *batch* (a
random token in a hidden field, one per counter form, so two tabs never share scans), and the
page shows it as already attached; receiving the dossier turns the batch's scans into its
attachments and deletes them. Batches left behind (the applicant went away) are removed by the
officer's next counter form after ``STALE_AFTER``."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

#: A batch older than this is abandoned (the counter works within the day).
STALE_AFTER = timedelta(days=1)


def counter_scan_path(instance: CounterScan, filename: str) -> str:
    return f"counter/{instance.officer_id}/{instance.batch}/{filename}"


class CounterScan(models.Model):
    """One scan of one component, checked against the component (type read from the content,
    size limit), waiting for its dossier to be received."""

    batch = models.CharField("phiên nhập", max_length=64, db_index=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ tiếp nhận",
        on_delete=models.CASCADE,
        related_name="+",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="+"
    )
    component_code = models.CharField("mã thành phần", max_length=60)
    file = models.FileField("tệp", upload_to=counter_scan_path, max_length=300)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    mime_type = models.CharField("loại tệp (theo nội dung)", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("tải lên lúc")

    class Meta:
        verbose_name = "bản quét chờ tiếp nhận"
        verbose_name_plural = "bản quét chờ tiếp nhận"
        ordering = ("component_code", "pk")
        indexes = [models.Index(fields=["officer", "uploaded_at"], name="backoffice_scan_officer")]

    def __str__(self) -> str:
        return self.original_name
