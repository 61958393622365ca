"""The outcome: refuse (stop processing), complete, return the result, apologise and set
a new appointment."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from congso.calendar.engine import WorkCalendar
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.core.types import Actor
from congso.dossiers import deadlines, hooks
from congso.dossiers.models import Dossier, DossierStep, ReturnMethod, StepStatus
from congso.dossiers.permissions import (
    DEPARTMENT_HEAD,
    LEADER,
    can_work_on_step,
    holds_role,
    is_reception_officer,
)
from congso.dossiers.services._kernel import _reason, _text, calendar_for, transition
from congso.dossiers.services.plan import _next_processing_index, _processing_bounds, plan_of
from congso.dossiers.services.reception import _require_reception
from congso.dossiers.services.steps import (
    MAIN_KINDS,
    _cancel_active,
    _check_step_allows,
    _choose_step,
    _end_processing,
    _end_step,
    _open_consultations,
    _record_done_group,
)
from congso.dossiers.workflow import Status


def dossier_refuse(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Stop processing after appraisal (form 03, with reasons), within the time limit.

    During processing, the holder of the current step; a received dossier not yet handed over,
    the desk or a leader of the competent agency."""
    with transition(actor, dossier, "refuse", expected_version) as t:
        d, now = t.dossier, t.now
        step = None
        if d.status == Status.PROCESSING:
            step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
            _check_step_allows(step, t.rule.action)
        elif not is_reception_officer(actor, d) and not holds_role(
            actor, (LEADER,), d.competent_agency_id
        ):
            raise PermissionDenied(
                "not_allowed",
                "Chỉ cán bộ tiếp nhận hoặc lãnh đạo cơ quan có thẩm quyền được dừng xử lý.",
            )
        text = _reason(t.rule, reason)
        calendar = calendar_for(d.competent_agency)
        if step is not None:
            _end_step(
                step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text
            )
        _cancel_active(d, actor=actor, now=now, calendar=calendar, note="Hồ sơ dừng xử lý.")
        d.status = Status.STOPPED
        d.outcome_reason = text
        _end_processing(d, now=now, calendar=calendar)
        t.step, t.note, t.outcome, t.due_at = step, text, d.timeliness, d.due_at
    return t.dossier


def _check_e_result_signed(dossier: Dossier) -> None:
    """A procedure with an e-result template completes only with its latest result signed (the
    guard ``congso.results`` registers; :mod:`congso.dossiers.hooks`)."""
    if (blocker := hooks.completion_blocker(dossier)) is not None:
        raise Conflict("result_not_signed", blocker)


def _result_summary(value: str | None) -> str:
    """What the result is: required (printed in the tracking book, form 06, and shown to the
    applicant), and more than spaces or punctuation ("-", "…")."""
    text = _text(value, field="result_summary", label="kết quả giải quyết")
    if not any(char.isalnum() for char in text):
        raise DomainError(
            "result_summary_required",
            "Cần nhập kết quả giải quyết (ví dụ: Đã đăng ký khai sinh, cấp Trích lục khai sinh "
            "số …).",
            field="result_summary",
        )
    return text


