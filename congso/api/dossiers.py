"""Dossier endpoints: submit, read, list, act, supplement, rate, and the public look-up.

A thin layer: parse, call :mod:`congso.dossiers.services` / :mod:`congso.dossiers.selectors`,
serialise. Authentication: ``Authorization: Bearer <token>`` or the session
(:mod:`congso.api.auth`). Every dossier is read through ``restrict()``; a dossier outside the
caller's scope answers 404 like an unknown one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, overload

from django.contrib.auth import get_user_model
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Form, Router, Schema
from ninja.responses import Status
from pydantic import WithJsonSchema

from congso.accounts.tokens import APPROVE, APPROVE_ACTIONS, WRITE
from congso.api import params
from congso.api.auth import SESSION_OR_TOKEN, token_scope
from congso.api.schemas import ErrorOut
from congso.catalog.selectors import get_procedure
from congso.core.errors import DomainError, NotFound
from congso.core.throttle import client_address
from congso.dossiers import applicant, selectors, services
from congso.dossiers import lookup as lookup_rules
from congso.dossiers.commands import COMMANDS, ActionInput, Command
from congso.dossiers.models import (
    ApplicantDeclaration,
    Attachment,
    Dossier,
    DossierHistory,
    DossierStep,
)
from congso.dossiers.workflow import TRANSITIONS
from congso.org import representation
from congso.org.models import Agency, Citizen, Department, Desk, Organisation

router = Router(auth=SESSION_OR_TOKEN)
lookup_router = Router()

FILES_PREFIX = "files."
MULTIPART_NOTE = (
    "Multipart: the files of each component go in parts named `files.<component code>` "
    "(repeat the part for several files). The type is read from the content (PDF, JPEG, PNG), "
    "not from the name or the declared content type."
)


# --- Schemas --------------------------------------------------------------------------------------


class LookupOut(Schema):
    code: str = Field(description="Mã số hồ sơ (TT 01/2018 Điều 19).")
    procedure_code: str
    procedure_name: str
    status: str = Field(description="Trạng thái (mã nội bộ).", examples=["processing"])
    status_label: str = Field(description="Trạng thái bằng tiếng Việt.", examples=["Đang xử lý"])
    national_status: int = Field(description="Mã trạng thái đồng bộ Cổng DVCQG (1–10).")
    received_at: datetime | None = Field(description="Ngày tiếp nhận.")
    appointment_at: datetime | None = Field(description="Ngày hẹn trả kết quả.")


class DossierSummaryOut(Schema):
    code: str
    version: int = Field(description="Phiên bản; gửi lại trong expected_version khi thao tác.")
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    national_status: int
    channel: str = Field(description="in_person, online hoặc postal.")
    competent_agency_code: str
    competent_agency_name: str
    applicant_name: str
    submitted_at: datetime
    received_at: datetime | None
    appointment_at: datetime | None = Field(description="Ngày hẹn trả (đã hẹn lại nếu có).")
    due_at: datetime | None = Field(description="Hạn giải quyết theo quy định (để thống kê).")
    timeliness: str | None = Field(description="early / on_time / late khi đã kết thúc xử lý.")


class AttachmentOut(Schema):
    id: int
    version: int
    original_name: str
    size: int
    mime_type: str
    sha256: str
    uploaded_at: datetime
    supplement_id: int | None


class DossierComponentOut(Schema):
    code: str
    name: str
    mandatory: bool
    paper_received: bool
    verified: bool
    digitised: bool
    attachments: list[AttachmentOut]


class StepOut(Schema):
    id: int
    stage: int
    name: str
    kind: str = Field(description="step, consultation hoặc interagency.")
    role: str
    agency_code: str
    agency_name: str
    department: str | None
    assignee: str | None
    is_lead: bool
    parent_id: int | None = Field(description="Bước đã xin ý kiến (với bước xin ý kiến).")
    status: str
    started_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    timeliness: str | None
    request_note: str
    note: str


class SupplementOut(Schema):
    id: int
    phase: str
    reason: str
    items: list[dict[str, Any]]
    requested_at: datetime
    fulfilled_at: datetime | None


class RatingOut(Schema):
    score: int
    comment: str
    created_at: datetime


class DeclarationOut(Schema):
    """Who an online dossier was submitted for, when not for the submitting citizen themself
    (issue 13 item 4); the desk checks an ``on_behalf`` declaration at reception."""

    kind: str = Field(description="organisation (người đại diện của tổ chức) hoặc on_behalf.")
    relationship: str = Field(
        description="on_behalf: authorised, parent_of_minor, guardian, other_representative; "
        "organisation: legal_representative, authorised."
    )
    relationship_label: str
    note: str
    principal_name: str = Field(description="Người (tổ chức) được nộp thay.")
    principal_id_number: str
    submitter_name: str = Field(description="Công dân đã nộp (tài khoản đã xác thực).")
    submitter_id_number: str
    check_required: bool = Field(description="Cán bộ một cửa phải kiểm tra khi tiếp nhận.")
    checked_at: datetime | None
    checked_by: str | None


class DossierOut(DossierSummaryOut):
    desk_id: int
    desk_name: str
    receiving_agency_code: str
    initial_appointment_at: datetime | None
    clock_started_at: datetime | None
    supplement_count: int
    apology_at: datetime | None
    apology_reason: str
    outcome_reason: str
    result_summary: str
    processed_at: datetime | None
    returned_at: datetime | None
    return_method: str | None
    form_data: dict[str, Any]
    components: list[DossierComponentOut]
    steps: list[StepOut]
    supplements: list[SupplementOut]
    rating: RatingOut | None
    declaration: DeclarationOut | None = Field(
        description="Khai báo nộp cho tổ chức hoặc nộp thay người khác (nếu có)."
    )
    allowed_actions: list[str] = Field(description="Thao tác người gọi có thể thử lúc này.")


class DossierPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DossierSummaryOut]


class HistoryOut(Schema):
    at: datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str
    step_id: int | None
    step_name: str
    agency_code: str | None
    due_at: datetime | None
    outcome: str
    note: str
    data: dict[str, Any]


class MissingItemIn(Schema):
    component: str | None = Field(None, description="Mã thành phần hồ sơ cần bổ sung.")
    field: str | None = Field(None, description="Tên trường thông tin cần bổ sung.")
    label: str = ""
    note: str = Field("", description="Hướng dẫn cụ thể.")


class ParallelIn(Schema):
    agency: str = Field(description="Mã định danh cơ quan (QCVN 102).")
    hours: Decimal = Field(description="Thời hạn, số giờ làm việc.", le=60_000)
    role: str = "specialist"
    department_id: params.OptionalDbInt = None
    is_lead: bool = False
    note: str = ""


class ActionIn(Schema):
    expected_version: params.OptionalDbInt = Field(
        None, description="Phiên bản hồ sơ người gọi đang xem; khác thì trả 409."
    )
    reason: str = ""
    note: str = ""
    step_id: params.OptionalDbInt = Field(None, description="Bước thực hiện, khi có nhiều bước.")
    assignee: str | None = Field(None, description="Tên đăng nhập người được giao bước sau.")
    missing_items: list[MissingItemIn] = []
    consultations: list[ParallelIn] = []
    transfers: list[ParallelIn] = []
    amount_vnd: int | None = Field(None, ge=0, le=params.MAX_AMOUNT_VND)
    new_appointment_at: datetime | None = None
    return_method: str | None = Field(None, description="desk, post hoặc online.")
    result_summary: str = ""
    declaration_checked: bool = Field(
        False,
        description="receive: đã kiểm tra khai báo nộp thay và giấy tờ chứng minh (bắt buộc "
        "với hồ sơ nộp thay người khác).",
    )


class RatingIn(Schema):
    score: int = Field(description="1–5.", ge=-params.MAX_DB_INT, le=params.MAX_DB_INT)
    comment: str = ""
    expected_version: params.OptionalDbInt = None


# --- Serialisation --------------------------------------------------------------------------------


@overload
def _local(value: datetime) -> datetime: ...
@overload
def _local(value: None) -> None: ...
@overload
def _local(value: datetime | None) -> datetime | None: ...
def _local(value: datetime | None) -> datetime | None:
    """Instants are answered in Vietnam time (+07:00)."""
    return timezone.localtime(value) if value is not None else None


def _timeliness(value: str) -> str | None:
    return value or None


def _summary(d: Dossier) -> dict[str, Any]:
    procedure = d.procedure_version.procedure
    return {
        "code": d.code,
        "version": d.version,
        "procedure_code": procedure.code,
        "procedure_name": procedure.name,
        "status": d.status,
        "status_label": d.status_label,
        "national_status": d.national_status,
        "channel": d.channel,
        "competent_agency_code": d.competent_agency.code,
        "competent_agency_name": d.competent_agency.name,
        "applicant_name": d.applicant_name,
        "submitted_at": _local(d.submitted_at),
        "received_at": _local(d.received_at),
        "appointment_at": _local(d.appointment_at),
        "due_at": _local(d.due_at),
        "timeliness": _timeliness(d.timeliness),
    }


def _step(step: DossierStep) -> StepOut:
    return StepOut(
        id=step.pk,
        stage=step.stage,
        name=step.name,
        kind=step.kind,
        role=step.role,
        agency_code=step.agency.code,
        agency_name=step.agency.name,
        department=step.department.name if step.department else None,
        assignee=step.assignee.get_username() if step.assignee else None,
        is_lead=step.is_lead,
        parent_id=step.parent_id,
        status=step.status,
        started_at=_local(step.started_at),
        due_at=_local(step.due_at),
        ended_at=_local(step.ended_at),
        timeliness=_timeliness(step.timeliness),
        request_note=step.request_note,
        note=step.note,
    )


def _attachment(item: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=item.pk,
        version=item.version,
        original_name=item.original_name,
        size=item.size,
        mime_type=item.mime_type,
        sha256=item.sha256,
        uploaded_at=_local(item.uploaded_at),
        supplement_id=item.supplement_id,
    )


def _detail(user: Any, code: str, *, loaded: Dossier | None = None) -> DossierOut:
    """The dossier as ``user`` sees it. ``loaded``: a dossier the caller just wrote on the user's
    behalf (so already known to be visible), which spares the scoped look-up."""
    d = loaded if loaded is not None else selectors.dossier_for(user, code)
    files: dict[int, list[AttachmentOut]] = {}
    created, created_files = services.created_parts(d)
    declaration = applicant.cached_declaration(d) if created else applicant.declaration_of(d)
    if created:
        # Created by this request: its slots and files are in memory, it has no step,
        # supplement request or rating yet.
        components = created
        for items in created_files.values():
            for item in items:
                files.setdefault(item.component_id, []).append(_attachment(item))
        steps: list[DossierStep] = []
        supplements: list[Any] = []
        rating = None
    else:
        for item in selectors.attachments_of(d):
            files.setdefault(item.component_id, []).append(_attachment(item))
        components = list(d.components.order_by("pk"))
        steps = selectors.steps_of(d)
        supplements = list(d.supplements.order_by("requested_at", "pk"))
        rating = getattr(d, "rating", None)
    return DossierOut(
        **_summary(d),
        desk_id=d.desk_id,
        desk_name=d.desk.name,
        receiving_agency_code=d.receiving_agency.code,
        initial_appointment_at=_local(d.initial_appointment_at),
        clock_started_at=_local(d.clock_started_at),
        supplement_count=d.supplement_count,
        apology_at=_local(d.apology_at),
        apology_reason=d.apology_reason,
        outcome_reason=d.outcome_reason,
        result_summary=d.result_summary,
        processed_at=_local(d.processed_at),
        returned_at=_local(d.returned_at),
        return_method=d.return_method or None,
        form_data=d.form_data,
        components=[
            DossierComponentOut(
                code=component.code,
                name=component.name,
                mandatory=component.mandatory,
                paper_received=component.paper_received,
                verified=component.verified,
                digitised=component.digitised,
                attachments=files.get(component.pk, []),
            )
            for component in components
        ],
        steps=[_step(step) for step in steps],
        supplements=[
            SupplementOut(
                id=item.pk,
                phase=item.phase,
                reason=item.reason,
                items=item.items,
                requested_at=_local(item.requested_at),
                fulfilled_at=_local(item.fulfilled_at),
            )
            for item in supplements
        ],
        rating=RatingOut(
            score=rating.score, comment=rating.comment, created_at=_local(rating.created_at)
        )
        if rating
        else None,
        declaration=_declaration(declaration) if declaration is not None else None,
        allowed_actions=selectors.actions_for(user, d, steps=steps, rated=rating is not None),
    )


def _declaration(item: ApplicantDeclaration) -> DeclarationOut:
    return DeclarationOut(
        kind=item.kind,
        relationship=item.relationship,
        relationship_label=item.relationship_label,
        note=item.note,
        principal_name=item.principal_name,
        principal_id_number=item.principal_id_number,
        submitter_name=item.submitter_name,
        submitter_id_number=item.submitter_id_number,
        check_required=item.check_required,
        checked_at=_local(item.checked_at),
        checked_by=str(item.checked_by) if item.checked_by_id else None,
    )


def _history(row: DossierHistory) -> HistoryOut:
    transition = TRANSITIONS.get(row.action)
    labels = {
        "submit": "Nộp hồ sơ",
        "mark_component": "Cập nhật thành phần hồ sơ",
        "reassign": "Giao lại bước xử lý",
    }
    return HistoryOut(
        at=_local(row.at),
        action=row.action,
        action_label=transition.label_vi if transition else labels.get(row.action, row.action),
        from_status=row.from_status,
        to_status=row.to_status,
        actor=row.actor_label,
        step_id=row.step_id,
        step_name=row.step_name,
        agency_code=row.agency.code if row.agency else None,
        due_at=_local(row.due_at),
        outcome=row.outcome,
        note=row.note,
        data=row.data,
    )


# --- Parsing --------------------------------------------------------------------------------------


def _json_object(text: str | None, field: str) -> dict[str, Any]:
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except RecursionError:
        raise params.too_deep(field) from None
    except ValueError:
        raise DomainError(
            "invalid_json", "Dữ liệu tờ khai phải là JSON hợp lệ.", field=field
        ) from None
    if not isinstance(value, dict):
        raise DomainError(
            "invalid_json", "Dữ liệu tờ khai phải là một đối tượng JSON.", field=field
        )
    if params.json_depth(value) > params.MAX_JSON_DEPTH:
        raise params.too_deep(field)
    return value


def _files(request: HttpRequest, *, allowed: set[str] | None = None) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    for key in request.FILES:
        if key.startswith(FILES_PREFIX) and len(key) > len(FILES_PREFIX):
            result[key[len(FILES_PREFIX) :]] = request.FILES.getlist(key)
        elif allowed is None or key not in allowed:
            raise DomainError(
                "unknown_file_field",
                f"Phần tệp «{key}» không hợp lệ; đặt tên dạng files.<mã thành phần>.",
                field=key,
            )
    return result


def _agency(code: str, field: str) -> Agency:
    agency = Agency.objects.filter(code=(code or "").strip()).first()
    if agency is None:
        raise NotFound("agency_not_found", f"Không có cơ quan mã «{code}».", field=field)
    return agency


def _user(username: str | None) -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound("user_not_found", f"Không có người dùng «{username}».", field="assignee")
    return user


def _parallel(items: list[ParallelIn], field: str) -> list[services.ParallelRequest]:
    result = []
    for index, item in enumerate(items):
        department = None
        if item.department_id is not None:
            department = Department.objects.filter(pk=item.department_id).first()
            if department is None:
                raise NotFound(
                    "department_not_found",
                    "Không có phòng ban này.",
                    field=f"{field}.{index}.department_id",
                )
        result.append(
            services.ParallelRequest(
                agency=_agency(item.agency, f"{field}.{index}.agency"),
                hours=item.hours,
                role=item.role,
                department=department,
                is_lead=item.is_lead,
                note=item.note,
            )
        )
    return result


#: How the API reads each field of an action's input (:mod:`congso.dossiers.commands`) from
#: the body; the rules are the service's.
READERS: dict[str, Callable[[Dossier, ActionIn], Any]] = {
    "expected_version": lambda d, b: b.expected_version,
    "note": lambda d, b: b.note,
    "declaration_checked": lambda d, b: b.declaration_checked,
    "reason": lambda d, b: b.reason,
    "step_id": lambda d, b: b.step_id,
    "assignee": lambda d, b: _user(b.assignee),
    "missing_items": lambda d, b: [item.model_dump() for item in b.missing_items],
    "consultations": lambda d, b: _parallel(b.consultations, "consultations"),
    "transfers": lambda d, b: _parallel(b.transfers, "transfers"),
    "amount_vnd": lambda d, b: b.amount_vnd,
    "result_summary": lambda d, b: b.result_summary,
    "method": lambda d, b: b.return_method or "",
    "new_appointment_at": lambda d, b: _new_appointment(d, b.new_appointment_at),
}


def parse_action(command: Command, dossier: Dossier, body: ActionIn) -> ActionInput:
    """The action's typed input, read from the JSON body."""
    return command.parse(READERS, dossier, body)


