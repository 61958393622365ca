"""Working with other agencies: consultations and inter-agency transfer (liên thông)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from congso.calendar.engine import WorkCalendar
from congso.core.errors import Conflict, DomainError
from congso.core.types import Actor
from congso.dossiers import deadlines
from congso.dossiers.models import Dossier, DossierStep, StepKind, StepStatus
from congso.dossiers.services._kernel import _reason, _text, calendar_for, transition
from congso.dossiers.services.plan import plan_of
from congso.dossiers.services.steps import (
    MAIN_KINDS,
    _advance,
    _check_step_allows,
    _choose_step,
    _end_step,
    _stage_active,
)
from congso.org.models import Agency, Department, Role


@dataclass(frozen=True)
class ParallelRequest:
    """One agency (and optionally department) asked to act in parallel, with its own time."""

    agency: Agency
    hours: Decimal
    role: str = Role.SPECIALIST
    department: Department | None = None
    is_lead: bool = False
    note: str = ""


#: The longest time one agency may be given, in working hours (about a year).
MAX_PARALLEL_HOURS = Decimal(2000)


def _check_parallel(d: Dossier, items: Sequence[ParallelRequest], *, field: str) -> None:
    """The agencies asked in parallel: active agencies of the competent agency's province, not
    the competent agency itself (except, for a consultation, one of its own departments), each
    with its time (more than 0, at most :data:`MAX_PARALLEL_HOURS` working hours)."""
    if not items:
        raise DomainError("targets_required", "Cần chọn ít nhất một cơ quan.", field=field)
    competent = d.competent_agency
    for index, item in enumerate(items):
        if not item.agency.active:
            raise DomainError(
                "agency_inactive",
                f"{item.agency.name} không còn hoạt động.",
                field=f"{field}.{index}.agency",
            )
        own_department = field == "consultations" and item.department is not None
        if item.agency.pk == competent.pk and not own_department:
            raise DomainError(
                "agency_not_eligible",
                f"{item.agency.name} là cơ quan có thẩm quyền của hồ sơ; hãy chọn cơ quan khác.",
                field=f"{field}.{index}.agency",
            )
        if item.agency.province_id != competent.province_id:
            raise DomainError(
                "agency_not_eligible",
                f"{item.agency.name} không thuộc địa phương của {competent.name}.",
                field=f"{field}.{index}.agency",
            )
        if item.role not in Role.values:
            raise DomainError(
                "invalid_role", "Vai trò không hợp lệ.", field=f"{field}.{index}.role"
            )
        if item.department is not None and item.department.agency_id != item.agency.pk:
            raise DomainError(
                "department_mismatch",
                "Phòng ban không thuộc cơ quan đã chọn.",
                field=f"{field}.{index}.department",
            )
        if not item.hours or item.hours <= 0:
            raise DomainError(
                "hours_required",
                "Cần nêu thời hạn (số giờ làm việc) cho từng cơ quan.",
                field=f"{field}.{index}.hours",
            )
        if item.hours > MAX_PARALLEL_HOURS:
            raise DomainError(
                "hours_out_of_range",
                "Thời hạn cho mỗi cơ quan tối đa 2.000 giờ làm việc.",
                field=f"{field}.{index}.hours",
                status=422,
            )


def _parallel_step(
    d: Dossier,
    item: ParallelRequest,
    *,
    kind: str,
    prefix: str,
    parent: DossierStep | None,
    now: datetime,
    calendar: WorkCalendar,
    note: str,
) -> DossierStep:
    name = item.agency.short_name or item.agency.name
    return DossierStep.objects.create(
        dossier=d,
        stage=d.stage,
        plan_index=None,
        parent=parent,
        kind=kind,
        name=f"{prefix} {name}"[:255],
        role=item.role,
        agency=item.agency,
        department=item.department,
        is_lead=item.is_lead,
        hours=item.hours,
        started_at=now,
        due_at=deadlines.step_due(calendar, now, item.hours),
        request_note=_text(item.note, field="note", label="nội dung") or note,
    )


def dossier_consult(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    consultations: Sequence[ParallelRequest],
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask other agencies or departments for their opinion, in parallel, each with its own
    deadline (ND 61/2018 art. 19.5). The current step waits for every answer."""
    with transition(actor, dossier, "consult", expected_version) as t:
        d = t.dossier
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, t.rule.action)
        text = _reason(t.rule, reason)
        _check_parallel(d, consultations, field="consultations")
        calendar = calendar_for(d.competent_agency)
        created = [
            _parallel_step(
                d,
                item,
                kind=StepKind.CONSULTATION,
                prefix="Xin ý kiến",
                parent=step,
                now=t.now,
                calendar=calendar,
                note=text,
            )
            for item in consultations
        ]
        t.step, t.note = step, text
        t.data = {
            "consultations": [
                {"step": item.pk, "agency": item.agency_id, "due_at": item.due_at}
                for item in created
            ]
        }
    return t.dossier