def dossier_complete(
    *,
    actor: Actor,
    dossier: Dossier,
    result_summary: str = "",
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The result is ready (status 9): from the last step of the process, once every parallel
    step and consultation is done.

    Who: a leader of the step's agency; or the step's own holder when the step is a leader's
    step or lists ``complete`` among its allowed actions. With no step left running (after an
    inter-agency stage at the end of the process), a leader of the competent agency.
    When the procedure has an electronic result template, the latest e-result must be fully
    signed first (``congso.results``; docs/signing.md).
    """
    with transition(actor, dossier, "complete", expected_version) as t:
        d, now = t.dossier, t.now
        calendar = calendar_for(d.competent_agency)
        plan = plan_of(d, calendar)
        actives = list(
            d.steps.filter(status=StepStatus.ACTIVE, parent__isnull=True, kind__in=MAIN_KINDS)
        )
        step: DossierStep | None = None
        if actives:
            if step_id is not None:
                step = next((item for item in actives if item.pk == step_id), None)
                if step is None:
                    raise NotFound(
                        "step_not_found",
                        "Không có bước đang thực hiện này trong hồ sơ.",
                        field="step_id",
                    )
            elif len(actives) == 1:
                step = actives[0]
            else:
                step = _choose_step(actor, d, None, kinds=MAIN_KINDS)
            _check_step_allows(step, t.rule.action)
            own = can_work_on_step(actor, step) and (
                step.role == LEADER or "complete" in step.allowed_actions
            )
            if not own and not holds_role(actor, (LEADER,), step.agency_id):
                raise PermissionDenied(
                    "leader_required",
                    "Kết quả giải quyết phải do lãnh đạo cơ quan duyệt (ký) để hoàn thành hồ sơ.",
                )
            remaining = list(d.steps.filter(status=StepStatus.ACTIVE).exclude(pk=step.pk))
            if remaining:
                raise Conflict(
                    "steps_open",
                    "Còn bước song song hoặc ý kiến phối hợp chưa xong: "
                    + ", ".join(item.name for item in remaining)
                    + ".",
                )
        else:
            if _open_consultations(d):
                raise Conflict("steps_open", "Còn ý kiến phối hợp chưa trả lời.")
            if not holds_role(actor, (LEADER,), d.competent_agency_id):
                raise PermissionDenied(
                    "leader_required",
                    "Kết quả giải quyết phải do lãnh đạo cơ quan có thẩm quyền duyệt (ký).",
                )
        if _next_processing_index(d, plan) is not None:
            raise DomainError(
                "steps_remaining",
                "Hồ sơ chưa qua hết các bước của quy trình nội bộ; hãy chuyển bước tiếp theo.",
            )
        _check_e_result_signed(d)
        text = _result_summary(result_summary)
        if step is not None:
            _end_step(
                step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text
            )
        d.status = Status.PROCESSED
        d.processed_at = now
        d.result_summary = text
        _end_processing(d, now=now, calendar=calendar)
        t.step, t.note, t.outcome, t.due_at = step, text, d.timeliness, d.due_at
    return t.dossier


def dossier_return_result(
    *,
    actor: Actor,
    dossier: Dossier,
    method: str,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The desk returns the result: at the desk, by post or online (status 10)."""
    with transition(actor, dossier, "return_result", expected_version) as t:
        d, now = t.dossier, t.now
        _require_reception(actor, d)
        if method not in ReturnMethod.values:
            raise DomainError(
                "invalid_return_method",
                "Hình thức trả kết quả phải là desk (tại quầy), post (bưu chính) hoặc online.",
                field="method",
            )
        text = _text(note, field="note", label="ghi chú")
        calendar = calendar_for(d.competent_agency)
        plan = plan_of(d, calendar)
        _start, end = _processing_bounds(plan)
        for group in plan[end:]:
            _record_done_group(
                d,
                group,
                started_at=d.processed_at or now,
                now=now,
                actor=actor,
                calendar=calendar,
                note=text,
            )
        d.status = Status.RETURNED
        d.returned_at = now
        d.return_method = method
        t.note, t.data, t.agency_id = text, {"method": method}, d.receiving_agency_id
    return t.dossier


def _check_new_appointment(calendar: WorkCalendar, moment: datetime) -> None:
    """A new appointment (form 04) is a working instant the calendar knows: not a holiday, not
    year 9999."""
    day = timezone.localtime(moment).date()
    if not calendar.covers(day):
        raise DomainError(
            "calendar_out_of_range",
            f"Ngày hẹn mới {day:%d/%m/%Y} nằm ngoài lịch làm việc đã có dữ liệu.",
            field="new_appointment_at",
        )
    if not calendar.is_working_day(day):
        raise DomainError(
            "new_appointment_not_working_day",
            f"Ngày hẹn mới {day:%d/%m/%Y} không phải ngày làm việc.",
            field="new_appointment_at",
        )


def dossier_apologise(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    new_appointment_at: datetime | None,
    expected_version: int | None = None,
) -> Dossier:
    """Apology and new appointment (form 04): at most once, at least one working day before
    the appointment (ND 61/2018 art. 19.9). Only the date told to the applicant moves; the
    early/on-time/late classification still uses the legal due time."""
    with transition(actor, dossier, "apologise", expected_version) as t:
        d, now = t.dossier, t.now
        active = d.steps.filter(status=StepStatus.ACTIVE, parent__isnull=True)
        allowed = holds_role(actor, (LEADER, DEPARTMENT_HEAD), d.competent_agency_id) or any(
            can_work_on_step(actor, step) for step in active
        )
        if not allowed:
            raise PermissionDenied(
                "not_allowed",
                "Chỉ lãnh đạo cơ quan có thẩm quyền hoặc người đang xử lý hồ sơ được xin lỗi và "
                "hẹn lại ngày trả.",
            )
        text = _reason(t.rule, reason)
        if d.apology_at is not None:
            raise Conflict(
                "already_rescheduled",
                "Hồ sơ đã được xin lỗi và hẹn lại ngày trả một lần; việc hẹn lại chỉ được thực "
                "hiện không quá một lần.",
            )
        if d.appointment_at is None:
            raise DomainError(
                "no_appointment", "Hồ sơ không có ngày hẹn trả nên không cần hẹn lại."
            )
        if new_appointment_at is None:
            raise DomainError(
                "required", "Cần nhập ngày giờ hẹn trả mới.", field="new_appointment_at"
            )
        if not isinstance(new_appointment_at, datetime) or timezone.is_naive(new_appointment_at):
            raise DomainError(
                "naive_datetime",
                "Ngày hẹn mới phải kèm múi giờ (ví dụ 2026-03-10T17:00:00+07:00).",
                field="new_appointment_at",
            )
        calendar = calendar_for(d.competent_agency)
        if not deadlines.apology_allowed(calendar, now=now, due_at=d.appointment_at):
            raise DomainError(
                "apology_too_late",
                "Văn bản xin lỗi và hẹn lại phải gửi chậm nhất 01 ngày làm việc trước ngày hẹn "
                f"trả ({timezone.localtime(d.appointment_at):%H:%M ngày %d/%m/%Y}); "
                "nay đã quá thời điểm đó.",
                status=409,
            )
        if new_appointment_at <= d.appointment_at:
            raise DomainError(
                "new_appointment_not_later",
                "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
                field="new_appointment_at",
            )
        _check_new_appointment(calendar, new_appointment_at)
        d.rescheduled_from = d.appointment_at
        d.appointment_at = new_appointment_at
        d.apology_at = now
        d.apology_reason = text
        t.note, t.due_at, t.agency_id = text, d.appointment_at, d.competent_agency_id
        t.data = {
            "old_appointment_at": d.rescheduled_from,
            "new_appointment_at": new_appointment_at,
        }
    return t.dossier
