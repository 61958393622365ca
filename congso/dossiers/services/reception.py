"""Reception: accept or refuse an online dossier, ask for a supplement and receive it,
hand the dossier to the competent agency."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from congso.core.errors import DomainError, PermissionDenied
from congso.core.types import Actor
from congso.dossiers import applicant as applicant_rules
from congso.dossiers import attachments, deadlines
from congso.dossiers.models import Dossier, DossierComponent, StepStatus, SupplementRequest
from congso.dossiers.permissions import is_applicant, is_reception_officer
from congso.dossiers.services._kernel import (
    _lock,
    _reason,
    _require_user,
    _signed_in,
    _text,
    calendar_for,
    transition,
)
from congso.dossiers.services.intake import _mark_received, _precheck, _validate_form
from congso.dossiers.services.plan import _next_processing_index, plan_of
from congso.dossiers.services.steps import (
    MAIN_KINDS,
    _cancel_active,
    _check_step_allows,
    _choose_step,
    _end_step,
    _form_values,
    _start_clock,
    _start_group,
)
from congso.dossiers.workflow import Status

# --- Reception ------------------------------------------------------------------------------------


def _require_reception(actor: Actor, dossier: Dossier) -> None:
    if not is_reception_officer(actor, dossier):
        raise PermissionDenied(
            "not_reception_officer",
            f"Chỉ cán bộ tiếp nhận của «{dossier.desk.name}» được thực hiện thao tác này.",
        )


def dossier_receive(
    *,
    actor: Actor,
    dossier: Dossier,
    note: str = "",
    expected_version: int | None = None,
    declaration_checked: bool = False,
) -> Dossier:
    """The desk accepts an online dossier (form 01): the appointment counts from now.

    A dossier submitted for someone else needs ``declaration_checked`` (the officer checked the
    declared relationship and its proof; ``congso.dossiers.applicant.check_at_reception``)."""
    with transition(actor, dossier, "receive", expected_version) as t:
        d = t.dossier
        _require_reception(actor, d)
        t.note = _text(note, field="note", label="ghi chú")
        t.data = applicant_rules.check_at_reception(
            d, actor=actor, checked=declaration_checked, now=t.now
        )
        calendar = calendar_for(d.competent_agency)
        _mark_received(d, actor=actor, now=t.now, calendar=calendar, note=t.note)
        t.agency_id = d.receiving_agency_id
    return t.dossier


def dossier_not_accept(
    *, actor: Actor, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The desk refuses to receive an online dossier (form 03), with the reason."""
    with transition(actor, dossier, "not_accept", expected_version) as t:
        d = t.dossier
        _require_reception(actor, d)
        t.note = _reason(t.rule, reason)
        d.status = Status.NOT_ACCEPTED
        d.outcome_reason = t.note
        t.agency_id = d.receiving_agency_id
    return t.dossier


