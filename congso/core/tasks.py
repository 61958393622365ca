"""Housekeeping tasks of the platform itself."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from congso.core.models import Job
from congso.core.worker import task


@task("core.purge_finished_jobs", every=timedelta(days=1))
def purge_finished_jobs(*, days: int = 30) -> int:
    """Delete jobs that finished successfully more than ``days`` ago (dead jobs are kept)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Job.objects.filter(status=Job.Status.DONE, finished_at__lt=cutoff).delete()
    return deleted
