"""The demo province's history (``load_demo_history``, issue 12): a few months of dossiers in
every state, some overdue, finished ones early, on time and late, the indicators computed;
applied for by demo applicants without accounts; deterministic for a seed and a day; loaded
once; and the open dossiers carried on by the services like any other."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from congso.backoffice.selectors import queue_counts, queue_filters, queue_page
from congso.dossiers import services
from congso.dossiers.models import Dossier, DossierStep, StepStatus
from congso.dossiers.selectors import overdue_q
from congso.dossiers.workflow import Status
from congso.indicators.selectors import figures, live_figures
from congso.org.models import RoleAssignment
from tests.dossiers.conftest import at


@pytest.fixture
def demo(db, clock):
    clock.set(at(2026, 11, 18, 10, 0))
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_catalog_demo", stdout=io.StringIO())


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo_history", stdout=out)
    return out.getvalue()


def _digest() -> list[tuple[object, ...]]:
    return list(
        Dossier.objects.order_by("code").values_list(
            "code", "status", "timeliness", "applicant_name", "submitted_at", "due_at", "ended_at"
        )
    )


def test_the_demo_history(demo, clock):
    with transaction.atomic():
        first = _load()
        digest = _digest()
        transaction.set_rollback(True)
    assert not Dossier.objects.exists()
    assert "Lịch sử demo: 2,400 hồ sơ của 80 người nộp, từ 2026-07-18 đến 2026-11-17" in first
    _load()
    assert _digest() == digest  # the same seed and day give the same history

    dossiers = Dossier.objects.all()
    assert dossiers.count() == 2400
    # Every state, some overdue, early / on time / late (none transferred: the demo history
    # has no partner system to transfer to).
    assert set(dossiers.values_list("status", flat=True)) == {
        s.value for s in Status if s != Status.TRANSFERRED
    }
    now = timezone.now()
    overdue = dossiers.filter(overdue_q(now), ended_at__isnull=True)
    assert overdue.count() >= 3
    assert {"early", "on_time", "late"} <= set(dossiers.values_list("timeliness", flat=True))
    # Applicants with ordinary names, none of them a demo account.
    assert not dossiers.filter(applicant_citizen__user__isnull=False).exists()
    assert dossiers.values("applicant_citizen").distinct().count() == 80
    assert not dossiers.filter(applicant_name__startswith="Công Dân Thử Nghiệm").exists()
    # Their own fields of the declaration are filled (as the portal prefills them), and the
    # phone the desk reaches them on.
    sample = dossiers.filter(procedure_version__procedure__code="1.001193").first()
    assert sample.form_data["applicant_full_name"] == sample.applicant_name
    assert sample.form_data["applicant_personal_id"] == sample.applicant_id_number
    assert sample.applicant_phone == sample.applicant_citizen.phone != ""
    # The indicators are computed.
    (total,) = figures(start=date(2026, 7, 18), end=date(2026, 11, 17))
    assert total["received"] > 2000 and total["processed_late"] > 0
    (live,) = live_figures(now=now)
    assert live["in_progress"] > 50 and live["overdue_now"] >= 3
    assert live["waiting_reception"] > 0 and live["waiting_supplement"] > 0

    # Loaded once: running the demo again adds nothing.
    assert "Lịch sử demo đã có (2,400 hồ sơ); không thêm." in _load()
    assert Dossier.objects.count() == 2400

    # An open dossier stands at its process's first processing step and moves on to the next.
    dossier = dossiers.filter(status=Status.PROCESSING, stage=1).order_by("code").first()
    step = DossierStep.objects.get(dossier=dossier, status=StepStatus.ACTIVE)
    assert step.process_step is not None and step.process_step.process_id == dossier.process_id
    assert step.name == step.process_step.name and dossier.plan_index == step.plan_index
    moved = services.dossier_forward(actor=_holder(step.role, step.agency_id), dossier=dossier)
    (running,) = moved.steps.filter(status=StepStatus.ACTIVE)
    following = dossier.process.steps.filter(order__gt=step.process_step.order).order_by("order")
    assert running.process_step == following.first()
    # Others wait at the next step already (the leader's approval): the leader has work.
    waiting = (
        dossiers.filter(status=Status.PROCESSING, stage=2)
        .filter(steps__status=StepStatus.ACTIVE, steps__role="leader")
        .order_by("code")
        .first()
    )
    step = DossierStep.objects.get(dossier=waiting, status=StepStatus.ACTIVE)
    done = DossierStep.objects.get(dossier=waiting, stage=1)
    assert done.status == StepStatus.DONE and done.plan_index == waiting.plan_index - 1
    assert done.ended_at == step.started_at and waiting.received_at < step.started_at < now
    assert waiting.history.filter(action="forward").exists()
    leader = _holder("leader", step.agency_id)
    assert queue_counts(leader)["cho-duyet"] >= 1
    assert waiting.pk in {d.pk for d in queue_page(leader, queue_filters(leader)["cho-duyet"]).rows}


def _holder(role: str, agency_id: int):
    return (
        RoleAssignment.objects.filter(role=role, agency_id=agency_id)
        .select_related("user")
        .first()
        .user
    )
