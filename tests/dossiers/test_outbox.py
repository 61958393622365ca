"""History, audit event and outbox event are written in the transition's transaction."""

from __future__ import annotations

import pytest

from congso.audit.models import AuditEvent
from congso.core.models import Job
from congso.core.worker import run_job
from congso.dossiers import events
from congso.dossiers.models import DossierEvent, DossierHistory
from congso.dossiers.services import _kernel
from congso.dossiers.workflow import Status
from tests.dossiers.conftest import fresh, receive, submit


def test_each_transition_writes_history_event_job_and_audit(world, clock):
    dossier = receive(world, submit(world))
    rows = list(DossierHistory.objects.filter(dossier=dossier).order_by("pk"))
    assert [(row.action, row.from_status, row.to_status) for row in rows] == [
        ("submit", "", "submitted"),
        ("receive", "submitted", "received"),
    ]
    assert rows[1].actor == world.reception_a
    assert rows[1].actor_label == world.reception_a.full_name
    assert rows[1].due_at == dossier.due_at
    event = DossierEvent.objects.get(history=rows[1])
    assert event.kind == "dossier.receive"
    assert event.payload["national_status"] == 2
    assert event.payload["code"] == dossier.code
    assert "applicant_name" not in event.payload
    job = Job.objects.get(name="dossiers.publish_event", payload={"event_id": event.pk})
    assert job.status == Job.Status.PENDING
    audit = AuditEvent.objects.filter(action="dossiers.receive").get()
    assert audit.target_id == str(dossier.pk)
    assert audit.before["status"] == "submitted"
    assert audit.after["status"] == "received"


def test_a_failure_late_in_a_transition_rolls_everything_back(world, clock, monkeypatch):
    dossier = submit(world)
    counts = (
        DossierHistory.objects.count(),
        DossierEvent.objects.count(),
        Job.objects.count(),
        AuditEvent.objects.count(),
    )

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(_kernel, "record", broken)
    with pytest.raises(RuntimeError):
        receive(world, dossier)
    after = fresh(dossier)
    assert after.status == Status.SUBMITTED
    assert after.version == dossier.version
    assert after.received_at is None
    assert not after.steps.exists()
    assert counts == (
        DossierHistory.objects.count(),
        DossierEvent.objects.count(),
        Job.objects.count(),
        AuditEvent.objects.count(),
    )


def test_publish_event_hands_events_to_handlers_once(world, clock):
    seen: list[str] = []

    @events.handler("test.collect")
    def collect(event: DossierEvent) -> None:
        seen.append(event.kind)

    try:
        submit(world)
        job = Job.objects.get(name="dossiers.publish_event")
        assert run_job(job.pk).status == Job.Status.DONE
        event = DossierEvent.objects.get()
        assert event.published_at is not None
        assert seen == ["dossier.submit"]
        assert events.publish(event.pk) is False  # idempotent
        assert seen == ["dossier.submit"]
        with pytest.raises(ValueError):
            events.handler("test.collect")(lambda event: None)
    finally:
        events.unregister("test.collect")


def test_a_failing_handler_leaves_the_event_for_a_retry(world, clock):
    @events.handler("test.failing")
    def failing(event: DossierEvent) -> None:
        raise RuntimeError("gateway down")

    try:
        submit(world)
        job = Job.objects.get(name="dossiers.publish_event")
        result = run_job(job.pk)
        assert result.status == Job.Status.PENDING and result.attempts == 1
        assert "gateway down" in result.last_error
        assert DossierEvent.objects.get().published_at is None
    finally:
        events.unregister("test.failing")
