"""Background task of the national import (registered with the worker on app start)."""

from __future__ import annotations

from congso.catalog.national import services
from congso.core.worker import task


@task(services.TASK)
def run_import(*, run_id: int) -> str:
    """Run (or resume) one import run; a finished run is left as it is."""
    return str(services.run_execute(run_id).status)