#: Actions with their own endpoint (files, rating).
OWN_ENDPOINT = {"supplement": "supplement", "resubmit": "supplement", "rate": "rating"}


def _new_appointment(dossier: Dossier, value: datetime | None) -> datetime | None:
    """The new appointment date of an apology, within the working calendar (it is printed on
    form 04 and counted in working days): out of its range is refused at the door (422)."""
    if value is None or value.tzinfo is None:
        return value  # the service refuses it (required, naive_datetime)
    calendar = services.calendar_for(dossier.competent_agency)
    return params.covered_instant(calendar, value, "new_appointment_at")


# --- Endpoints ------------------------------------------------------------------------------------

_FILE_PARTS = {
    r"^files\..+$": {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "Tệp của thành phần hồ sơ: tên phần files.<mã thành phần>.",
    }
}


def _multipart(properties: dict[str, Any], required: list[str], *, files: bool = True) -> Any:
    """The multipart/form-data body (ninja documents form fields as urlencoded only)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if files:
        schema["patternProperties"] = _FILE_PARTS
    return {"requestBody": {"content": {"multipart/form-data": {"schema": schema}}}}


_TEXT = {"type": "string"}
_JSON_TEXT = {"type": "string", "description": "Đối tượng JSON của tờ khai điện tử."}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}


@router.post(
    "",
    response={
        201: DossierOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Nộp hồ sơ trực tuyến",
    description=MULTIPART_NOTE,
    openapi_extra=_multipart(
        {
            "procedure": _TEXT,
            "agency": _TEXT,
            "form_data": _JSON_TEXT,
            "desk": _INT,
            "organisation": {
                "type": "string",
                "description": "Mã số thuế của tổ chức người gọi là người đại diện đã đăng ký.",
            },
            "on_behalf": {
                "type": "string",
                "description": "Nộp thay người khác, đối tượng JSON: relationship (authorised, "
                "parent_of_minor, guardian, other_representative), note, principal_name, "
                "principal_id_number (khi tờ khai không có ô thông tin người nộp). Giấy tờ "
                f"chứng minh trong phần files.{applicant.PROOF_COMPONENT}.",
            },
        },
        ["procedure", "agency"],
    ),
)
def submit(
    request: HttpRequest,
    procedure: Form[str],
    agency: Form[str],
    form_data: Form[str] = "{}",
    desk: Form[int | None] = None,
    organisation: Form[str | None] = None,
    on_behalf: Form[str | None] = None,
) -> Status[DossierOut]:
    """The signed-in citizen submits a dossier for ``procedure`` (its code) to the competent
    ``agency`` (its code), optionally choosing the receiving ``desk`` (its id). ``form_data`` is
    the online form as JSON; its applicant identity fields must be the caller's own
    (``applicant_identity_mismatch``) unless ``on_behalf`` declares for whom the caller submits.
    ``organisation``: a tax code of an organisation the caller represents (anyone else:
    403 ``not_representative``, whether the code is registered or not)."""
    user = request.auth  # type: ignore[attr-defined]
    params.db_int(desk, "desk")
    org = None
    if organisation:
        org, _representative = representation.organisation_for_submission(user, organisation)
    files = _files(request)
    declared = _on_behalf(on_behalf, files.pop(applicant.PROOF_COMPONENT, []))
    chosen = None
    if desk is not None:
        chosen = Desk.objects.filter(pk=desk).first()
        if chosen is None:
            raise NotFound("desk_not_found", "Không có bộ phận một cửa này.", field="desk")
    dossier = services.dossier_submit_online(
        actor=user,
        procedure=get_procedure(procedure),
        competent_agency=_agency(agency, "agency"),
        form_data=_json_object(form_data, "form_data"),
        files=files,
        desk=chosen,
        organisation=org,
        on_behalf=declared,
    )
    return Status(201, _detail(user, dossier.code, loaded=dossier))


def _on_behalf(text: str | None, proof: list[Any]) -> applicant.OnBehalf | None:
    """The ``on_behalf`` part (a JSON object) with the proof's files; ``None`` when absent."""
    if text is None or not text.strip():
        if proof:
            raise DomainError(
                "on_behalf_required",
                f"Phần files.{applicant.PROOF_COMPONENT} chỉ dùng khi khai nộp thay (on_behalf).",
                field=f"files.{applicant.PROOF_COMPONENT}",
            )
        return None
    value = _json_object(text, "on_behalf")
    known = {"relationship", "note", "principal_name", "principal_id_number"}
    for key, item in value.items():
        if key not in known:
            raise DomainError(
                "unknown_field",
                f"Khai báo nộp thay không có mục «{key}».",
                field=f"on_behalf.{key}",
            )
        if not isinstance(item, str):
            raise DomainError(
                "invalid_json", f"«{key}» phải là chuỗi ký tự.", field=f"on_behalf.{key}"
            )
    return applicant.OnBehalf(
        relationship=value.get("relationship", ""),
        note=value.get("note", ""),
        principal_name=value.get("principal_name", ""),
        principal_id_number=value.get("principal_id_number", ""),
        files=proof,
    )


