from __future__ import annotations

from django.db import models


class FloorRow(models.Model):
    """The row the benchmark's floor views insert and read (``docs/benchmarks.md``)."""

    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "dòng đo mức sàn"
        verbose_name_plural = "dòng đo mức sàn"

    def __str__(self) -> str:
        return f"floor#{self.pk}"
