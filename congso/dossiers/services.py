"""Every write to a dossier. One public function per action, keyword-only arguments.

Each call is one transaction that does everything or nothing:

1. lock the dossier row (``SELECT … FOR UPDATE``) and compare its ``version`` with the one the
   caller saw (``expected_version``, default the ``version`` of the instance passed in); a
   mismatch is a :class:`Conflict` ``concurrent_update`` (HTTP 409), so of two people acting on
   the same copy exactly one wins;
2. check the transition against :data:`congso.dossiers.workflow.TRANSITIONS` and the actor's
   right to perform it (see :mod:`congso.dossiers.permissions`);
3. change the dossier and its steps, bump ``version`` (the ``UPDATE`` is conditional on the old
   version as well);
4. write a :class:`DossierHistory` row, a :class:`DossierEvent` row with its
   ``dossiers.publish_event`` job (the outbox) and an audit event.

Time is ``timezone.now()``; deadlines come from :mod:`congso.dossiers.deadlines` with the
calendar of the competent agency's province. The rules are in ``docs/dossiers.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.calendar.engine import WorkCalendar
from congso.calendar.selectors import get_calendar
from congso.catalog import cache as catalog_cache
from congso.catalog import selectors as catalog
from congso.catalog.formschema import optional_online, validate_data
from congso.catalog.models import Component, Procedure, ProcedureVersion, Process
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.core.worker import enqueue
from congso.dossiers import applicant as applicant_rules  # issue 13 #4: acting for others
from congso.dossiers import attachments, codes, deadlines
from congso.dossiers.models import (
    Attachment,
    Channel,
    CodeRule,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierHistory,
    DossierStep,
    Rating,
    ReturnMethod,
    StepKind,
    StepStatus,
    SupplementRequest,
)
from congso.dossiers.permissions import (
    DEPARTMENT_HEAD,
    LEADER,
    can_work_on_step,
    holds_role,
    is_applicant,
    is_reception_at,
    is_reception_officer,
)
from congso.dossiers.workflow import LABELS_VI, TRANSITIONS, Status, Transition
from congso.indicators import aggregates as indicators
from congso.org.models import Agency, Citizen, Department, Desk, Organisation, Role
from congso.org.permissions import RECEPTION, current_roles, is_authenticated_user
from congso.signing.selectors import completion_blocker

#: Actions the system (``actor=None``: a payment gateway callback, an import) may perform.
SYSTEM_ACTIONS = frozenset({"confirm_payment"})
#: Name of the one-step plan used when the agency has published no internal process.
FALLBACK_STEP_NAME = "Xử lý hồ sơ"
MAX_TEXT = 4000


# --- Small helpers --------------------------------------------------------------------------------


def _now() -> datetime:
    return timezone.now()


def _text(value: str | None, *, field: str, label: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("required", f"Cần nhập {label}.", field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(
            "too_long", f"{label[:1].upper()}{label[1:]} dài quá {MAX_TEXT} ký tự.", field=field
        )
    return text


def _reason(transition: Transition, reason: str | None) -> str:
    return _text(reason, field="reason", label="lý do", required=transition.reason_required)


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "Hệ thống"
    full_name = getattr(actor, "full_name", "") or ""
    return (full_name or actor.get_username())[:255]


def _user_or_none(actor: Any) -> Any:
    return actor if is_authenticated_user(actor) else None


def _require_user(actor: Any, action: str) -> None:
    if actor is None and action in SYSTEM_ACTIONS:
        return
    if not is_authenticated_user(actor):
        raise PermissionDenied("login_required", "Cần đăng nhập để thực hiện thao tác này.")


def calendar_for(agency: Agency) -> WorkCalendar:
    """The working calendar of the agency's province (national for central agencies)."""
    province = agency.province.code if agency.province_id and agency.province else None
    return get_calendar(province)


def time_limit(version: ProcedureVersion) -> deadlines.TimeLimit:
    return catalog.time_limit_of(version)


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


# --- Locking, recording ---------------------------------------------------------------------------


def _lock(dossier: Dossier, expected_version: int | None) -> Dossier:
    locked = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("competent_agency__province", "procedure_version", "process", "desk")
        .get(pk=dossier.pk)
    )
    expected = dossier.version if expected_version is None else expected_version
    if locked.version != expected:
        raise Conflict(
            "concurrent_update",
            f"Hồ sơ {locked.code} vừa được cập nhật bởi người khác (phiên bản {locked.version}, "
            f"bạn đang xem phiên bản {expected}). Vui lòng tải lại hồ sơ rồi thực hiện lại.",
            field="expected_version",
        )
    indicators.capture(locked)
    return locked


def _begin(
    actor: Any, dossier: Dossier, action: str, expected_version: int | None
) -> tuple[Dossier, Transition]:
    _require_user(actor, action)
    transition = TRANSITIONS[action]
    locked = _lock(dossier, expected_version)
    if locked.state not in transition.sources:
        raise Conflict(
            "invalid_transition",
            f"Không thể thực hiện «{transition.label_vi}» khi hồ sơ {locked.code} đang ở trạng "
            f"thái «{LABELS_VI[locked.state]}».",
        )
    return locked, transition


def _snapshot(dossier: Dossier) -> dict[str, Any]:
    return {
        "status": dossier.status,
        "version": dossier.version,
        "due_at": dossier.due_at,
        "appointment_at": dossier.appointment_at,
        "supplement_count": dossier.supplement_count,
        "stage": dossier.stage,
        "plan_index": dossier.plan_index,
    }


def _save(dossier: Dossier, now: datetime) -> None:
    """Write every field with ``version + 1``, only if the row still has the old version."""
    old = dossier.version
    dossier.version = old + 1
    dossier.updated_at = now
    values = {
        field.attname: getattr(dossier, field.attname)
        for field in Dossier._meta.concrete_fields
        if not field.primary_key
    }
    updated = Dossier.objects.filter(pk=dossier.pk, version=old).update(**values)
    if updated != 1:
        dossier.version = old
        raise Conflict(
            "concurrent_update",
            f"Hồ sơ {dossier.code} vừa được cập nhật bởi người khác; vui lòng tải lại.",
            field="expected_version",
        )


