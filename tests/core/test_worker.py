"""The background-work interface on the embedded back-end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from congso.core import worker
from congso.core.models import Job

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@worker.task("tests.record")
def record_call(**kwargs: object) -> None:
    CALLS.append(dict(kwargs))


@worker.task("tests.fail")
def always_fail(**kwargs: object) -> None:
    raise RuntimeError("gateway unreachable")


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    CALLS.clear()


def test_enqueue_is_part_of_the_callers_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        worker.enqueue("tests.record", n=1)
        raise RuntimeError("the state change failed")
    assert Job.objects.count() == 0


def test_enqueue_then_drain_runs_the_task_once() -> None:
    job = worker.enqueue("tests.record", n=7)
    assert worker.drain() == 1
    assert CALLS == [{"n": 7}]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.finished_at is not None
    assert worker.drain() == 0


def test_unknown_task_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown task"):
        worker.enqueue("tests.nope")


def test_duplicate_registration_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        worker.task("tests.record")(lambda: None)


def test_delayed_job_waits_until_due() -> None:
    worker.enqueue("tests.record", delay=timedelta(minutes=5), n=1)
    assert worker.drain() == 0
    Job.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    assert worker.drain() == 1


@override_settings(WORKER_MAX_ATTEMPTS=3)
def test_failures_back_off_then_park_as_dead() -> None:
    job = worker.enqueue("tests.fail")
    before = timezone.now()
    worker.run_job()
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING
    assert job.attempts == 1
    assert job.run_after >= before + timedelta(seconds=5)
    assert "gateway unreachable" in job.last_error
    for expected_attempts in (2, 3):
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        worker.run_job()
        job.refresh_from_db()
        assert job.attempts == expected_attempts
    assert job.status == Job.Status.DEAD
    assert job.finished_at is not None


def test_backoff_grows_exponentially_and_is_capped() -> None:
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert worker.backoff(30) == timedelta(hours=1)


def test_job_of_a_dead_worker_is_taken_again_after_its_lease() -> None:
    job = worker.enqueue("tests.record", n=2)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, locked_until=timezone.now() + timedelta(minutes=1)
    )
    assert worker.drain() == 0
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert worker.drain() == 1
    assert CALLS == [{"n": 2}]


def test_purge_finished_jobs_keeps_dead_and_recent() -> None:
    old = timezone.now() - timedelta(days=40)
    done_old = Job.objects.create(name="tests.record", status=Job.Status.DONE, finished_at=old)
    dead_old = Job.objects.create(name="tests.fail", status=Job.Status.DEAD, finished_at=old)
    done_new = Job.objects.create(
        name="tests.record", status=Job.Status.DONE, finished_at=timezone.now()
    )
    worker.enqueue("core.purge_finished_jobs", days=30)
    worker.drain()
    remaining = set(Job.objects.values_list("pk", flat=True))
    assert done_old.pk not in remaining
    assert {dead_old.pk, done_new.pk} <= remaining


def test_requeue_puts_a_dead_job_back_and_audits_it(django_user_model) -> None:  # type: ignore[no-untyped-def]
    from congso.audit.models import AuditEvent

    admin = django_user_model.objects.create_user("quantri", password="x")
    job = Job.objects.create(
        name="tests.record", payload={"n": 3}, status=Job.Status.DEAD, attempts=8, last_error="boom"
    )
    assert worker.requeue(actor=admin, job_ids=[job.pk]) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.PENDING, 0)
    event = AuditEvent.objects.get(action="core.job.requeue")
    assert event.before["status"] == "dead"
    assert worker.drain() == 1
    assert CALLS == [{"n": 3}]


def test_periodic_tasks_are_queued_once_per_interval() -> None:
    from congso.core.models import PeriodicRun

    worker.PERIODIC["tests.record"] = timedelta(minutes=5)
    try:
        assert "tests.record" in worker.enqueue_due_periodic()
        assert "tests.record" not in worker.enqueue_due_periodic()  # not due again yet
        assert Job.objects.filter(name="tests.record").count() == 1
        PeriodicRun.objects.filter(name="tests.record").update(
            last_queued=timezone.now() - timedelta(minutes=6)
        )
        assert "tests.record" in worker.enqueue_due_periodic()
        assert Job.objects.filter(name="tests.record").count() == 2
        worker.drain()
        assert CALLS == [{}, {}]
    finally:
        del worker.PERIODIC["tests.record"]


def test_sweep_publishes_again_a_job_whose_worker_died_once_its_lease_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Celery mode: the redelivered message of a killed worker finds the job still claimed; the
    sweep brings it back once the lease (CONGSO_WORKER_LEASE_SECONDS) has passed, not before."""
    published: list[int] = []
    monkeypatch.setattr(worker, "publish", lambda job_id, **kw: published.append(job_id))
    job = worker.enqueue("tests.record", n=3)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, locked_until=timezone.now() + timedelta(minutes=1)
    )
    assert worker.sweep(older_than=timedelta(0)) == 0
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert worker.sweep(older_than=timedelta(0)) == 1
    assert published == [job.pk]
    assert worker.run_job(job.pk) is not None
    assert CALLS == [{"n": 3}]
    assert worker.sweep(older_than=timedelta(0)) == 0


@override_settings(WORKER_LEASE_SECONDS=5)
def test_the_lease_is_the_setting() -> None:
    job = worker.enqueue("tests.record", n=4)
    before = timezone.now()
    claimed = worker._claim(job.pk)
    assert claimed is not None and claimed.locked_until is not None
    assert (
        before + timedelta(seconds=5)
        <= claimed.locked_until
        <= timezone.now() + timedelta(seconds=5)
    )
