"""Fees and financial obligations: the clock pauses until the payment is confirmed."""

from __future__ import annotations

from congso.core.errors import DomainError, PermissionDenied
from congso.core.types import Actor
from congso.dossiers.models import Dossier, StepStatus
from congso.dossiers.permissions import can_work_on_step, is_reception_officer
from congso.dossiers.services._kernel import _reason, _text, calendar_for, transition
from congso.dossiers.services.steps import (
    MAIN_KINDS,
    _check_step_allows,
    _choose_step,
    _resume_clock,
)
from congso.dossiers.workflow import Status


def dossier_request_payment(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    amount_vnd: int | None = None,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant to pay fees or fulfil a financial obligation; the clock pauses."""
    with transition(actor, dossier, "request_payment", expected_version) as t:
        d = t.dossier
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, t.rule.action)
        text = _reason(t.rule, reason)
        if amount_vnd is not None and amount_vnd < 0:
            raise DomainError("invalid_amount", "Số tiền không được âm.", field="amount_vnd")
        d.status = Status.PAYMENT_REQUESTED
        d.paused_at = t.now
        t.step, t.note = step, text
        t.data = {"amount_vnd": amount_vnd}
    return t.dossier


def dossier_confirm_payment(
    *,
    actor: Actor,
    dossier: Dossier,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The payment arrived (an officer of the desk or of the current step, or the system): the
    clock resumes and every due time moves back by the working time spent waiting."""
    with transition(actor, dossier, "confirm_payment", expected_version) as t:
        d = t.dossier
        if actor is not None and not is_reception_officer(actor, d):
            active = d.steps.filter(status=StepStatus.ACTIVE, parent__isnull=True)
            if not any(can_work_on_step(actor, step) for step in active):
                raise PermissionDenied(
                    "not_step_holder",
                    "Chỉ cán bộ tiếp nhận hoặc người đang xử lý hồ sơ được xác nhận đã nộp.",
                )
        t.note = _text(note, field="note", label="ghi chú")
        calendar = calendar_for(d.competent_agency)
        paused_before = d.paused_seconds
        _resume_clock(d, now=t.now, calendar=calendar)
        d.status = Status.PROCESSING
        t.data = {"paused_seconds": d.paused_seconds - paused_before}
    return t.dossier