def _log(
    *,
    actor: Any,
    dossier: Dossier,
    action: str,
    from_status: str,
    before: dict[str, Any] | None,
    now: datetime,
    step: DossierStep | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    outcome: str = "",
    agency_id: int | None = None,
) -> DossierHistory:
    """History row, outbox event and its job, audit event: the same transaction as the change."""
    history = DossierHistory.objects.create(
        dossier=dossier,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=_user_or_none(actor),
        actor_label=_actor_name(actor),
        step=step,
        step_name=step.name if step else "",
        agency_id=agency_id or (step.agency_id if step else None),
        at=now,
        due_at=due_at if due_at is not None else (step.due_at if step else dossier.due_at),
        outcome=outcome,
        note=note,
        data=_json_ready(data or {}),
    )
    event = DossierEvent.objects.create(
        dossier=dossier,
        history=history,
        kind=f"dossier.{action}",
        payload={
            "code": dossier.code,
            "action": action,
            "from_status": from_status,
            "status": dossier.status,
            "national_status": dossier.national_status,
            "version": dossier.version,
            "at": timezone.localtime(now).isoformat(),
            "step": step.name if step else None,
            "appointment_at": timezone.localtime(dossier.appointment_at).isoformat()
            if dossier.appointment_at
            else None,
        },
        created_at=now,
    )
    enqueue("dossiers.publish_event", event_id=event.pk)
    indicators.record_change(dossier, action=action, from_status=from_status, now=now)
    after = _snapshot(dossier)
    if data:
        after["data"] = data
    record(actor=actor, action=f"dossiers.{action}", target=dossier, before=before, after=after)
    return history


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return value


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
    actor: Any,
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
    actor: Any,
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
    actor: Any,
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
    actor: Any,
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


# --- Creating dossiers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Applicant:
    citizen: Citizen | None
    organisation: Organisation | None
    name: str
    id_number: str
    address: str
    phone: str
    email: str


def _applicant(citizen: Citizen | None, organisation: Organisation | None) -> _Applicant:
    if organisation is not None:
        return _Applicant(
            citizen=None,
            organisation=organisation,
            name=organisation.name,
            id_number=organisation.tax_code,
            address=organisation.address,
            phone=organisation.phone,
            email=organisation.email,
        )
    if citizen is None:
        raise DomainError(
            "applicant_required", "Cần chọn công dân hoặc tổ chức nộp hồ sơ.", field="applicant"
        )
    return _Applicant(
        citizen=citizen,
        organisation=None,
        name=citizen.full_name,
        id_number=citizen.personal_id,
        address=citizen.address,
        phone=citizen.phone,
        email=citizen.email,
    )


def _form_contact(schema: Mapping[str, Any], cleaned: Mapping[str, Any], kind: str) -> str:
    """The first phone (``kind`` "phone") or e-mail address filled in the form."""
    for spec in schema.get("fields") or ():
        value = cleaned.get(spec.get("name"))
        if spec.get("type") == kind and isinstance(value, str) and value:
            return value
    return ""


def _with_contact(
    applicant: _Applicant,
    version: ProcedureVersion,
    cleaned: Mapping[str, Any],
    *,
    phone: str = "",
    email: str = "",
) -> _Applicant:
    """The dossier's contact: the phone / e-mail given for this dossier (at the counter, then
    in the form) before the applicant's profile. Notifications go there."""
    schema = version.form_schema or {}
    return replace(
        applicant,
        phone=(phone.strip() or _form_contact(schema, cleaned, "phone") or applicant.phone)[:20],
        email=email.strip() or _form_contact(schema, cleaned, "email") or applicant.email,
    )


def _version_in_force(procedure: Procedure) -> ProcedureVersion:
    """The version in force today (``procedure_not_in_force`` from the catalogue otherwise)."""
    return catalog.current_version(procedure)


def _process(version: ProcedureVersion, agency: Agency) -> Process | None:
    """The agency's internal process for the version, or None (the fallback plan is used)."""
    try:
        return catalog.process_for(version, agency)
    except DomainError as exc:
        if exc.code == "no_process":
            return None
        raise


def _check_channel(version: ProcedureVersion, channel: str) -> None:
    wanted = {"online": "online", "in_person": "direct", "postal": "postal"}[channel]
    offered = list(version.submission_channels or [])
    refused = (offered and wanted not in offered) or (
        channel == Channel.ONLINE and version.online_level == "none"
    )
    if refused:
        raise DomainError(
            "channel_not_offered",
            f"Thủ tục này không nhận hồ sơ theo hình thức «{Channel(channel).label}».",
            field="channel",
        )


def _check_desk(desk: Desk, agency: Agency) -> None:
    if not desk.active or not desk.serves.filter(pk=agency.pk).exists():
        raise DomainError(
            "desk_not_serving",
            f"«{desk.name}» không tiếp nhận hồ sơ cho {agency.name}.",
            field="desk",
        )


def default_desk(agency: Agency) -> Desk:
    """The desk an online dossier goes to when the applicant picks none: an active desk serving
    the competent agency, preferring the agency's own desk, then the oldest."""
    desks = list(
        Desk.objects.filter(serves=agency, active=True).select_related("agency").order_by("pk")
    )
    if not desks:
        raise DomainError(
            "no_desk",
            f"Chưa có Bộ phận Một cửa nào tiếp nhận hồ sơ cho {agency.name}.",
            field="desk",
        )
    own = [desk for desk in desks if desk.agency_id == agency.pk]
    return (own or desks)[0]


def _check_agency(agency: Agency) -> None:
    if not agency.active:
        raise DomainError(
            "agency_inactive", f"{agency.name} không còn hoạt động.", field="competent_agency"
        )


