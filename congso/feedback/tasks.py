"""Background tasks of the feedback app (registered with the worker on app start)."""

from __future__ import annotations

from datetime import timedelta

from congso.core.worker import task
from congso.feedback import services


@task("feedback.sweep", every=timedelta(minutes=15))
def sweep() -> dict[str, int]:
    """Reminders before the deadline, escalation of overdue reports, closing after the reopen
    window (idempotent)."""
    return services.reports_sweep()