def _supplement_items(d: Dossier, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if not items:
        raise DomainError(
            "missing_items_required",
            "Phải nêu đầy đủ, một lần, các nội dung cần bổ sung (thành phần hồ sơ hoặc trường "
            "thông tin).",
            field="missing_items",
        )
    components = {component.code: component for component in d.components.all()}
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        path = f"missing_items.{index}"
        component = str(item.get("component") or "").strip()
        field = str(item.get("field") or "").strip()
        if bool(component) == bool(field):
            raise DomainError(
                "missing_item_invalid",
                "Mỗi nội dung cần bổ sung phải nêu đúng một thành phần hồ sơ (component) hoặc "
                "một trường thông tin (field).",
                field=path,
            )
        if component and component not in components:
            raise DomainError(
                "unknown_component",
                f"Hồ sơ không có thành phần mã «{component}».",
                field=f"{path}.component",
            )
        label = _text(item.get("label"), field=f"{path}.label", label="tên nội dung")
        if not label:
            label = components[component].name if component else field
        cleaned.append(
            {
                "component": component or None,
                "field": field or None,
                "label": label,
                "note": _text(item.get("note"), field=f"{path}.note", label="hướng dẫn"),
            }
        )
    return cleaned


def dossier_request_supplement(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    missing_items: Sequence[Mapping[str, Any]],
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant to complete the dossier (form 02), listing everything at once.

    At reception (status 1 or 2) the desk asks; during processing the holder of the current
    step, within 3 working days of the reception of the complete dossier. The clock stops; when
    the dossier comes back complete it restarts from zero. Requests after reception are
    counted: more than one makes the dossier late.
    """
    with transition(actor, dossier, "request_supplement", expected_version) as t:
        d, now = t.dossier, t.now
        step = None
        if d.status == Status.PROCESSING:
            step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
            _check_step_allows(step, t.rule.action)
            phase = SupplementRequest.Phase.APPRAISAL
        else:
            _require_reception(actor, d)
            phase = SupplementRequest.Phase.RECEPTION
        text = _reason(t.rule, reason)
        items = _supplement_items(d, missing_items)
        calendar = calendar_for(d.competent_agency)
        if d.clock_started_at is not None:
            limit = deadlines.supplement_request_deadline(calendar, d.clock_started_at)
            if now > limit:
                raise DomainError(
                    "supplement_window_passed",
                    "Yêu cầu bổ sung, hoàn thiện hồ sơ phải gửi trong 03 ngày làm việc kể từ "
                    f"ngày tiếp nhận (hạn {timezone.localtime(limit):%H:%M ngày %d/%m/%Y}).",
                    status=409,
                )
        counts = d.received_at is not None
        request = SupplementRequest.objects.create(
            dossier=d,
            phase=phase,
            reason=text,
            items=items,
            counts=counts,
            requested_at=now,
            requested_by=_signed_in(actor),
        )
        if step is not None:
            _end_step(
                step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text
            )
        _cancel_active(
            d, actor=actor, now=now, calendar=calendar, note="Dừng để chờ bổ sung hồ sơ."
        )
        if counts:
            d.supplement_count += 1
            d.paused_at = now
        d.status = Status.SUPPLEMENT_REQUESTED
        t.step, t.note = step, text
        t.data = {"supplement_request": request.pk, "items": items, "count": d.supplement_count}
    return t.dossier


def _check_supplement(
    items: list[dict[str, Any]],
    files: Mapping[str, Sequence[Any]],
    supplied: Mapping[str, Any],
    components: Mapping[str, DossierComponent],
    *,
    officer: bool,
) -> None:
    """Every file goes to a component of the dossier; the applicant answers every item of the
    request (a component gets a file, a field gets a value)."""
    for code in files:
        if code not in components:
            raise DomainError(
                "unknown_component",
                f"Hồ sơ không có thành phần mã «{code}».",
                field=f"files.{code}",
            )
    if officer:
        return
    for item in items:
        component = item.get("component")
        if component and not files.get(component):
            raise DomainError(
                "supplement_incomplete",
                f"Chưa bổ sung «{item.get('label') or component}».",
                field=f"files.{component}",
            )
        field = item.get("field")
        if field and field not in supplied:
            raise DomainError(
                "supplement_incomplete",
                f"Chưa bổ sung thông tin «{item.get('label') or field}».",
                field=f"form_data.{field}",
            )


def dossier_supplement(
    *,
    actor: Actor,
    dossier: Dossier,
    files: Mapping[str, Sequence[Any]],
    form_data: Mapping[str, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant (online) or the desk (papers brought in) completes the dossier.

    New files become new versions of their slots. Every component named in the request must
    get a file from the applicant (the desk may instead record the paper). A dossier received
    before goes back to "received" with the clock restarted from zero (new appointment from
    now); one never received goes back to the desk's queue.
    """
    _require_user(actor, "supplement")
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            base = _lock(dossier, expected_version)
            action = "supplement" if base.received_at is not None else "resubmit"
            with transition(actor, base, action, base.version) as t:
                d, now = t.dossier, t.now
                officer = is_reception_officer(actor, d)
                if not officer and not is_applicant(actor, d):
                    raise PermissionDenied(
                        "not_applicant",
                        "Chỉ người nộp hồ sơ hoặc cán bộ tiếp nhận được bổ sung hồ sơ.",
                    )
                request = (
                    d.supplements.filter(fulfilled_at__isnull=True)
                    .order_by("-requested_at")
                    .first()
                )
                components = {component.code: component for component in d.components.all()}
                items = request.items if request is not None else []
                supplied = dict(form_data or {})
                _check_supplement(items, files, supplied, components, officer=officer)
                t.note = _text(note, field="note", label="ghi chú")
                checked = _precheck(components, files)
                if supplied or checked:
                    d.form_data = _validate_form(
                        d.procedure_version, {**_form_values(d), **supplied}, checked, d.form_data
                    )
                added = []
                for code, uploads in files.items():
                    for upload in uploads:
                        added.append(
                            attachments.store(
                                components[code],
                                upload,
                                actor=actor,
                                stored=stored,
                                supplement=request,
                            )
                        )
                if officer:
                    for item in items:
                        code = item.get("component")
                        if code and not files.get(code):
                            components[code].paper_received = True
                            components[code].save(update_fields=["paper_received"])
                if request is not None:
                    request.fulfilled_at = now
                    request.save(update_fields=["fulfilled_at"])
                calendar = calendar_for(d.competent_agency)
                if t.rule.target == Status.RECEIVED:
                    _start_clock(d, now=now, calendar=calendar)
                    d.plan_index = None
                d.status = t.rule.target or d.status
                t.data = {
                    "supplement_request": request.pk if request else None,
                    "attachments": [
                        {"component": a.component.code, "version": a.version, "sha256": a.sha256}
                        for a in added
                    ],
                }
    except BaseException:
        stored.discard()
        raise
    return t.dossier


def dossier_start_processing(
    *,
    actor: Actor,
    dossier: Dossier,
    assignee: Any = None,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The desk hands the received dossier to the competent agency: the first processing step
    of the internal process starts (optionally assigned to one officer)."""
    with transition(actor, dossier, "start_processing", expected_version) as t:
        d = t.dossier
        _require_reception(actor, d)
        t.note = _text(note, field="note", label="ghi chú")
        calendar = calendar_for(d.competent_agency)
        plan = plan_of(d, calendar)
        d.plan_index = None
        index = _next_processing_index(d, plan)
        if index is None:  # pragma: no cover - plan_of always has a processing group
            raise DomainError("no_process", "Thủ tục chưa có bước xử lý.")
        steps = _start_group(
            d, plan, index, now=t.now, calendar=calendar, assignee=assignee, request_note=t.note
        )
        d.status = Status.PROCESSING
        t.step = steps[0]
        t.data = {"steps": [step.name for step in steps]}
        t.agency_id = d.receiving_agency_id
    return t.dossier
