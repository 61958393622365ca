"""Celery application, used only when ``CONGSO_BROKER_URL`` is set.

Start a worker (with its beat scheduler for the sweep and heartbeat) with::

    .venv/bin/celery -A congso worker -B --loglevel=INFO
"""

from __future__ import annotations

from congso.core.celery_app import app

__all__ = ["app"]


@app.task(name="congso.run_job", acks_late=True)
def run_job_task(job_id: int) -> None:
    from congso.core.worker import run_job

    run_job(job_id)


@app.task(name="congso.sweep_jobs")
def sweep_jobs_task() -> int:
    from congso.core.worker import sweep

    return sweep()


@app.task(name="congso.heartbeat")
def heartbeat_task() -> None:
    from congso.core.worker import heartbeat, worker_name

    heartbeat(f"celery:{worker_name()}")


@app.task(name="congso.periodic")
def periodic_task() -> list[str]:
    """Queue the periodic tasks (``core.worker.task(every=…)``) that are due."""
    from congso.core.worker import enqueue_due_periodic

    return enqueue_due_periodic()