def _validate_form(
    version: ProcedureVersion,
    data: Mapping[str, Any],
    checked: Mapping[str, list[dict[str, Any]]],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The form data cleaned by the catalogue's form schema. File fields of the form are bound
    to component codes; they get the files' sniffed types and real sizes, not the client's (on
    a supplement, a file field without a new upload keeps the files it had)."""
    schema = version.form_schema or {}
    form_files: dict[str, list[Any]] = {}
    for spec in schema.get("fields") or []:
        if spec.get("type") != "file":
            continue
        if checked.get(spec.get("component")):
            form_files[spec["name"]] = checked[spec["component"]]
        elif previous and previous.get(spec["name"]):
            form_files[spec["name"]] = list(previous[spec["name"]])
    return dict(validate_data(schema, dict(data), files=form_files))


def _precheck(
    slots: Mapping[str, Component | DossierComponent], files: Mapping[str, Sequence[Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Check every upload against its slot before anything is written; return, per component
    code, the ``{name, size, content_type}`` the form validation reads."""
    result: dict[str, list[dict[str, Any]]] = {}
    for code, uploads in files.items():
        slot = slots[code]
        items = []
        for upload in uploads:
            name = attachments.upload_name(upload)
            checked = attachments.check(
                upload,
                name=name,
                slot_code=slot.code,
                slot_name=slot.name,
                allowed_types=slot.allowed_types,
                max_size_bytes=slot.max_size_bytes,
            )
            items.append(
                {"name": checked.name, "size": checked.size, "content_type": checked.mime_type}
            )
        result[code] = items
    return result


def _slots(version: ProcedureVersion) -> list[Component]:
    return list(version.components.order_by("order"))


class _Unread:
    """Marks an argument the caller has not read (``None`` is a meaningful value)."""


UNREAD = _Unread()


def _check_files(
    slots: list[Component],
    files: Mapping[str, Sequence[Any]],
    *,
    paper: set[str] | None,
) -> None:
    known = {slot.code for slot in slots}
    for code in files:
        if code not in known:
            raise DomainError(
                "unknown_component",
                f"Thủ tục không có thành phần hồ sơ mã «{code}».",
                field=f"files.{code}",
            )
    for slot in slots:
        present = bool(files.get(slot.code)) or (paper is not None and slot.code in paper)
        if slot.mandatory and not present:
            raise DomainError(
                "component_missing",
                f"Thiếu thành phần hồ sơ bắt buộc «{slot.name}».",
                field=f"files.{slot.code}",
            )


def _create(
    *,
    actor: Any,
    version: ProcedureVersion,
    competent_agency: Agency,
    desk: Desk,
    applicant: _Applicant,
    channel: str,
    form_data: dict[str, Any],
    files: Mapping[str, Sequence[Any]],
    submitted_by: Any,
    now: datetime,
    stored: attachments.StoredFiles,
    slots: list[Component] | None = None,
    process: Process | None | _Unread = UNREAD,
) -> tuple[Dossier, list[Component], dict[str, DossierComponent], dict[int, list[Attachment]]]:
    """Insert the dossier, its component slots and its attachments. ``slots`` and ``process``:
    the version's components and the agency's process when the caller has read them already."""
    code, rule = codes.allocate(agency_code=desk.agency.code, at=now)
    if isinstance(process, _Unread):
        process = _process(version, competent_agency)
    dossier = Dossier.objects.create(
        code=code,
        code_rule=rule,
        procedure_version=version,
        process=process,
        channel=channel,
        status=Status.SUBMITTED,
        applicant_citizen=applicant.citizen,
        applicant_organisation=applicant.organisation,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        submitted_by=submitted_by,
        desk=desk,
        receiving_agency=desk.agency,
        competent_agency=competent_agency,
        form_data=form_data,
        submitted_at=now,
    )
    if slots is None:
        slots = _slots(version)
    created = DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier,
            component=slot,
            code=slot.code,
            name=slot.name[:500],
            mandatory=slot.mandatory,
            allowed_types=list(slot.allowed_types or []),
            max_size_bytes=slot.max_size_bytes,
        )
        for slot in slots
    )
    by_code = {component.code: component for component in created}
    files_of: dict[int, list[Attachment]] = {}
    for slot_code, uploads in files.items():
        for number, upload in enumerate(uploads, start=1):
            item = attachments.store(
                by_code[slot_code], upload, actor=actor, stored=stored, version=number
            )
            files_of.setdefault(item.component_id, []).append(item)
    return dossier, slots, by_code, files_of


def created_parts(dossier: Dossier) -> tuple[list[DossierComponent], dict[int, list[Attachment]]]:
    """The component slots and attachments of a dossier :func:`dossier_submit_online` has just
    created, as written (slot order; attachments by slot id, in version order), so the answer
    need not read them back; ``([], {})`` for any other dossier instance."""
    return getattr(dossier, "_created_parts", ([], {}))


