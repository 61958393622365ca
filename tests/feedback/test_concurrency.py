"""Concurrency: a stale copy gets a conflict; two officers answering one report at the same
moment (PostgreSQL, real row locks): one answer, one history row, one audit event."""

from __future__ import annotations

from typing import Any

import pytest

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from congso.feedback import services
from congso.feedback.models import Channel, Report, ReportEvent
from congso.feedback.services import Intake
from tests.dossiers.test_concurrency import run_parallel
from tests.feedback.conftest import at, build_province


def _file(pv: Any) -> Report:
    return services.report_submit(
        actor=None,
        channel=Channel.PORTAL,
        intake=Intake(category="mat-duong", description="Ổ gà", unit=pv.ward_a.code),
    )


def test_a_stale_copy_gets_a_conflict(pv, clock) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    report = _file(pv)
    stale = Report.objects.get(pk=report.pk)
    services.report_accept(actor=pv.handler_t, report=report)
    with pytest.raises(DomainError) as caught:
        services.report_reject(actor=pv.handler_t, report=stale, reason="Trùng")
    assert caught.value.code == "stale_version" and caught.value.status == 409


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_give_one_answer(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    pv = build_province()
    report = _file(pv)
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)
    officers = [pv.handler_t, pv.leader_t]

    def work(index: int) -> Report:
        copy = Report.objects.get(pk=report.pk)
        return services.report_answer(actor=officers[index], report=copy, answer=f"Trả lời {index}")

    results, errors = run_parallel(2, work)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], DomainError) and errors[0].status == 409
    assert ReportEvent.objects.filter(report=report, action="answer").count() == 1
    assert AuditEvent.objects.filter(action="feedback.report.answer").count() == 1
    assert Report.objects.get(pk=report.pk).answer == results[0].answer