def dossier_answer_consultation(
    *,
    actor: Actor,
    dossier: Dossier,
    note: str,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """A consulted agency answers (its consultation step ends, classified against its own
    deadline)."""
    with transition(actor, dossier, "answer_consultation", expected_version) as t:
        d, now = t.dossier, t.now
        step = _choose_step(actor, d, step_id, kinds=(StepKind.CONSULTATION,), main_only=False)
        _check_step_allows(step, t.rule.action)
        text = _text(note, field="note", label="nội dung ý kiến", required=True)
        calendar = calendar_for(d.competent_agency)
        _end_step(step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text)
        started: list[DossierStep] = []
        if step.parent_id is None:
            started = _advance(d, plan_of(d, calendar), now=now, calendar=calendar)
        t.step, t.note, t.outcome = step, text, step.timeliness
        t.data = {"next_steps": [item.name for item in started]}
    return t.dossier


def dossier_transfer(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    transfers: Sequence[ParallelRequest],
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Inter-agency handling (liên thông, ND 61/2018 art. 19.6): the dossier goes to every
    agency at once, each with its own deadline; one leads and finishes last. When all are done
    the internal process continues (or the lead's leader completes the dossier)."""
    with transition(actor, dossier, "transfer", expected_version) as t:
        d, now = t.dossier, t.now
        step = _choose_step(actor, d, step_id, kinds=(StepKind.STEP,))
        _check_step_allows(step, t.rule.action)
        text = _reason(t.rule, reason)
        _check_parallel(d, transfers, field="transfers")
        leads = [item for item in transfers if item.is_lead]
        if len(transfers) > 1 and len(leads) != 1:
            raise DomainError(
                "lead_required",
                "Chuyển liên thông nhiều cơ quan phải chọn đúng một cơ quan chủ trì.",
                field="transfers",
            )
        if (
            _stage_active(d, exclude=step)
            or step.consultations.filter(status=StepStatus.ACTIVE).exists()
        ):
            raise Conflict(
                "steps_open",
                "Còn bước song song hoặc ý kiến phối hợp chưa xong; chưa chuyển liên thông được.",
            )
        calendar = calendar_for(d.competent_agency)
        _end_step(step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text)
        d.stage += 1
        created = [
            _parallel_step(
                d,
                ParallelRequest(
                    agency=item.agency,
                    hours=item.hours,
                    role=item.role,
                    department=item.department,
                    is_lead=item.is_lead or len(transfers) == 1,
                    note=item.note,
                ),
                kind=StepKind.INTERAGENCY,
                prefix="Liên thông:",
                parent=None,
                now=now,
                calendar=calendar,
                note=text,
            )
            for item in transfers
        ]
        t.step, t.note, t.outcome = step, text, step.timeliness
        t.data = {
            "transfers": [
                {
                    "step": item.pk,
                    "agency": item.agency_id,
                    "lead": item.is_lead,
                    "due_at": item.due_at,
                }
                for item in created
            ]
        }
    return t.dossier