def dossier_submit_online(
    *,
    actor: Any,
    procedure: Procedure,
    competent_agency: Agency,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Any]],
    desk: Desk | None = None,
    organisation: Organisation | None = None,
    on_behalf: applicant_rules.OnBehalf | None = None,
) -> Dossier:
    """An applicant submits online (status 1, awaiting reception).

    The applicant is the actor's citizen profile, or ``organisation`` when the actor is one of
    its current representatives; ``on_behalf`` declares that the citizen submits for another
    person (``congso.dossiers.applicant``: who may claim what, the identity fields tied to the
    account, the proof). The dossier gets its code now, from the receiving desk's agency
    identifier and today's date: the desk the applicant chose (it must serve the competent
    agency) or :func:`default_desk`.
    """
    _require_user(actor, "submit")
    citizen = Citizen.objects.filter(user_id=actor.pk).first()
    # --- issue 13 #4 (acting for others): who the dossier is for, checked before any write.
    claim = applicant_rules.claim_for(
        actor=actor,
        citizen=citizen,
        procedure=procedure,
        organisation=organisation,
        on_behalf=on_behalf,
    )
    # --- end issue 13 #4
    applicant = _applicant(citizen if organisation is None else None, organisation)
    _check_agency(competent_agency)
    catalogue = catalog_cache.snapshot()
    version = catalogue.version_in_force(procedure, timezone.localdate())
    _check_channel(version, Channel.ONLINE)
    if desk is None:
        chosen = default_desk(competent_agency)  # active and serving the agency already
    else:
        chosen = desk
        _check_desk(chosen, competent_agency)
    slots = catalogue.components(version)
    # Online, the components the form does not ask for (paper only, shown at the desk, replaced
    # by the online form) or asks for only in some cases are not missing.
    _check_files(slots, files, paper=optional_online(version.form_schema or {}))
    checked = _precheck({slot.code: slot for slot in slots}, files)
    cleaned = _validate_form(version, form_data, checked)
    # --- issue 13 #4: identity fields tied to the account (or to the person acted for); proof.
    cleaned = applicant_rules.bind(claim, version.form_schema or {}, cleaned)
    applicant_rules.check_proof(claim)
    # --- end issue 13 #4
    applicant = _with_contact(applicant, version, cleaned)
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            now = _now()
            dossier, _slots_created, by_code, files_of = _create(
                actor=actor,
                version=version,
                competent_agency=competent_agency,
                desk=chosen,
                applicant=applicant,
                channel=Channel.ONLINE,
                form_data=cleaned,
                files=files,
                submitted_by=actor,
                now=now,
                stored=stored,
                slots=slots,
                process=catalogue.process(version, competent_agency),
            )
            # --- issue 13 #4: the declaration (and the proof's slot and files).
            applicant_rules.record_declaration(
                claim,
                dossier=dossier,
                actor=actor,
                stored=stored,
                now=now,
                by_code=by_code,
                files_of=files_of,
            )
            # --- end issue 13 #4
            _log(
                actor=actor,
                dossier=dossier,
                action="submit",
                from_status="",
                before=None,
                now=now,
                agency_id=chosen.agency_id,
                data=applicant_rules.history_data(claim),  # issue 13 #4
            )
    except BaseException:
        stored.discard()
        raise
    dossier._created_parts = (list(by_code.values()), files_of)  # type: ignore[attr-defined]
    return dossier


def dossier_receive_in_person(
    *,
    actor: Any,
    procedure: Procedure,
    competent_agency: Agency,
    desk: Desk,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Any]],
    citizen: Citizen | None = None,
    organisation: Organisation | None = None,
    channel: str = Channel.IN_PERSON,
    paper_components: Iterable[str] | None = None,
    note: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Dossier:
    """A reception officer enters a dossier handed in at the desk or arrived by post: it is
    received at once (status 2, form 01) with its code and appointment.

    ``contact_phone`` / ``contact_email``: the contact the applicant gave at the desk; with the
    form's, they come before the applicant's profile (notifications go there).

    ``files`` are the scans made at the desk (those components are marked digitised);
    ``paper_components`` the component codes received on paper (default: every component with
    a scan, plus every mandatory one). Every mandatory component must be on paper or scanned.
    """
    _require_user(actor, "receive")
    if channel not in (Channel.IN_PERSON, Channel.POSTAL):
        raise DomainError(
            "invalid_channel",
            "Hồ sơ nhập tại quầy chỉ có hình thức trực tiếp hoặc qua bưu chính.",
            field="channel",
        )
    if not is_reception_at(actor, desk):
        raise PermissionDenied(
            "not_reception_officer", f"Bạn không phải cán bộ tiếp nhận của «{desk.name}»."
        )
    applicant = _applicant(citizen, organisation)
    _check_agency(competent_agency)
    _check_desk(desk, competent_agency)
    version = _version_in_force(procedure)
    _check_channel(version, channel)
    slots = _slots(version)
    if paper_components is None:
        paper = {slot.code for slot in slots if slot.mandatory or files.get(slot.code)}
    else:
        paper = set(paper_components)
        unknown = paper - {slot.code for slot in slots}
        if unknown:
            raise DomainError(
                "unknown_component",
                f"Thủ tục không có thành phần hồ sơ mã «{sorted(unknown)[0]}».",
                field="paper_components",
            )
    _check_files(slots, files, paper=paper)
    checked = _precheck({slot.code: slot for slot in slots}, files)
    cleaned = _validate_form(version, form_data, checked)
    applicant = _with_contact(applicant, version, cleaned, phone=contact_phone, email=contact_email)
    text = _text(note, field="note", label="ghi chú")
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            now = _now()
            dossier, _slots_created, by_code, _files_of = _create(
                actor=actor,
                version=version,
                competent_agency=competent_agency,
                desk=desk,
                applicant=applicant,
                channel=channel,
                form_data=cleaned,
                files=files,
                submitted_by=None,
                now=now,
                stored=stored,
            )
            for slot_code, component in by_code.items():
                component.paper_received = slot_code in paper
                if files.get(slot_code):
                    component.digitised = True
                    component.digitised_by = actor
                    component.digitised_at = now
                component.save()
            calendar = calendar_for(competent_agency)
            _mark_received(dossier, actor=actor, now=now, calendar=calendar, note=text)
            dossier.save()  # created in this transaction: still version 1, like its history
            _log(
                actor=actor,
                dossier=dossier,
                action="receive",
                from_status="",
                before=None,
                now=now,
                note=text,
                agency_id=desk.agency_id,
                data={"channel": channel, "paper_components": sorted(paper)},
            )
    except BaseException:
        stored.discard()
        raise
    return dossier


def _mark_received(
    dossier: Dossier, *, actor: Any, now: datetime, calendar: WorkCalendar, note: str
) -> None:
    dossier.status = Status.RECEIVED
    dossier.received_at = now
    dossier.received_by = actor
    _start_clock(dossier, now=now, calendar=calendar)
    dossier.initial_appointment_at = dossier.appointment_at
    plan = plan_of(dossier, calendar)
    start, _end = _processing_bounds(plan)
    started = dossier.submitted_at if dossier.channel == Channel.ONLINE else now
    for group in plan[:start]:
        _record_done_group(
            dossier, group, started_at=started, now=now, actor=actor, calendar=calendar, note=note
        )


