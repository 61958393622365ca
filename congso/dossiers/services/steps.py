"""Steps of a dossier: start a group, end a step, choose the step an officer acts on,
advance to the next group; the clock (start, pause, resume, end)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from congso.calendar.engine import WorkCalendar
from congso.core.errors import DomainError, NotFound, PermissionDenied
from congso.core.types import Actor
from congso.dossiers import deadlines
from congso.dossiers.models import Dossier, DossierStep, StepKind, StepStatus
from congso.dossiers.permissions import can_work_on_step, holds_role
from congso.dossiers.services._kernel import _user_or_none, time_limit
from congso.dossiers.services.plan import Plan, PlanStep, _next_processing_index
from congso.dossiers.workflow import TRANSITIONS
from congso.org.models import Role

# --- Steps ----------------------------------------------------------------------------------------


def _start_group(
    dossier: Dossier,
    plan: Plan,
    index: int,
    *,
    now: datetime,
    calendar: WorkCalendar,
    assignee: Any = None,
    request_note: str = "",
) -> list[DossierStep]:
    group = plan[index]
    if assignee is not None and len(group) != 1:
        raise DomainError(
            "assignee_ambiguous",
            "Bước tiếp theo gồm nhiều bước song song; không giao cho một người được.",
            field="assignee",
        )
    dossier.stage += 1
    dossier.plan_index = index
    created = []
    for item in group:
        if assignee is not None and not holds_role(
            assignee, (item.role,), item.agency_id, item.department_id
        ):
            raise DomainError(
                "assignee_invalid",
                f"Người được giao không giữ vai trò «{Role(item.role).label}» tại cơ quan thực "
                f"hiện bước «{item.name}».",
                field="assignee",
            )
        created.append(
            DossierStep.objects.create(
                dossier=dossier,
                stage=dossier.stage,
                plan_index=index,
                process_step_id=item.process_step_id,
                kind=item.kind,
                name=item.name,
                role=item.role,
                agency_id=item.agency_id,
                department_id=item.department_id,
                assignee=assignee,
                is_lead=item.is_lead,
                allowed_actions=list(item.allowed_actions),
                hours=item.hours,
                started_at=now,
                due_at=deadlines.step_due(calendar, now, item.hours, dossier_due=dossier.due_at),
                request_note=request_note,
            )
        )
    return created


def _record_done_group(
    dossier: Dossier,
    group: list[PlanStep],
    *,
    started_at: datetime,
    now: datetime,
    actor: Actor,
    calendar: WorkCalendar,
    note: str,
) -> None:
    """Reception or return steps of the process, done by the action itself (form 05 rows)."""
    for item in group:
        due = deadlines.step_due(calendar, started_at, item.hours, dossier_due=dossier.due_at)
        DossierStep.objects.create(
            dossier=dossier,
            stage=dossier.stage,
            plan_index=None,
            process_step_id=item.process_step_id,
            kind=item.kind,
            name=item.name,
            role=item.role,
            agency_id=item.agency_id,
            department_id=item.department_id,
            hours=item.hours,
            allowed_actions=list(item.allowed_actions),
            status=StepStatus.DONE,
            started_at=started_at,
            due_at=due,
            ended_at=now,
            ended_by=_user_or_none(actor),
            timeliness=deadlines.classify(calendar, ended_at=now, due_at=due).value,
            note=note,
        )


def _end_step(
    step: DossierStep,
    *,
    status: str,
    actor: Actor,
    now: datetime,
    calendar: WorkCalendar,
    note: str = "",
) -> None:
    step.status = status
    step.ended_at = now
    step.ended_by = _user_or_none(actor)
    step.timeliness = deadlines.classify(calendar, ended_at=now, due_at=step.due_at).value
    if note:
        step.note = note
    step.save(update_fields=["status", "ended_at", "ended_by", "timeliness", "note"])


def _cancel_active(
    dossier: Dossier,
    *,
    actor: Actor,
    now: datetime,
    calendar: WorkCalendar,
    note: str,
    keep: DossierStep | None = None,
) -> None:
    for step in dossier.steps.filter(status=StepStatus.ACTIVE):
        if keep is not None and step.pk == keep.pk:
            continue
        _end_step(
            step, status=StepStatus.CANCELLED, actor=actor, now=now, calendar=calendar, note=note
        )


MAIN_KINDS = (StepKind.STEP, StepKind.INTERAGENCY)


def _choose_step(
    actor: Actor,
    dossier: Dossier,
    step_id: int | None,
    *,
    kinds: Sequence[str],
    main_only: bool = True,
) -> DossierStep:
    """The active step the actor acts on: the one named, or the only one they may work on."""
    queryset = dossier.steps.filter(status=StepStatus.ACTIVE, kind__in=kinds)
    if main_only:
        queryset = queryset.filter(parent__isnull=True)
    if step_id is not None:
        step = queryset.filter(pk=step_id).first()
        if step is None:
            raise NotFound(
                "step_not_found",
                "Không có bước đang thực hiện này trong hồ sơ.",
                field="step_id",
            )
        if not can_work_on_step(actor, step):
            raise PermissionDenied(
                "not_step_holder",
                f"Bạn không được giao bước «{step.name}» của hồ sơ {dossier.code}.",
            )
        return step
    candidates = [step for step in queryset if can_work_on_step(actor, step)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise PermissionDenied(
            "not_step_holder",
            f"Bạn không được giao bước nào đang thực hiện của hồ sơ {dossier.code}.",
        )
    raise DomainError(
        "step_required",
        "Hồ sơ có nhiều bước bạn có thể thực hiện; hãy chọn bước (step_id).",
        field="step_id",
    )


def _check_step_allows(step: DossierStep, action: str) -> None:
    if step.allowed_actions and action not in step.allowed_actions:
        raise PermissionDenied(
            "action_not_allowed_at_step",
            f"Bước «{step.name}» không cho phép thao tác «{TRANSITIONS[action].label_vi}».",
        )


def _stage_active(dossier: Dossier, *, exclude: DossierStep | None = None) -> list[DossierStep]:
    queryset = dossier.steps.filter(
        stage=dossier.stage, parent__isnull=True, status=StepStatus.ACTIVE
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(queryset)


def _open_consultations(dossier: Dossier) -> bool:
    return dossier.steps.filter(
        status=StepStatus.ACTIVE, parent__isnull=False, kind=StepKind.CONSULTATION
    ).exists()


def _advance(
    dossier: Dossier,
    plan: Plan,
    *,
    now: datetime,
    calendar: WorkCalendar,
    assignee: Any = None,
) -> list[DossierStep]:
    """Start the next processing group once every step of the current stage is done."""
    if _stage_active(dossier):
        return []
    index = _next_processing_index(dossier, plan)
    if index is None:
        return []
    return _start_group(dossier, plan, index, now=now, calendar=calendar, assignee=assignee)


def _end_processing(dossier: Dossier, *, now: datetime, calendar: WorkCalendar) -> None:
    """Processing ended (processed, stopped, withdrawn): freeze the classification once."""
    _resume_clock(dossier, now=now, calendar=calendar)
    if dossier.ended_at is not None or dossier.received_at is None:
        return
    dossier.ended_at = now
    dossier.timeliness = deadlines.classify(
        calendar,
        ended_at=now,
        due_at=dossier.due_at,
        supplement_requests=dossier.supplement_count,
    ).value


def _resume_clock(dossier: Dossier, *, now: datetime, calendar: WorkCalendar) -> None:
    """End a pause: push the due time, the appointment and the active steps' due times back by
    the working time spent waiting."""
    if dossier.paused_at is None:
        return
    paused = deadlines.paused_time(calendar, dossier.paused_at, now)
    dossier.due_at = deadlines.extend(calendar, dossier.due_at, paused)
    dossier.appointment_at = deadlines.extend(calendar, dossier.appointment_at, paused)
    dossier.paused_seconds += int(paused.total_seconds())
    dossier.paused_at = None
    for step in dossier.steps.filter(status=StepStatus.ACTIVE, due_at__isnull=False):
        step.due_at = deadlines.extend(calendar, step.due_at, paused)
        step.save(update_fields=["due_at"])


def _start_clock(dossier: Dossier, *, now: datetime, calendar: WorkCalendar) -> None:
    """The time limit (re)starts from zero at ``now``: new due time and appointment."""
    due = deadlines.appointment(calendar, now, time_limit(dossier.procedure_version))
    dossier.clock_started_at = now
    dossier.due_at = due
    dossier.appointment_at = due
    dossier.paused_at = None
    dossier.paused_seconds = 0


def _form_values(dossier: Dossier) -> dict[str, Any]:
    """The stored form data without its file fields (files live in the components)."""
    schema = dossier.procedure_version.form_schema or {}
    file_fields = {
        spec["name"] for spec in schema.get("fields") or [] if spec.get("type") == "file"
    }
    return {key: value for key, value in dossier.form_data.items() if key not in file_fields}
