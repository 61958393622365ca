"""Processing: the holder of a step forwards the dossier or sends it back."""

from __future__ import annotations

from typing import Any

from congso.core.errors import Conflict, DomainError
from congso.core.types import Actor
from congso.dossiers.models import Dossier, StepStatus
from congso.dossiers.services._kernel import _reason, _text, calendar_for, transition
from congso.dossiers.services.plan import _next_processing_index, _processing_bounds, plan_of
from congso.dossiers.services.steps import (
    MAIN_KINDS,
    _advance,
    _cancel_active,
    _check_step_allows,
    _choose_step,
    _end_step,
    _stage_active,
    _start_group,
)

# --- Processing -----------------------------------------------------------------------------------


def dossier_forward(
    *,
    actor: Actor,
    dossier: Dossier,
    step_id: int | None = None,
    note: str = "",
    assignee: Any = None,
    expected_version: int | None = None,
) -> Dossier:
    """The holder of the current step finishes it; when the stage is complete the next group
    of the internal process starts. In a stage with a lead (liên thông), the lead finishes
    last."""
    with transition(actor, dossier, "forward", expected_version) as t:
        d = t.dossier
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, t.rule.action)
        if step.consultations.filter(status=StepStatus.ACTIVE).exists():
            raise Conflict(
                "consultation_open",
                f"Bước «{step.name}» còn ý kiến phối hợp chưa trả lời.",
            )
        others = _stage_active(d, exclude=step)
        if step.is_lead and others:
            raise Conflict(
                "lead_waits",
                "Cơ quan chủ trì chỉ chuyển tiếp sau khi các cơ quan phối hợp đã hoàn thành: "
                + ", ".join(other.name for other in others)
                + ".",
            )
        calendar = calendar_for(d.competent_agency)
        plan = plan_of(d, calendar)
        if not others and _next_processing_index(d, plan) is None:
            raise DomainError(
                "last_step",
                "Đây là bước cuối của quy trình: hãy hoàn thành hồ sơ (có kết quả) hoặc từ chối "
                "giải quyết.",
            )
        if assignee is not None and others:
            raise DomainError(
                "assignee_ambiguous",
                "Các bước song song chưa xong; chưa giao được bước tiếp theo.",
                field="assignee",
            )
        text = _text(note, field="note", label="ý kiến")
        _end_step(
            step, status=StepStatus.DONE, actor=actor, now=t.now, calendar=calendar, note=text
        )
        started = _advance(d, plan, now=t.now, calendar=calendar, assignee=assignee)
        t.step, t.note, t.outcome = step, text, step.timeliness
        t.data = {"next_steps": [item.name for item in started]}
    return t.dossier


def dossier_send_back(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Return the dossier to the previous step of the process, with the reason. The current
    stage's steps end; the previous group runs again (new step rows)."""
    with transition(actor, dossier, "send_back", expected_version) as t:
        d, now = t.dossier, t.now
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, t.rule.action)
        text = _reason(t.rule, reason)
        calendar = calendar_for(d.competent_agency)
        plan = plan_of(d, calendar)
        start, _end = _processing_bounds(plan)
        current = d.plan_index if d.plan_index is not None else start
        target = current if step.plan_index is None else current - 1
        if target < start:
            raise DomainError(
                "no_previous_step",
                "Đây là bước xử lý đầu tiên; không có bước trước để trả lại. Nếu hồ sơ thiếu, "
                "hãy yêu cầu bổ sung.",
            )
        _end_step(
            step, status=StepStatus.SENT_BACK, actor=actor, now=now, calendar=calendar, note=text
        )
        _cancel_active(d, actor=actor, now=now, calendar=calendar, note="Hồ sơ bị trả lại.")
        started = _start_group(d, plan, target, now=now, calendar=calendar, request_note=text)
        t.step, t.note, t.outcome = step, text, step.timeliness
        t.data = {"back_to": [item.name for item in started]}
    return t.dossier