# --- Reception ------------------------------------------------------------------------------------


def _require_reception(actor: Any, dossier: Dossier) -> None:
    if not is_reception_officer(actor, dossier):
        raise PermissionDenied(
            "not_reception_officer",
            f"Chỉ cán bộ tiếp nhận của «{dossier.desk.name}» được thực hiện thao tác này.",
        )


def dossier_receive(
    *,
    actor: Any,
    dossier: Dossier,
    note: str = "",
    expected_version: int | None = None,
    declaration_checked: bool = False,
) -> Dossier:
    """The desk accepts an online dossier (form 01): appointment date from now (15:00 rule).

    A dossier submitted for someone else needs ``declaration_checked`` (the officer checked the
    declared relationship and its proof; ``congso.dossiers.applicant.check_at_reception``)."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "receive", expected_version)
        _require_reception(actor, d)
        before, now = _snapshot(d), _now()
        text = _text(note, field="note", label="ghi chú")
        # --- issue 13 #4: the declaration of a dossier submitted for someone else is checked.
        checked = applicant_rules.check_at_reception(
            d, actor=actor, checked=declaration_checked, now=now
        )
        # --- end issue 13 #4
        calendar = calendar_for(d.competent_agency)
        from_status = d.status
        _mark_received(d, actor=actor, now=now, calendar=calendar, note=text)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            agency_id=d.receiving_agency_id,
            data=checked,  # issue 13 #4
        )
    return d


def dossier_not_accept(
    *, actor: Any, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The desk refuses to receive an online dossier (form 03), with the reason."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "not_accept", expected_version)
        _require_reception(actor, d)
        text = _reason(transition, reason)
        before, now, from_status = _snapshot(d), _now(), d.status
        d.status = Status.NOT_ACCEPTED
        d.outcome_reason = text
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            agency_id=d.receiving_agency_id,
        )
    return d


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
    actor: Any,
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
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "request_supplement", expected_version)
        step = None
        if d.status == Status.PROCESSING:
            step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
            _check_step_allows(step, transition.action)
            phase = SupplementRequest.Phase.APPRAISAL
        else:
            _require_reception(actor, d)
            phase = SupplementRequest.Phase.RECEPTION
        text = _reason(transition, reason)
        items = _supplement_items(d, missing_items)
        before, now, from_status = _snapshot(d), _now(), d.status
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
            requested_by=actor,
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
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            data={"supplement_request": request.pk, "items": items, "count": d.supplement_count},
        )
    return d


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
    actor: Any,
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
    with transaction.atomic():
        base = _lock(dossier, expected_version)
        action = "supplement" if base.received_at is not None else "resubmit"
        d, transition = _begin(actor, base, action, base.version)
        officer = is_reception_officer(actor, d)
        if not officer and not is_applicant(actor, d):
            raise PermissionDenied(
                "not_applicant", "Chỉ người nộp hồ sơ hoặc cán bộ tiếp nhận được bổ sung hồ sơ."
            )
        request = d.supplements.filter(fulfilled_at__isnull=True).order_by("-requested_at").first()
        components = {component.code: component for component in d.components.all()}
        items = request.items if request is not None else []
        supplied = dict(form_data or {})
        _check_supplement(items, files, supplied, components, officer=officer)
        text = _text(note, field="note", label="ghi chú")
        before, now, from_status = _snapshot(d), _now(), d.status
        checked = _precheck(components, files)
        if supplied or checked:
            d.form_data = _validate_form(
                d.procedure_version, {**_form_values(d), **supplied}, checked, d.form_data
            )
        stored = attachments.StoredFiles()
        try:
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
            if transition.target == Status.RECEIVED:
                _start_clock(d, now=now, calendar=calendar)
                d.plan_index = None
            d.status = transition.target or d.status
            _save(d, now)
            _log(
                actor=actor,
                dossier=d,
                action=transition.action,
                from_status=from_status,
                before=before,
                now=now,
                note=text,
                data={
                    "supplement_request": request.pk if request else None,
                    "attachments": [
                        {"component": a.component.code, "version": a.version, "sha256": a.sha256}
                        for a in added
                    ],
                },
            )
        except BaseException:
            stored.discard()
            raise
    return d


def dossier_start_processing(
    *,
    actor: Any,
    dossier: Dossier,
    assignee: Any = None,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The desk hands the received dossier to the competent agency: the first processing step
    of the internal process starts (optionally assigned to one officer)."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "start_processing", expected_version)
        _require_reception(actor, d)
        text = _text(note, field="note", label="ghi chú")
        before, now, from_status = _snapshot(d), _now(), d.status
        calendar = calendar_for(d.competent_agency)
        plan = plan_of(d, calendar)
        d.plan_index = None
        index = _next_processing_index(d, plan)
        if index is None:  # pragma: no cover - plan_of always has a processing group
            raise DomainError("no_process", "Thủ tục chưa có bước xử lý.")
        steps = _start_group(
            d, plan, index, now=now, calendar=calendar, assignee=assignee, request_note=text
        )
        d.status = Status.PROCESSING
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=steps[0],
            note=text,
            data={"steps": [step.name for step in steps]},
            agency_id=d.receiving_agency_id,
        )
    return d


# --- Processing -----------------------------------------------------------------------------------


def dossier_forward(
    *,
    actor: Any,
    dossier: Dossier,
    step_id: int | None = None,
    note: str = "",
    assignee: Any = None,
    expected_version: int | None = None,
) -> Dossier:
    """The holder of the current step finishes it; when the stage is complete the next group
    of the internal process starts. In a stage with a lead (liên thông), the lead finishes
    last."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "forward", expected_version)
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, transition.action)
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
        before, now, from_status = _snapshot(d), _now(), d.status
        _end_step(step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text)
        started = _advance(d, plan, now=now, calendar=calendar, assignee=assignee)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            outcome=step.timeliness,
            data={"next_steps": [item.name for item in started]},
        )
    return d