@router.post(
    "/in-person",
    response={201: DossierOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Cán bộ một cửa tiếp nhận hồ sơ trực tiếp hoặc qua bưu chính",
    description=MULTIPART_NOTE,
    openapi_extra=_multipart(
        {
            "procedure": _TEXT,
            "agency": _TEXT,
            "desk": _INT,
            "citizen": _TEXT,
            "organisation": _TEXT,
            "channel": {"type": "string", "enum": ["in_person", "postal"]},
            "form_data": _JSON_TEXT,
            "paper_components": _TEXT,
            "note": _TEXT,
        },
        ["procedure", "agency", "desk"],
    ),
)
def receive_in_person(
    request: HttpRequest,
    procedure: Form[str],
    agency: Form[str],
    desk: Form[int],
    citizen: Form[str | None] = None,
    organisation: Form[str | None] = None,
    channel: Form[str] = "in_person",
    form_data: Form[str] = "{}",
    paper_components: Form[str | None] = None,
    note: Form[str] = "",
) -> Status[DossierOut]:
    """Creates a dossier already received (form 01). ``citizen`` is a personal ID number,
    ``organisation`` a tax code; ``paper_components`` the component codes received on paper,
    comma-separated (default: every mandatory component and every scanned one)."""
    user = request.auth  # type: ignore[attr-defined]
    params.db_int(desk, "desk")
    applicant_citizen = None
    applicant_org = None
    if citizen:
        applicant_citizen = Citizen.objects.filter(personal_id=citizen.strip()).first()
        if applicant_citizen is None:
            raise NotFound(
                "citizen_not_found", "Không có công dân số định danh này.", field="citizen"
            )
    if organisation:
        applicant_org = Organisation.objects.filter(tax_code=organisation.strip()).first()
        if applicant_org is None:
            raise NotFound(
                "organisation_not_found", "Không có tổ chức mã số thuế này.", field="organisation"
            )
    chosen = Desk.objects.filter(pk=desk).first()
    if chosen is None:
        raise NotFound("desk_not_found", "Không có bộ phận một cửa này.", field="desk")
    paper = None
    if paper_components is not None:
        paper = [code.strip() for code in paper_components.split(",") if code.strip()]
    dossier = services.dossier_receive_in_person(
        actor=user,
        procedure=get_procedure(procedure),
        competent_agency=_agency(agency, "agency"),
        desk=chosen,
        form_data=_json_object(form_data, "form_data"),
        files=_files(request),
        citizen=applicant_citizen,
        organisation=applicant_org,
        channel=channel,
        paper_components=paper,
        note=note,
    )
    return Status(201, _detail(user, dossier.code, loaded=dossier))


@router.get(
    "",
    response={200: DossierPageOut, 400: ErrorOut, 401: ErrorOut},
    summary="Hồ sơ người gọi được xem",
)
def list_dossiers(
    request: HttpRequest,
    status: str | None = None,
    agency: str | None = None,
    procedure: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    overdue: bool | None = None,
    limit: int = 50,
    offset: Annotated[
        int, WithJsonSchema({"type": "integer", "minimum": 0, "maximum": params.MAX_OFFSET})
    ] = 0,
) -> DossierPageOut:
    """Newest submission first (stable order: submission time, then id). ``agency`` filters
    by the competent agency's code, ``procedure`` by the procedure code; ``overdue=true`` lists
    the late ones (ended late, open past their due time, or with more than one supplement
    request)."""
    if not 1 <= limit <= selectors.MAX_LIMIT:
        raise DomainError(
            "invalid_limit", f"limit phải từ 1 đến {selectors.MAX_LIMIT}.", field="limit"
        )
    if offset < 0:
        raise DomainError("invalid_offset", "offset không được âm.", field="offset")
    params.bounded_offset(offset)
    params.bounded_day(submitted_from, "submitted_from")
    params.bounded_day(submitted_to, "submitted_to")
    queryset = selectors.dossiers_for(
        request.auth,  # type: ignore[attr-defined]
        status=status,
        agency_code=agency,
        procedure_code=procedure,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        overdue=overdue,
    )
    items = list(queryset[offset : offset + limit])
    return DossierPageOut(
        count=queryset.count(),
        limit=limit,
        offset=offset,
        items=[DossierSummaryOut(**_summary(item)) for item in items],
    )


@router.get(
    "/{code}",
    response={200: DossierOut, 401: ErrorOut, 404: ErrorOut},
    summary="Chi tiết một hồ sơ",
)
def get_dossier(request: HttpRequest, code: str) -> DossierOut:
    return _detail(request.auth, code)  # type: ignore[attr-defined]


@router.get(
    "/{code}/history",
    response={200: list[HistoryOut], 401: ErrorOut, 404: ErrorOut},
    summary="Quá trình xử lý hồ sơ (phiếu kiểm soát, mẫu 05)",
)
def get_history(request: HttpRequest, code: str) -> list[HistoryOut]:
    dossier = selectors.dossier_for(request.auth, code)  # type: ignore[attr-defined]
    return [_history(row) for row in selectors.history_of(dossier)]


@router.post(
    "/{code}/actions/{action}",
    response={
        200: DossierOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Thực hiện một thao tác trên hồ sơ",
)
@token_scope(
    lambda params: APPROVE if params.get("action") in APPROVE_ACTIONS else WRITE,
    doc="write; approve for complete and refuse",
)
def act(request: HttpRequest, code: str, action: str, body: ActionIn) -> DossierOut:
    """``action`` is one of the workflow's actions (``receive``, ``not_accept``,
    ``request_supplement``, ``start_processing``, ``forward``, ``send_back``, ``consult``,
    ``answer_consultation``, ``transfer``, ``request_payment``, ``confirm_payment``, ``refuse``,
    ``complete``, ``return_result``, ``apologise``, ``request_withdrawal``,
    ``confirm_withdrawal``, ``decline_withdrawal``). Send ``expected_version``: when someone
    else changed the dossier since, the answer is 409 ``concurrent_update``. With a token,
    ``complete`` and ``refuse`` need the scope ``approve`` (for officers: a token issued after a
    second-factor check), the others ``write``."""
    user = request.auth  # type: ignore[attr-defined]
    if action in OWN_ENDPOINT:
        raise DomainError(
            "use_other_endpoint",
            f"Thao tác «{TRANSITIONS[action].label_vi}» dùng địa chỉ "
            f"/dossiers/{{code}}/{OWN_ENDPOINT[action]}.",
            field="action",
        )
    command = COMMANDS.get(action)
    if command is None:
        raise NotFound("unknown_action", f"Không có thao tác «{action}».", field="action")
    dossier = selectors.dossier_for(user, code)
    command.run(actor=user, dossier=dossier, data=parse_action(command, dossier, body))
    return _detail(user, dossier.code)


@router.post(
    "/{code}/supplement",
    response={
        200: DossierOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Bổ sung hồ sơ theo yêu cầu",
    description=MULTIPART_NOTE,
    openapi_extra=_multipart(
        {"form_data": _JSON_TEXT, "note": _TEXT, "expected_version": _INT}, []
    ),
)
def supplement(
    request: HttpRequest,
    code: str,
    form_data: Form[str | None] = None,
    note: Form[str] = "",
    expected_version: Form[int | None] = None,
) -> DossierOut:
    """New files become new versions of their components (nothing is overwritten);
    ``form_data`` (JSON) replaces the fields it names."""
    user = request.auth  # type: ignore[attr-defined]
    params.db_int(expected_version, "expected_version")
    dossier = selectors.dossier_for(user, code)
    services.dossier_supplement(
        actor=user,
        dossier=dossier,
        files=_files(request),
        form_data=_json_object(form_data, "form_data") if form_data else None,
        note=note,
        expected_version=expected_version,
    )
    return _detail(user, dossier.code)


@router.post(
    "/{code}/components/{component}",
    response={
        200: DossierComponentOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Đánh dấu thành phần đã kiểm tra / đã số hóa (có thể kèm bản quét)",
    openapi_extra=_multipart(
        {
            "verified": _BOOL,
            "digitised": _BOOL,
            "expected_version": _INT,
            "scan": {"type": "string", "format": "binary"},
        },
        [],
        files=False,
    ),
)
def mark_component(
    request: HttpRequest,
    code: str,
    component: str,
    verified: Form[bool | None] = None,
    digitised: Form[bool | None] = None,
    expected_version: Form[int | None] = None,
) -> DossierComponentOut:
    """Multipart; an optional scan goes in the part ``scan``."""
    user = request.auth  # type: ignore[attr-defined]
    params.db_int(expected_version, "expected_version")
    _files(request, allowed={"scan"})
    dossier = selectors.dossier_for(user, code)
    item = services.dossier_component_mark(
        actor=user,
        dossier=dossier,
        component_code=component,
        verified=verified,
        digitised=digitised,
        scan=request.FILES.get("scan"),
        expected_version=expected_version,
    )
    return DossierComponentOut(
        code=item.code,
        name=item.name,
        mandatory=item.mandatory,
        paper_received=item.paper_received,
        verified=item.verified,
        digitised=item.digitised,
        attachments=[_attachment(a) for a in item.attachments.order_by("version")],
    )


@router.get(
    "/{code}/attachments/{attachment_id}",
    response={200: None, 401: ErrorOut, 404: ErrorOut},
    summary="Tải một tệp đính kèm",
)
def download(request: HttpRequest, code: str, attachment_id: params.DbInt) -> FileResponse:
    dossier = selectors.dossier_for(request.auth, code)  # type: ignore[attr-defined]
    item = Attachment.objects.filter(pk=attachment_id, component__dossier=dossier).first()
    if item is None:
        raise NotFound("attachment_not_found", "Không có tệp này trong hồ sơ.", field="id")
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.mime_type,
    )


@router.post(
    "/{code}/rating",
    response={
        201: RatingOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Đánh giá mức độ hài lòng (một lần, sau khi nhận kết quả)",
)
def rate(request: HttpRequest, code: str, body: RatingIn) -> Status[RatingOut]:
    user = request.auth  # type: ignore[attr-defined]
    dossier = selectors.dossier_for(user, code)
    rating = services.dossier_rate(
        actor=user,
        dossier=dossier,
        score=body.score,
        comment=body.comment,
        expected_version=body.expected_version,
    )
    return Status(
        201,
        RatingOut(score=rating.score, comment=rating.comment, created_at=_local(rating.created_at)),
    )


class LookupExistsOut(Schema):
    code: str = Field(description="Mã số hồ sơ (TT 01/2018 Điều 19).")
    exists: bool = Field(description="Luôn true (mã không có hồ sơ: 404).")
    verification: str = Field(
        description="Cách xem tình trạng: POST cùng địa chỉ với 4 chữ số cuối (last_digits)."
    )


class LookupIn(Schema):
    last_digits: str = Field(
        description="4 chữ số cuối của số định danh cá nhân (hoặc mã số thuế) hay số điện thoại "
        "của người nộp hồ sơ.",
        examples=["0001"],
        max_length=20,
    )


VERIFICATION_NOTE = (
    'Gửi POST /api/v1/lookup/{code} với {"last_digits": "…"}: 4 chữ số cuối của số định danh '
    "cá nhân (mã số thuế) hoặc số điện thoại của người nộp hồ sơ."
)


@lookup_router.get(
    "/{code}",
    response={200: LookupExistsOut, 404: ErrorOut, 429: ErrorOut},
    summary="Tra cứu hồ sơ theo mã số: chỉ cho biết có hồ sơ (công khai, không cần đăng nhập)",
)
def lookup_exists(request: HttpRequest, code: str) -> HttpResponse:
    """Whether a dossier has ``code``, nothing more: the stage reached needs a second factor
    (``POST``). Throttled per client address (429 ``too_many_lookups`` with Retry-After)."""
    found = lookup_rules.exists(code, address=client_address(request))
    body = {"code": found, "exists": True, "verification": VERIFICATION_NOTE}
    return JsonResponse(body, content_type=JSON_TYPE)


@lookup_router.post(
    "/{code}",
    response={200: LookupOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Tra cứu tình trạng hồ sơ theo mã số và 4 chữ số xác minh (công khai)",
)
def lookup(request: HttpRequest, code: str, body: LookupIn) -> HttpResponse:
    """Only the code, the procedure, the stage reached and the reception and appointment dates;
    never personal data (TT 01/2018 arts. 16–18). ``last_digits``: the last 4 digits of the
    applicant's personal ID (or tax code) or phone — wrong: 403 ``lookup_verification_failed``;
    too many wrong answers from the address or for the code, or too many look-ups: 429."""
    found = lookup_rules.status(code, body.last_digits, address=client_address(request))
    # The answer is built directly, without validating it through the LookupOut model (it is
    # LookupOut's fields, in its order, encoded as ninja's renderer encodes them —
    # tests/dossiers/test_api.py compares the two byte for byte).
    return JsonResponse(lookup_payload(found), json_dumps_params={}, content_type=JSON_TYPE)


JSON_TYPE = "application/json; charset=utf-8"


def lookup_payload(found: selectors.PublicStatus) -> dict[str, Any]:
    return {
        "code": found.code,
        "procedure_code": found.procedure_code,
        "procedure_name": found.procedure_name,
        "status": found.status,
        "status_label": found.status_label,
        "national_status": found.national_status,
        "received_at": _local(found.received_at),
        "appointment_at": _local(found.appointment_at),
    }
