"""Background tasks of the reports app (registered with the worker on app start)."""

from __future__ import annotations

from congso.core.worker import task
from congso.reports import services


@task(services.TASK)
def build_report(*, report_id: int) -> str:
    """Build one queued report (idempotent)."""
    return str(services.report_build(report_id).status)