def dossier_send_back(
    *,
    actor: Any,
    dossier: Dossier,
    reason: str,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Return the dossier to the previous step of the process, with the reason. The current
    stage's steps end; the previous group runs again (new step rows)."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "send_back", expected_version)
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, transition.action)
        text = _reason(transition, reason)
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
        before, now, from_status = _snapshot(d), _now(), d.status
        _end_step(
            step, status=StepStatus.SENT_BACK, actor=actor, now=now, calendar=calendar, note=text
        )
        _cancel_active(d, actor=actor, now=now, calendar=calendar, note="Hồ sơ bị trả lại.")
        started = _start_group(d, plan, target, now=now, calendar=calendar, request_note=text)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            outcome=step.timeliness,
            data={"back_to": [item.name for item in started]},
        )
    return d


@dataclass(frozen=True)
class ParallelRequest:
    """One agency (and optionally department) asked to act in parallel, with its own time."""

    agency: Agency
    hours: Decimal
    role: str = Role.SPECIALIST
    department: Department | None = None
    is_lead: bool = False
    note: str = ""


def _check_parallel(items: Sequence[ParallelRequest], *, field: str) -> None:
    if not items:
        raise DomainError("targets_required", "Cần chọn ít nhất một cơ quan.", field=field)
    for index, item in enumerate(items):
        if not item.agency.active:
            raise DomainError(
                "agency_inactive",
                f"{item.agency.name} không còn hoạt động.",
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
    actor: Any,
    dossier: Dossier,
    reason: str,
    consultations: Sequence[ParallelRequest],
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask other agencies or departments for their opinion, in parallel, each with its own
    deadline (ND 61/2018 art. 19.5). The current step waits for every answer."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "consult", expected_version)
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, transition.action)
        text = _reason(transition, reason)
        _check_parallel(consultations, field="consultations")
        before, now, from_status = _snapshot(d), _now(), d.status
        calendar = calendar_for(d.competent_agency)
        created = [
            _parallel_step(
                d,
                item,
                kind=StepKind.CONSULTATION,
                prefix="Xin ý kiến",
                parent=step,
                now=now,
                calendar=calendar,
                note=text,
            )
            for item in consultations
        ]
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            data={
                "consultations": [
                    {"step": item.pk, "agency": item.agency_id, "due_at": item.due_at}
                    for item in created
                ]
            },
        )
    return d


def dossier_answer_consultation(
    *,
    actor: Any,
    dossier: Dossier,
    note: str,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """A consulted agency answers (its consultation step ends, classified against its own
    deadline)."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "answer_consultation", expected_version)
        step = _choose_step(actor, d, step_id, kinds=(StepKind.CONSULTATION,), main_only=False)
        _check_step_allows(step, transition.action)
        text = _text(note, field="note", label="nội dung ý kiến", required=True)
        before, now, from_status = _snapshot(d), _now(), d.status
        calendar = calendar_for(d.competent_agency)
        _end_step(step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text)
        started: list[DossierStep] = []
        if step.parent_id is None:
            started = _advance(d, plan_of(d, calendar), now=now, calendar=calendar)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            outcome=step.timeliness,
            data={"next_steps": [item.name for item in started]},
        )
    return d


def dossier_transfer(
    *,
    actor: Any,
    dossier: Dossier,
    reason: str,
    transfers: Sequence[ParallelRequest],
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Inter-agency handling (liên thông, ND 61/2018 art. 19.6): the dossier goes to every
    agency at once, each with its own deadline; one leads and finishes last. When all are done
    the internal process continues (or the lead's leader completes the dossier)."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "transfer", expected_version)
        step = _choose_step(actor, d, step_id, kinds=(StepKind.STEP,))
        _check_step_allows(step, transition.action)
        text = _reason(transition, reason)
        _check_parallel(transfers, field="transfers")
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
        before, now, from_status = _snapshot(d), _now(), d.status
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
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            outcome=step.timeliness,
            data={
                "transfers": [
                    {
                        "step": item.pk,
                        "agency": item.agency_id,
                        "lead": item.is_lead,
                        "due_at": item.due_at,
                    }
                    for item in created
                ]
            },
        )
    return d


def dossier_request_payment(
    *,
    actor: Any,
    dossier: Dossier,
    reason: str,
    amount_vnd: int | None = None,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant to pay fees or fulfil a financial obligation; the clock pauses."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "request_payment", expected_version)
        step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
        _check_step_allows(step, transition.action)
        text = _reason(transition, reason)
        if amount_vnd is not None and amount_vnd < 0:
            raise DomainError("invalid_amount", "Số tiền không được âm.", field="amount_vnd")
        before, now, from_status = _snapshot(d), _now(), d.status
        d.status = Status.PAYMENT_REQUESTED
        d.paused_at = now
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            data={"amount_vnd": amount_vnd},
        )
    return d


def dossier_confirm_payment(
    *,
    actor: Any,
    dossier: Dossier,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The payment arrived (an officer of the desk or of the current step, or the system): the
    clock resumes and every due time moves back by the working time spent waiting."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "confirm_payment", expected_version)
        if actor is not None and not is_reception_officer(actor, d):
            active = d.steps.filter(status=StepStatus.ACTIVE, parent__isnull=True)
            if not any(can_work_on_step(actor, step) for step in active):
                raise PermissionDenied(
                    "not_step_holder",
                    "Chỉ cán bộ tiếp nhận hoặc người đang xử lý hồ sơ được xác nhận đã nộp.",
                )
        text = _text(note, field="note", label="ghi chú")
        before, now, from_status = _snapshot(d), _now(), d.status
        calendar = calendar_for(d.competent_agency)
        paused_before = d.paused_seconds
        _resume_clock(d, now=now, calendar=calendar)
        d.status = Status.PROCESSING
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            data={"paused_seconds": d.paused_seconds - paused_before},
        )
    return d


def dossier_refuse(
    *,
    actor: Any,
    dossier: Dossier,
    reason: str,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Stop processing after appraisal (form 03, with reasons), within the time limit.

    During processing, the holder of the current step; a received dossier not yet handed over,
    the desk or a leader of the competent agency."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "refuse", expected_version)
        step = None
        if d.status == Status.PROCESSING:
            step = _choose_step(actor, d, step_id, kinds=MAIN_KINDS)
            _check_step_allows(step, transition.action)
        elif not is_reception_officer(actor, d) and not holds_role(
            actor, (LEADER,), d.competent_agency_id
        ):
            raise PermissionDenied(
                "not_allowed",
                "Chỉ cán bộ tiếp nhận hoặc lãnh đạo cơ quan có thẩm quyền được dừng xử lý.",
            )
        text = _reason(transition, reason)
        before, now, from_status = _snapshot(d), _now(), d.status
        calendar = calendar_for(d.competent_agency)
        if step is not None:
            _end_step(
                step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text
            )
        _cancel_active(d, actor=actor, now=now, calendar=calendar, note="Hồ sơ dừng xử lý.")
        d.status = Status.STOPPED
        d.outcome_reason = text
        _end_processing(d, now=now, calendar=calendar)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            outcome=d.timeliness,
            due_at=d.due_at,
        )
    return d


def _check_e_result_signed(dossier: Dossier) -> None:
    """A procedure with an e-result template completes only with its latest result signed."""
    if (blocker := completion_blocker(dossier)) is not None:
        raise Conflict("result_not_signed", blocker)


def dossier_complete(
    *,
    actor: Any,
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
    signed first (``congso.signing``; docs/signing.md).
    """
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "complete", expected_version)
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
            _check_step_allows(step, transition.action)
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
        text = _text(result_summary, field="result_summary", label="kết quả giải quyết")
        before, now, from_status = _snapshot(d), _now(), d.status
        if step is not None:
            _end_step(
                step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text
            )
        d.status = Status.PROCESSED
        d.processed_at = now
        d.result_summary = text
        _end_processing(d, now=now, calendar=calendar)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            step=step,
            note=text,
            outcome=d.timeliness,
            due_at=d.due_at,
        )
    return d


