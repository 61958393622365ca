"""Supervision: a leader or department head hands a running step to another officer."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.core.types import Actor
from congso.dossiers.models import Dossier, DossierStep, StepStatus
from congso.dossiers.permissions import DEPARTMENT_HEAD, LEADER, holds_role
from congso.dossiers.services._kernel import (
    _lock,
    _log,
    _now,
    _require_user,
    _save,
    _snapshot,
    _text,
)
from congso.dossiers.workflow import LABELS_VI, Status
from congso.org.models import Role
from congso.org.permissions import current_roles, is_authenticated_user

#: and may hand a running step to another officer.
SUPERVISOR_ROLES = (DEPARTMENT_HEAD, LEADER, "agency_admin")
#: States in which a dossier can have running steps.
STEP_STATES = frozenset(
    {
        Status.PROCESSING,
        Status.PAYMENT_REQUESTED,
        Status.SUPPLEMENT_REQUESTED,
        Status.WITHDRAWAL_REQUESTED,
    }
)


def supervisor_scopes(actor: Actor) -> list[tuple[str, int, int | None]]:
    """The actor's supervising roles in force: ``(role, agency id, department id)``."""
    if not is_authenticated_user(actor):
        return []
    return list(
        current_roles(actor, SUPERVISOR_ROLES).values_list("role", "agency_id", "department_id")
    )


def may_reassign(
    actor: Actor, step: DossierStep, scopes: list[tuple[str, int, int | None]] | None = None
) -> bool:
    """A leader or agency administrator of the step's agency, or the head of the step's
    department (a step without a department: a department head holding the role agency-wide).
    ``scopes`` (from :func:`supervisor_scopes`) saves the query when checking many steps."""
    for role, agency_id, department_id in supervisor_scopes(actor) if scopes is None else scopes:
        if agency_id != step.agency_id:
            continue
        if role != DEPARTMENT_HEAD or department_id is None:
            return True
        if step.department_id is not None and department_id == step.department_id:
            return True
    return False


def dossier_reassign(
    *,
    actor: Actor,
    dossier: Dossier,
    step_id: int,
    assignee: Any,
    reason: str,
    expected_version: int | None = None,
) -> DossierStep:
    """A supervisor hands a running step to another officer who holds the step's role in its
    agency (and department). The step keeps its start and due times; the reason is required
    and recorded with the previous holder in the history and the audit log."""
    _require_user(actor, "reassign")
    with transaction.atomic():
        d = _lock(dossier, expected_version)
        if d.state not in STEP_STATES:
            raise Conflict(
                "invalid_transition",
                f"Không giao lại bước khi hồ sơ đang «{LABELS_VI[d.state]}».",
            )
        step = d.steps.filter(pk=step_id, status=StepStatus.ACTIVE).first()
        if step is None:
            raise NotFound(
                "step_not_found", "Không có bước đang thực hiện này trong hồ sơ.", field="step_id"
            )
        if not may_reassign(actor, step):
            raise PermissionDenied(
                "not_supervisor",
                f"Chỉ lãnh đạo cơ quan hoặc trưởng phòng phụ trách được giao lại bước "
                f"«{step.name}».",
            )
        text = _text(reason, field="reason", label="lý do", required=True)
        if assignee is None or not getattr(assignee, "pk", None):
            raise DomainError("assignee_required", "Cần chọn cán bộ nhận bước.", field="assignee")
        if not is_authenticated_user(assignee):
            raise DomainError(
                "assignee_inactive", "Tài khoản của cán bộ này đã bị khóa.", field="assignee"
            )
        if assignee.pk == step.assignee_id:
            raise DomainError(
                "assignee_unchanged", "Cán bộ này đang được giao bước.", field="assignee"
            )
        if not holds_role(assignee, (step.role,), step.agency_id, step.department_id):
            raise DomainError(
                "assignee_invalid",
                f"Người được giao không giữ vai trò «{Role(step.role).label}» tại đơn vị thực "
                f"hiện bước «{step.name}».",
                field="assignee",
            )
        before, now = _snapshot(d), _now()
        previous = step.assignee
        step.assignee = assignee
        step.save(update_fields=["assignee"])
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action="reassign",
            from_status=d.status,
            before=before,
            now=now,
            step=step,
            note=text,
            data={
                "step": step.pk,
                "from": previous.get_username() if previous is not None else None,
                "to": assignee.get_username(),
            },
        )
    return step
