"""The internal process as a plan: the groups of steps a dossier goes through."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from congso.calendar.engine import WorkCalendar
from congso.catalog import selectors as catalog
from congso.catalog.models import Process
from congso.dossiers.models import Dossier, StepKind
from congso.org.models import Role
from congso.org.permissions import RECEPTION

#: Name of the one-step plan used when the agency has published no internal process.
FALLBACK_STEP_NAME = "Xử lý hồ sơ"


# --- The internal process as a plan ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanStep:
    """One step of the plan a dossier follows (from the catalogue, or the fallback step)."""

    process_step_id: int | None
    name: str
    kind: str
    role: str
    agency_id: int
    department_id: int | None
    hours: Decimal | None
    is_lead: bool
    allowed_actions: tuple[str, ...]


Plan = list[list[PlanStep]]


def _fallback_step(dossier: Dossier, calendar: WorkCalendar) -> PlanStep:
    day = timezone.localdate()
    hours_per_day = Decimal(calendar.hours_on(day).day_length.total_seconds()) / 3600
    hours = catalog.legal_limit_hours(dossier.procedure_version, hours_per_day)
    return PlanStep(
        process_step_id=None,
        name=FALLBACK_STEP_NAME,
        kind=StepKind.STEP,
        role=Role.SPECIALIST,
        agency_id=dossier.competent_agency_id,
        department_id=None,
        hours=Decimal(hours) if hours is not None else None,
        is_lead=False,
        allowed_actions=(),
    )


def _is_reception_group(group: list[PlanStep]) -> bool:
    return all(step.role == RECEPTION for step in group)


def plan_of(dossier: Dossier, calendar: WorkCalendar) -> Plan:
    """The groups of steps the dossier goes through, in order. Consecutive catalogue steps that
    share a ``parallel_group`` form one group and run at the same time. Leading groups done by
    the reception role are the reception itself; trailing ones the return of the result. When
    the agency has no internal process (or it has no processing step), one fallback step."""
    groups: Plan = []
    process: Process | None = dossier.process
    if process is not None:
        previous_group: int | None = None
        for step in process.steps.order_by("order"):
            item = PlanStep(
                process_step_id=step.pk,
                name=step.name,
                kind=step.kind,
                role=step.role,
                agency_id=step.agency_id or process.agency_id,
                department_id=step.department_id,
                hours=step.hours,
                is_lead=step.is_lead,
                allowed_actions=tuple(step.allowed_actions or ()),
            )
            if groups and step.parallel_group is not None and step.parallel_group == previous_group:
                groups[-1].append(item)
            else:
                groups.append([item])
            previous_group = step.parallel_group
    start, end = _processing_bounds(groups)
    if start == end:
        groups.insert(start, [_fallback_step(dossier, calendar)])
    return groups


def _processing_bounds(plan: Plan) -> tuple[int, int]:
    start = 0
    while start < len(plan) and _is_reception_group(plan[start]):
        start += 1
    end = len(plan)
    while end > start and _is_reception_group(plan[end - 1]):
        end -= 1
    return start, end


def _next_processing_index(dossier: Dossier, plan: Plan) -> int | None:
    start, end = _processing_bounds(plan)
    candidate = start if dossier.plan_index is None else dossier.plan_index + 1
    return candidate if start <= candidate < end else None