def dossier_return_result(
    *,
    actor: Any,
    dossier: Dossier,
    method: str,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The desk returns the result: at the desk, by post or online (status 10)."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "return_result", expected_version)
        _require_reception(actor, d)
        if method not in ReturnMethod.values:
            raise DomainError(
                "invalid_return_method",
                "Hình thức trả kết quả phải là desk (tại quầy), post (bưu chính) hoặc online.",
                field="method",
            )
        text = _text(note, field="note", label="ghi chú")
        before, now, from_status = _snapshot(d), _now(), d.status
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
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            data={"method": method},
            agency_id=d.receiving_agency_id,
        )
    return d


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
    actor: Any,
    dossier: Dossier,
    reason: str,
    new_appointment_at: datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Apology and new appointment (form 04): at most once, at least one working day before
    the appointment (ND 61/2018 art. 19.9). Only the date told to the applicant moves; the
    early/on-time/late classification still uses the legal due time."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "apologise", expected_version)
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
        text = _reason(transition, reason)
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
        if not isinstance(new_appointment_at, datetime) or timezone.is_naive(new_appointment_at):
            raise DomainError(
                "naive_datetime",
                "Ngày hẹn mới phải kèm múi giờ (ví dụ 2026-03-10T17:00:00+07:00).",
                field="new_appointment_at",
            )
        now = _now()
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
        before, from_status = _snapshot(d), d.status
        d.rescheduled_from = d.appointment_at
        d.appointment_at = new_appointment_at
        d.apology_at = now
        d.apology_reason = text
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            due_at=d.appointment_at,
            data={
                "old_appointment_at": d.rescheduled_from,
                "new_appointment_at": new_appointment_at,
            },
            agency_id=d.competent_agency_id,
        )
    return d


# --- The applicant --------------------------------------------------------------------------------


def _require_applicant(actor: Any, dossier: Dossier) -> None:
    if not is_applicant(actor, dossier):
        raise PermissionDenied("not_applicant", "Chỉ người nộp hồ sơ được thực hiện thao tác này.")


def dossier_request_withdrawal(
    *, actor: Any, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The applicant asks to withdraw the dossier; the desk confirms or declines."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "request_withdrawal", expected_version)
        _require_applicant(actor, d)
        text = _reason(transition, reason)
        before, now, from_status = _snapshot(d), _now(), d.status
        d.status_before_withdrawal = d.status
        d.status = Status.WITHDRAWAL_REQUESTED
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
        )
    return d


def dossier_confirm_withdrawal(
    *, actor: Any, dossier: Dossier, note: str = "", expected_version: int | None = None
) -> Dossier:
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "confirm_withdrawal", expected_version)
        _require_reception(actor, d)
        text = _text(note, field="note", label="ghi chú")
        before, now, from_status = _snapshot(d), _now(), d.status
        calendar = calendar_for(d.competent_agency)
        _cancel_active(d, actor=actor, now=now, calendar=calendar, note="Công dân rút hồ sơ.")
        d.status = Status.WITHDRAWN
        d.status_before_withdrawal = ""
        _end_processing(d, now=now, calendar=calendar)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            outcome=d.timeliness,
            agency_id=d.receiving_agency_id,
        )
    return d


def dossier_decline_withdrawal(
    *, actor: Any, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The desk declines the withdrawal: the dossier returns to the state it was in."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "decline_withdrawal", expected_version)
        _require_reception(actor, d)
        text = _reason(transition, reason)
        before, now, from_status = _snapshot(d), _now(), d.status
        d.status = d.status_before_withdrawal or Status.RECEIVED
        d.status_before_withdrawal = ""
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            agency_id=d.receiving_agency_id,
        )
    return d


