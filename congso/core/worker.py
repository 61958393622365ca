"""The background-work interface: register tasks, enqueue them, run them.

``enqueue()`` writes a :class:`~congso.core.models.Job` row inside the caller's transaction,
so background work is atomic with the state change that asks for it (an outbox). Two back-ends
drain it:

* **embedded** (default): ``manage.py worker`` polls the table; nothing to install;
* **celery** (``CONGSO_BROKER_URL`` set): after commit the job id is published to Celery on
  Redis or RabbitMQ; a beat-scheduled sweep re-publishes jobs whose message was lost.

Tasks take plain JSON arguments (ids, not objects), must be idempotent (a job may run twice
if a worker dies after the work but before marking it done) and should call services, not
hold business logic.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from congso.core import hooks
from congso.core.celery_app import RUN_JOB
from congso.core.celery_app import app as celery_app
from congso.core.models import Job, PeriodicRun, WorkerHeartbeat

log = logging.getLogger(__name__)

TaskFn = Callable[..., Any]
TASKS: dict[str, TaskFn] = {}
#: Tasks run periodically (name → interval), queued by :func:`enqueue_due_periodic`.
PERIODIC: dict[str, timedelta] = {}
#: Jobs this process claimed but whose outcome it could not record because the database went
#: away (restart, failover): released by :func:`release_unrecorded` once it is back, instead of
#: waiting for their lease to expire.
_UNRECORDED: set[int] = set()


def task(name: str, *, every: timedelta | None = None) -> Callable[[TaskFn], TaskFn]:
    """Register ``fn`` under ``name``; a second registration of the same name is refused.
    ``every``: also queue it periodically (without arguments)."""

    def decorator(fn: TaskFn) -> TaskFn:
        if name in TASKS and TASKS[name] is not fn:
            raise ValueError(f"task {name!r} is already registered")
        TASKS[name] = fn
        if every is not None:
            PERIODIC[name] = every
        return fn

    return decorator


def enqueue_due_periodic() -> list[str]:
    """Queue every periodic task whose interval has passed since it was last queued.

    The last-queued time is a row per task, claimed with a conditional UPDATE, so several
    workers (or a Celery beat beside an embedded worker) never queue the same run twice."""
    now = timezone.now()
    queued = []
    for name, every in PERIODIC.items():
        PeriodicRun.objects.get_or_create(name=name, defaults={"last_queued": now - every})
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=name, last_queued__lte=now - every).update(
                last_queued=now
            )
            if claimed:
                enqueue(name)
                queued.append(name)
    return queued


def enqueue(name: str, *, delay: timedelta | None = None, **payload: Any) -> Job:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}")
    job = Job.objects.create(
        name=name, payload=payload, run_after=timezone.now() + (delay or timedelta())
    )
    if settings.WORKER_BACKEND == "celery":
        job_id = job.pk
        transaction.on_commit(lambda: publish(job_id, countdown=delay))
    return job


def publish(job_id: int, *, countdown: timedelta | None = None) -> None:
    """Send a job id to Celery. A failure here is logged, not raised: the sweep retries it."""
    try:
        celery_app.send_task(
            RUN_JOB,
            args=(job_id,),
            countdown=countdown.total_seconds() if countdown else None,
            retry=False,
        )
    except Exception:
        log.exception("could not publish job %s; the sweep will retry", job_id)


def publish_many(job_ids: list[int]) -> None:
    for job_id in job_ids:
        publish(job_id)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff: 5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def _claim(job_id: int | None) -> Job | None:
    now = timezone.now()
    with transaction.atomic():
        qs = Job.objects.select_for_update(skip_locked=True).filter(run_after__lte=now)
        qs = qs.filter(status=Job.Status.PENDING) | qs.filter(
            status=Job.Status.RUNNING, locked_until__lt=now
        )
        if job_id is not None:
            qs = qs.filter(pk=job_id)
        job = qs.order_by("run_after", "pk").first()
        if job is None:
            return None
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.locked_until = now + timedelta(seconds=settings.WORKER_LEASE_SECONDS)
        job.save(update_fields=["status", "attempts", "locked_until"])
        return job


def release_unrecorded() -> int:
    """Put back in the queue the jobs whose outcome was lost with the database connection."""
    released = 0
    for job_id in sorted(_UNRECORDED):
        with transaction.atomic():
            released += Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                status=Job.Status.PENDING, locked_until=None, run_after=timezone.now()
            )
            if settings.WORKER_BACKEND == "celery":
                transaction.on_commit(lambda job_id=job_id: publish(job_id))  # type: ignore[misc]
        _UNRECORDED.discard(job_id)
    return released


def _record(job: Job, fields: list[str]) -> None:
    try:
        job.save(update_fields=fields)
    except DatabaseError:
        _UNRECORDED.add(job.pk)
        raise
    _UNRECORDED.discard(job.pk)


def run_job(job_id: int | None = None) -> Job | None:
    """Claim one due job (a given one, or the oldest) and run it. Returns the job, or None.

    A database error while recording the outcome propagates (the caller reconnects); the job
    is released by the next :func:`run_job` of this process."""
    if _UNRECORDED:
        release_unrecorded()
    job = _claim(job_id)
    if job is None:
        return None
    fn = TASKS.get(job.name)
    try:
        if fn is None:
            raise LookupError(f"no task registered as {job.name!r}")
        fn(**job.payload)
    except Exception:
        job.last_error = traceback.format_exc(limit=5)[-4000:]
        if job.attempts >= settings.WORKER_MAX_ATTEMPTS or fn is None:
            job.status = Job.Status.DEAD
            job.finished_at = timezone.now()
            log.error("job %s dead after %s attempts", job, job.attempts)
        else:
            job.status = Job.Status.PENDING
            job.run_after = timezone.now() + backoff(job.attempts)
        job.locked_until = None
        _record(job, ["status", "run_after", "last_error", "locked_until", "finished_at"])
        return job
    job.status = Job.Status.DONE
    job.finished_at = timezone.now()
    job.locked_until = None
    _record(job, ["status", "finished_at", "locked_until"])
    return job


def requeue(*, actor: Any, job_ids: list[int]) -> int:
    """Put failed or waiting jobs back in the queue now (the admin's manual retry), audited
    (:func:`congso.core.hooks.audit`)."""
    with transaction.atomic():
        jobs = list(
            Job.objects.select_for_update().filter(pk__in=job_ids).exclude(status=Job.Status.DONE)
        )
        for job in jobs:
            before = {"status": job.status, "attempts": job.attempts, "last_error": job.last_error}
            job.status = Job.Status.PENDING
            job.run_after = timezone.now()
            job.attempts = 0
            job.locked_until = None
            job.finished_at = None
            job.save(
                update_fields=["status", "run_after", "attempts", "locked_until", "finished_at"]
            )
            hooks.audit(
                actor=actor,
                action="core.job.requeue",
                target=job,
                before=before,
                after={"status": job.status},
            )
        if settings.WORKER_BACKEND == "celery":
            ids = [job.pk for job in jobs]
            transaction.on_commit(lambda: publish_many(ids))
    return len(jobs)


def drain(limit: int = 100) -> int:
    """Run due jobs until none is left or ``limit`` ran; returns how many ran."""
    done = 0
    while done < limit and run_job() is not None:
        done += 1
    return done


def sweep(older_than: timedelta | None = None) -> int:
    """Celery mode: re-publish due jobs that have waited too long (their message was lost), and
    jobs whose lease has passed (their worker was killed during the job: with late acks the
    broker hands the message back at once, but the redelivered task finds the job still
    claimed and lets it be; without this it would stay claimed for ever)."""
    now = timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.WORKER_SWEEP_SECONDS)
    cutoff = now - older_than
    due = Job.objects.filter(status=Job.Status.PENDING, run_after__lte=cutoff)
    abandoned = Job.objects.filter(status=Job.Status.RUNNING, locked_until__lt=now)
    ids = list((due | abandoned).order_by("run_after", "pk").values_list("pk", flat=True)[:1000])
    for job_id in ids:
        publish(job_id)
    return len(ids)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat(name: str | None = None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name=name or worker_name(),
        defaults={"backend": settings.WORKER_BACKEND, "last_seen": timezone.now()},
    )


def _latest_heartbeat() -> WorkerHeartbeat | None:
    return (
        WorkerHeartbeat.objects.filter(backend=settings.WORKER_BACKEND)
        .order_by("-last_seen")
        .first()
    )


def alive() -> bool:
    """Whether a worker of the configured backend was seen within ``WORKER_STALE_SECONDS``
    (one query; pages that wait for a job use it to say when nothing is running them)."""
    latest = _latest_heartbeat()
    fresh_after = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return bool(latest and latest.last_seen >= fresh_after)


def worker_state() -> dict[str, Any]:
    """What /healthz reports about background work."""
    fresh_after = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    latest = _latest_heartbeat()
    pending = Job.objects.filter(status=Job.Status.PENDING, run_after__lte=timezone.now()).count()
    dead = Job.objects.filter(status=Job.Status.DEAD).count()
    return {
        "backend": settings.WORKER_BACKEND,
        "ok": bool(latest and latest.last_seen >= fresh_after),
        "last_seen": latest.last_seen.isoformat() if latest else None,
        "pending_jobs": pending,
        "dead_jobs": dead,
    }
