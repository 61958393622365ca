"""Background report jobs: one row per report asked for, with its progress and its file.

The file is made by the worker (:mod:`congso.reports.tasks`); the requester (and only they, or
a superuser) sees the job and downloads the file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from congso.org.permissions import RestrictedQuerySet


class ReportKind(models.TextChoices):
    SITUATION = "situation", "Báo cáo tình hình, kết quả thực hiện cơ chế một cửa"
    TRACKING_BOOK = "tracking_book", "Sổ theo dõi hồ sơ (mẫu số 06)"
    INDEX = "index", "Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)"


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel"
    PDF = "pdf", "PDF"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ"
    RUNNING = "running", "Đang lập"
    DONE = "done", "Đã xong"
    FAILED = "failed", "Lỗi"


class ReportJobQuerySet(RestrictedQuerySet["ReportJob"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        return Q(requested_by_id=user.pk)


def report_path(instance: ReportJob, filename: str) -> str:
    return f"reports/{instance.requested_by_id}/{filename}"


class ReportJob(models.Model):
    kind = models.CharField("loại báo cáo", max_length=20, choices=ReportKind.choices)
    format = models.CharField("định dạng", max_length=5, choices=ReportFormat.choices)
    params = models.JSONField("tham số", default=dict)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    file = models.FileField("tệp", upload_to=report_path, max_length=300, blank=True)
    error = models.TextField("lỗi", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người yêu cầu",
        on_delete=models.CASCADE,
        related_name="+",
    )
    requested_at = models.DateTimeField("yêu cầu lúc")
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo"
        verbose_name_plural = "báo cáo"
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "requested_at"], name="reports_job_requester")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