def dossier_rate(
    *,
    actor: Any,
    dossier: Dossier,
    score: int,
    comment: str = "",
    expected_version: int | None = None,
) -> Rating:
    """The applicant rates the handling, once, after the result was returned."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "rate", expected_version)
        _require_applicant(actor, d)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise DomainError(
                "invalid_score", "Điểm đánh giá là số nguyên từ 1 đến 5.", field="score"
            )
        if Rating.objects.filter(dossier=d).exists():
            raise Conflict("already_rated", "Hồ sơ này đã được đánh giá.")
        text = _text(comment, field="comment", label="nhận xét")
        before, now, from_status = _snapshot(d), _now(), d.status
        rating = Rating.objects.create(
            dossier=d, score=score, comment=text, rated_by=actor, created_at=now
        )
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            data={"score": score},
        )
    return rating


# --- Components -----------------------------------------------------------------------------------


def _may_handle_components(actor: Any, dossier: Dossier) -> bool:
    if is_reception_officer(actor, dossier):
        return True
    active = dossier.steps.filter(status=StepStatus.ACTIVE)
    return any(can_work_on_step(actor, step) for step in active)


def dossier_component_mark(
    *,
    actor: Any,
    dossier: Dossier,
    component_code: str,
    verified: bool | None = None,
    digitised: bool | None = None,
    scan: Any = None,
    expected_version: int | None = None,
) -> DossierComponent:
    """An officer (the desk, or the holder of a running step) marks a component as verified
    (checked against the original) and/or digitised, optionally adding the scan as a new
    version. Audited, recorded in the history."""
    _require_user(actor, "mark_component")
    if verified is None and digitised is None and scan is None:
        raise DomainError(
            "nothing_to_change", "Chọn kiểm tra, số hóa hoặc tải bản quét.", field="verified"
        )
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            d = _lock(dossier, expected_version)
            if d.state not in (
                Status.SUBMITTED,
                Status.RECEIVED,
                Status.PROCESSING,
                Status.PAYMENT_REQUESTED,
                Status.PROCESSED,
            ):
                raise Conflict(
                    "invalid_transition",
                    f"Không cập nhật thành phần khi hồ sơ đang «{LABELS_VI[d.state]}».",
                )
            if not _may_handle_components(actor, d):
                raise PermissionDenied(
                    "not_allowed",
                    "Chỉ cán bộ tiếp nhận hoặc người đang xử lý hồ sơ được cập nhật thành phần.",
                )
            component = d.components.filter(code=component_code).first()
            if component is None:
                raise NotFound(
                    "unknown_component",
                    f"Hồ sơ không có thành phần mã «{component_code}».",
                    field="component",
                )
            before, now = _snapshot(d), _now()
            changes: dict[str, Any] = {"component": component.code}
            if scan is not None:
                added = attachments.store(component, scan, actor=actor, stored=stored)
                changes["scan"] = {"version": added.version, "sha256": added.sha256}
                digitised = True if digitised is None else digitised
            if verified is not None:
                component.verified = verified
                component.verified_by = actor if verified else None
                component.verified_at = now if verified else None
                changes["verified"] = verified
            if digitised is not None:
                component.digitised = digitised
                component.digitised_by = actor if digitised else None
                component.digitised_at = now if digitised else None
                changes["digitised"] = digitised
            component.save()
            _save(d, now)
            _log(
                actor=actor,
                dossier=d,
                action="mark_component",
                from_status=d.status,
                before=before,
                now=now,
                note=component.name,
                data=changes,
            )
    except BaseException:
        stored.discard()
        raise
    return component


#: Roles that supervise the work of an agency (or, for a department head, of a department)
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


def supervisor_scopes(actor: Any) -> list[tuple[str, int, int | None]]:
    """The actor's supervising roles in force: ``(role, agency id, department id)``."""
    if not is_authenticated_user(actor):
        return []
    return list(
        current_roles(actor, SUPERVISOR_ROLES).values_list("role", "agency_id", "department_id")
    )


def may_reassign(
    actor: Any, step: DossierStep, scopes: list[tuple[str, int, int | None]] | None = None
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
    actor: Any,
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


# --- Code rules -----------------------------------------------------------------------------------


def code_rule_check(*, effective_from: date, pattern: str) -> None:
    """A new code rule must have a valid pattern and start after today (codes issued today and
    before keep their rule; two rules never share a day)."""
    codes.validate_pattern(pattern)
    if effective_from <= timezone.localdate():
        raise DomainError(
            "code_rule_in_past",
            "Quy định mã số hồ sơ mới chỉ áp dụng từ ngày mai trở đi.",
            field="effective_from",
        )
    if CodeRule.objects.filter(effective_from=effective_from).exists():
        raise DomainError(
            "code_rule_exists",
            f"Đã có quy định mã số hồ sơ áp dụng từ ngày {effective_from:%d/%m/%Y}.",
            field="effective_from",
        )


def code_rule_create(
    *, actor: Any, effective_from: date, pattern: str, legal_basis: str = ""
) -> CodeRule:
    """Add the dossier-code format in force from ``effective_from`` (audited)."""
    text = (pattern or "").strip()
    with transaction.atomic():
        code_rule_check(effective_from=effective_from, pattern=text)
        rule = CodeRule.objects.create(
            effective_from=effective_from, pattern=text, legal_basis=(legal_basis or "")[:200]
        )
        record(
            actor=actor,
            action="dossiers.code_rule.create",
            target=rule,
            after={"effective_from": effective_from, "pattern": text, "legal_basis": legal_basis},
        )
    return rule


__all__ = [
    "FALLBACK_STEP_NAME",
    "SYSTEM_ACTIONS",
    "ParallelRequest",
    "PlanStep",
    "calendar_for",
    "code_rule_check",
    "code_rule_create",
    "default_desk",
    "dossier_answer_consultation",
    "dossier_apologise",
    "dossier_complete",
    "dossier_component_mark",
    "dossier_confirm_payment",
    "dossier_confirm_withdrawal",
    "dossier_consult",
    "dossier_decline_withdrawal",
    "dossier_forward",
    "dossier_not_accept",
    "dossier_rate",
    "dossier_receive",
    "dossier_receive_in_person",
    "dossier_refuse",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_request_withdrawal",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_start_processing",
    "dossier_submit_online",
    "dossier_supplement",
    "dossier_transfer",
    "plan_of",
    "time_limit",
]
