from __future__ import annotations

from django.db import models
from django.utils import timezone


class Job(models.Model):
    """A unit of background work, written in the same transaction as the change that needs it.

    The built-in worker drains this table; with a broker configured the id is also sent to Celery
    after commit, and a periodic sweep re-sends jobs whose message never arrived. Either way the
    row is the truth, so work is never lost when a broker or worker is down.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ xử lý"
        RUNNING = "running", "Đang chạy"
        DONE = "done", "Xong"
        DEAD = "dead", "Thất bại hẳn"

    name = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    run_after = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "việc nền"
        verbose_name_plural = "việc nền"
        indexes = [models.Index(fields=["status", "run_after"], name="core_job_due")]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk} ({self.status})"


class WorkerHeartbeat(models.Model):
    """Last sign of life of each worker; /healthz reads it."""

    name = models.CharField(max_length=100, primary_key=True)
    backend = models.CharField(max_length=20)
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = "nhịp tim worker"
        verbose_name_plural = "nhịp tim worker"

    def __str__(self) -> str:
        return f"{self.name} ({self.backend})"


class PeriodicRun(models.Model):
    """When a periodic task (``core.worker.task(every=…)``) was last queued."""

    name = models.CharField(max_length=100, primary_key=True)
    last_queued = models.DateTimeField()

    class Meta:
        verbose_name = "việc định kỳ"
        verbose_name_plural = "việc định kỳ"

    def __str__(self) -> str:
        return self.name
