"""Procedure groups (liên thông, ND 63/2024) and proactive offers (ND 224/2026 art. 16): the
groups in force with their combined form, the deadline preview, a group submitted once (one
dossier per component), the citizen's applications and offers (accept, decline), the
officers' review queue of "act by itself" offers, and the measures. A thin layer over
:mod:`congso.lifeevents.services` and :mod:`congso.lifeevents.selectors`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Form, Router, Schema
from ninja.responses import Status

from congso.api.auth import SESSION_OR_TOKEN
from congso.api.schemas import ErrorOut
from congso.core.errors import DomainError
from congso.lifeevents import groups, selectors, services
from congso.lifeevents.models import GroupApplication, Offer, ProcedureGroup

router = Router()
citizen_router = Router(auth=SESSION_OR_TOKEN)

FILE_PREFIX = "files."


class ComponentOut(Schema):
    procedure: str = Field(description="Mã thủ tục thành phần.")
    routing: str = Field(description="Loại cơ quan giải quyết (commune_justice, …).")
    routing_label: str


class GroupOut(Schema):
    code: str
    name: str
    legal_basis: str
    version: int
    effective_from: str
    routing_field: str = Field(description="Trường địa chỉ của biểu mẫu chung chọn địa bàn.")
    components: list[ComponentOut]


class GroupDetailOut(GroupOut):
    form_schema: dict[str, Any] = Field(description="Biểu mẫu chung (ngôn ngữ biểu mẫu điện tử).")


class PreviewIn(Schema):
    unit_code: str = Field(max_length=5, description="Mã xã, phường nơi giải quyết.")
    procedures: list[str] = Field(default_factory=list, description="Chỉ các thủ tục này.")


class PreviewRowOut(Schema):
    procedure: str
    procedure_name: str
    agency: str = Field(description="Mã định danh cơ quan giải quyết.")
    agency_name: str
    due_at: datetime | None


class PreviewOut(Schema):
    components: list[PreviewRowOut]
    latest_due_at: datetime | None = Field(description="Hẹn trả muộn nhất trong các thủ tục.")


class MemberOut(Schema):
    procedure: str
    dossier: str = Field(description="Mã hồ sơ thành phần.")
    agency: str
    status: str
    national_status: int
    stage: str = Field(description="waiting, processing, action, done hoặc ended.")
    appointment_at: datetime | None


class ApplicationOut(Schema):
    code: str = Field(description="Mã hồ sơ liên thông.")
    group: str
    submitted_at: datetime
    due_at: datetime | None
    done: int
    members: list[MemberOut]


class OfferOut(Schema):
    id: int
    rule: str
    title: str
    level: int = Field(description="Mức độ chủ động 1–4 (ND 224/2026 Điều 16).")
    status: str
    subject: dict[str, Any]
    procedures: list[str]
    prepared: dict[str, Any] = Field(description="Hồ sơ chuẩn bị sẵn (biểu mẫu chung).")
    application: str | None
    created_at: datetime


class AcceptIn(Schema):
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="Sửa hoặc bổ sung hồ sơ chuẩn bị sẵn."
    )


class DeclineIn(Schema):
    reason: str = Field("", max_length=500)


class LifeEventReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class MeasureOut(Schema):
    rule: str
    level: int
    made: int
    accepted: int
    declined: int
    completed: int
    minutes_saved: int


def _group_out(group: ProcedureGroup, *, detail: bool = False) -> dict[str, Any]:
    version = groups.version_in_force(group)
    out = {
        "code": group.code,
        "name": group.name,
        "legal_basis": group.legal_basis,
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "routing_field": version.routing_field,
        "components": [
            {"procedure": s.procedure, "routing": s.routing, "routing_label": s.routing_label}
            for s in groups.components_of(version)
        ],
    }
    if detail:
        out["form_schema"] = version.form_schema
    return out


def _application_out(application: GroupApplication) -> dict[str, Any]:
    view = selectors.view_of(application)
    return {
        "code": application.code,
        "group": view.group.code,
        "submitted_at": application.submitted_at,
        "due_at": application.due_at,
        "done": view.done,
        "members": [
            {
                "procedure": row.member.procedure.code,
                "dossier": row.dossier.code,
                "agency": row.dossier.competent_agency.code,
                "status": row.dossier.status,
                "national_status": row.dossier.national_status,
                "stage": row.stage,
                "appointment_at": row.dossier.appointment_at,
            }
            for row in view.rows
        ],
    }


def _offer_out(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "rule": offer.rule.code,
        "title": offer.rule.title,
        "level": offer.level,
        "status": offer.status,
        "subject": offer.subject,
        "procedures": offer.procedures,
        "prepared": offer.prepared,
        "application": offer.application.code if offer.application else None,
        "created_at": offer.created_at,
    }


@router.get("/groups", response=list[GroupOut], summary="Các nhóm thủ tục liên thông đang áp dụng")
def group_list(request: HttpRequest) -> list[dict[str, Any]]:
    result = []
    for group in ProcedureGroup.objects.filter(active=True).order_by("code"):
        try:
            result.append(_group_out(group))
        except DomainError:
            continue  # no version in force today
    return result


@router.get(
    "/groups/{code}",
    response={200: GroupDetailOut, 400: ErrorOut, 404: ErrorOut},
    summary="Một nhóm thủ tục liên thông: thủ tục thành phần, biểu mẫu chung",
)
def group_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _group_out(groups.group_by_code(code), detail=True)


@router.post(
    "/groups/{code}/preview",
    response={200: PreviewOut, 400: ErrorOut, 404: ErrorOut},
    summary="Xem trước cơ quan giải quyết và ngày hẹn của từng thủ tục (muộn nhất)",
)
def group_preview(request: HttpRequest, code: str, body: PreviewIn) -> dict[str, Any]:
    version = groups.version_in_force(groups.group_by_code(code))
    rows = groups.preview(version, body.unit_code, only=body.procedures)
    return {
        "components": [
            {
                "procedure": r.procedure.code,
                "procedure_name": r.procedure.name,
                "agency": r.agency.code,
                "agency_name": r.agency.name,
                "due_at": r.due,
            }
            for r in rows
        ],
        "latest_due_at": groups.latest(rows),
    }


@citizen_router.post(
    "/groups/{code}/applications",
    response={201: ApplicationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Nộp một nhóm thủ tục liên thông (một hồ sơ cho mỗi thủ tục thành phần)",
    description="Multipart: `form_data` is the combined form as JSON; the files of a combined "
    "file field go in parts named `files.<field name>`.",
)
def group_apply(
    request: HttpRequest, code: str, form_data: Form[str] = "{}"
) -> Status[ApplicationOut]:
    try:
        data = json.loads(form_data or "{}")
    except ValueError as exc:
        raise DomainError(
            "invalid_json", "«form_data» phải là JSON hợp lệ.", field="form_data"
        ) from exc
    files = {
        key[len(FILE_PREFIX) :]: [
            services.Upload(f.name or "upload", f.read(), f.content_type or "")
            for f in request.FILES.getlist(key)
        ]
        for key in request.FILES
        if key.startswith(FILE_PREFIX)
    }
    application = services.group_submit(
        actor=request.auth,  # type: ignore[attr-defined]
        group=groups.group_by_code(code),
        form_data=data if isinstance(data, dict) else {},
        files=files,
    )
    return Status(201, _application_out(application))  # type: ignore[arg-type]


@citizen_router.get(
    "/applications/{code}",
    response={200: ApplicationOut, 401: ErrorOut, 404: ErrorOut},
    summary="Hồ sơ liên thông của tôi: trạng thái từng hồ sơ thành phần",
)
def application_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    view = selectors.application_for(request.auth, code)  # type: ignore[attr-defined]
    return _application_out(view.application)


@citizen_router.get(
    "/offers", response=list[OfferOut], summary="Lời mời dịch vụ công chủ động của tôi"
)
def offer_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_offer_out(o) for o in selectors.offers_for(request.auth)[:100]]  # type: ignore[attr-defined]


@citizen_router.post(
    "/offers/{offer_id}/accept",
    response={201: ApplicationOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Đồng ý lời mời: nộp hồ sơ đã chuẩn bị sẵn (ghi nhận đồng ý)",
)
def offer_accept(request: HttpRequest, offer_id: int, body: AcceptIn) -> Status[ApplicationOut]:
    application = services.offer_accept(
        actor=request.auth,  # type: ignore[attr-defined]
        offer_id=offer_id,
        form_data=body.form_data,
    )
    return Status(201, _application_out(application))  # type: ignore[arg-type]


@citizen_router.post(
    "/offers/{offer_id}/decline",
    response={200: OfferOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Từ chối lời mời dịch vụ công chủ động",
)
def offer_decline(request: HttpRequest, offer_id: int, body: DeclineIn) -> dict[str, Any]:
    offer = services.offer_decline(
        actor=request.auth,  # type: ignore[attr-defined]
        offer_id=offer_id,
        reason=body.reason,
    )
    return _offer_out(offer)


@citizen_router.get(
    "/review",
    response={200: list[OfferOut], 401: ErrorOut, 403: ErrorOut},
    summary="Hàng đợi cán bộ duyệt các lời mời tự động thực hiện (mức 4)",
)
def review_list(request: HttpRequest) -> list[dict[str, Any]]:
    queue = selectors.review_queue_for(request.auth)  # type: ignore[attr-defined]
    return [_offer_out(o) for o in queue[:100]]


@citizen_router.post(
    "/review/{offer_id}",
    response={
        200: OfferOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Cán bộ duyệt (hoặc trả lại) một lời mời tự động thực hiện",
)
def review_decide(request: HttpRequest, offer_id: int, body: LifeEventReviewIn) -> dict[str, Any]:
    offer = services.offer_review(
        actor=request.auth,  # type: ignore[attr-defined]
        offer_id=offer_id,
        approve=body.approve,
        note=body.note,
    )
    return _offer_out(offer)


@router.get(
    "/measures", response=list[MeasureOut], summary="Số lời mời đã gửi, được đồng ý, hoàn thành"
)
def measure_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "rule": m.rule.code,
            "level": m.rule.level,
            "made": m.made,
            "accepted": m.accepted,
            "declined": m.declined,
            "completed": m.completed,
            "minutes_saved": m.minutes_saved,
        }
        for m in selectors.measures()
    ]
