"""Records and the e-archive (``/api/v1/records``): file plans and series, records, filing a
document or a finished dossier, closing, the transfer as a BagIt bag, the disposition list and
its decisions. A thin layer over :mod:`congso.records.services` and
:mod:`congso.records.selectors`."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from congso.api import params
from congso.api.auth import SESSION_OR_TOKEN
from congso.api.schemas import ErrorOut
from congso.records import selectors, services
from congso.records.models import Record

router = Router(auth=SESSION_OR_TOKEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PlanIn(Schema):
    agency: params.DbInt
    year: int = Field(ge=2000, le=2100)


class PlanOut(Schema):
    id: int
    agency: str
    year: int
    title: str


class SeriesIn(Schema):
    code: str = Field(max_length=20)
    title: str = Field(max_length=500)
    retention_years: int | None = Field(None, ge=1, le=100)
    permanent: bool = False
    legal_basis: str = Field("", max_length=500)
    effective_from: date | None = None
    transfer_within_years: int = Field(1, ge=0, le=10)


class SeriesOut(Schema):
    id: int
    code: str
    title: str
    retention_years: int | None
    permanent: bool
    legal_basis: str
    effective_from: date | None


class OpenIn(Schema):
    series: params.DbInt
    title: str = Field(max_length=500)
    opened_on: date | None = None


class RecordFileIn(Schema):
    document: params.OptionalDbInt = None
    dossier: params.OptionalDbInt = None


class FileOut(Schema):
    id: int
    name: str
    role: str
    size: int
    sha256: str
    signed: bool


class ItemOut(Schema):
    position: int
    kind: str
    reference: str
    dated: date | None
    author: str
    summary: str
    files: list[FileOut]


class RecordOut(Schema):
    id: int
    code: str
    title: str
    agency: str = Field(description="Mã định danh của cơ quan giữ hồ sơ.")
    series: str
    state: str
    retention_years: int | None
    permanent: bool
    legal_basis: str
    opened_on: date
    closed_on: date | None
    items: list[ItemOut]


class RecordTransferOut(Schema):
    name: str
    size: int
    sha256: str
    payload_oxum: str
    files: int
    made_at: datetime
    content_base64: str = Field(description="Gói BagIt (zip), mã hóa base64.")


class RecordDueOut(Schema):
    record: int
    code: str
    action: str = Field(description="destroy (hết thời hạn bảo quản) hoặc transfer (nộp lưu).")
    due_on: date


class RecordDecideIn(Schema):
    action: str = Field(description="destroy, transfer hoặc keep.")
    decision_ref: str = Field(max_length=255)
    reason: str = Field("", max_length=2000)
    review_on: date | None = None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _record(record: Record) -> RecordOut:
    items = [
        ItemOut(
            position=item.position,
            kind=item.kind,
            reference=item.reference,
            dated=item.dated,
            author=item.author,
            summary=item.summary,
            files=[FileOut.from_orm(f) for f in item.files.all()],
        )
        for item in selectors.items_of(record)
    ]
    return RecordOut(
        id=record.pk,
        code=record.code,
        title=record.title,
        agency=record.agency.code,
        series=f"{record.series.code}. {record.series.title}",
        state=record.state,
        retention_years=record.retention_years,
        permanent=record.permanent,
        legal_basis=record.legal_basis,
        opened_on=record.opened_on,
        closed_on=record.closed_on,
        items=items,
    )


def _out(request: HttpRequest, record_id: int) -> RecordOut:
    return _record(selectors.record_for(_user(request), record_id))


@router.post("/plans", response={201: PlanOut, **ERRORS}, summary="Lập danh mục hồ sơ của năm")
def plan_create(request: HttpRequest, payload: PlanIn) -> Status:
    plan = services.plan_create(actor=_user(request), agency_id=payload.agency, year=payload.year)
    return Status(
        201, PlanOut(id=plan.pk, agency=plan.agency.code, year=plan.year, title=plan.title)
    )


@router.post(
    "/plans/{plan_id}/series",
    response={201: SeriesOut, **ERRORS},
    summary="Thêm đề mục (với thời hạn bảo quản) vào danh mục hồ sơ",
)
def series_create(request: HttpRequest, plan_id: params.DbInt, payload: SeriesIn) -> Status:
    selectors.plan_for(_user(request), plan_id)
    series = services.series_create(actor=_user(request), plan_id=plan_id, **payload.model_dump())
    return Status(201, SeriesOut.from_orm(series))


@router.get("", response={200: list[RecordOut], 401: ErrorOut}, summary="Hồ sơ lưu trữ")
def record_list(request: HttpRequest, state: str | None = None) -> list[RecordOut]:
    return [_record(r) for r in selectors.records_for(_user(request), state=state)[:200]]


@router.post("", response={201: RecordOut, **ERRORS}, summary="Mở hồ sơ dưới một đề mục")
def record_open(request: HttpRequest, payload: OpenIn) -> Status:
    record = services.record_open(
        actor=_user(request),
        series_id=payload.series,
        title=payload.title,
        opened_on=payload.opened_on,
    )
    return Status(201, _out(request, record.pk))


@router.get(
    "/disposition", response={200: list[RecordDueOut], 401: ErrorOut}, summary="Hồ sơ đến hạn xử lý"
)
def disposition_list(request: HttpRequest) -> list[RecordDueOut]:
    return [
        RecordDueOut(record=d.record.pk, code=d.record.code, action=d.action, due_on=d.due_on)
        for d in selectors.disposition_list(_user(request))
    ]


@router.get("/{record_id}", response={200: RecordOut, **ERRORS}, summary="Một hồ sơ lưu trữ")
def record_detail(request: HttpRequest, record_id: params.DbInt) -> RecordOut:
    return _out(request, record_id)


@router.post(
    "/{record_id}/items",
    response={201: RecordOut, **ERRORS},
    summary="Đưa một văn bản hoặc một hồ sơ thủ tục đã kết thúc vào hồ sơ",
)
def record_file(request: HttpRequest, record_id: params.DbInt, payload: RecordFileIn) -> Status:
    selectors.record_for(_user(request), record_id)
    services.record_file(
        actor=_user(request),
        record_id=record_id,
        document_id=payload.document,
        dossier_id=payload.dossier,
    )
    return Status(201, _out(request, record_id))


@router.post("/{record_id}/close", response={200: RecordOut, **ERRORS}, summary="Kết thúc hồ sơ")
def record_close(request: HttpRequest, record_id: params.DbInt) -> RecordOut:
    selectors.record_for(_user(request), record_id)
    services.record_close(actor=_user(request), record_id=record_id)
    return _out(request, record_id)


@router.post(
    "/{record_id}/transfer",
    response={201: RecordTransferOut, **ERRORS},
    summary="Nộp lưu: lập gói BagIt (SHA-256) của hồ sơ đã kết thúc",
)
def record_transfer(request: HttpRequest, record_id: params.DbInt) -> Status:
    selectors.record_for(_user(request), record_id)
    transfer = services.record_transfer(actor=_user(request), record_id=record_id)
    with transfer.file.open("rb") as handle:
        content = base64.b64encode(handle.read()).decode()
    return Status(
        201,
        RecordTransferOut(
            name=transfer.name,
            size=transfer.size,
            sha256=transfer.sha256,
            payload_oxum=transfer.payload_oxum,
            files=transfer.files,
            made_at=transfer.made_at,
            content_base64=content,
        ),
    )


@router.post(
    "/{record_id}/disposition",
    response={200: RecordOut, **ERRORS},
    summary="Quyết định xử lý hồ sơ đến hạn: hủy, nộp lưu hoặc giữ lại",
)
def disposition_decide(
    request: HttpRequest, record_id: params.DbInt, payload: RecordDecideIn
) -> RecordOut:
    selectors.record_for(_user(request), record_id)
    services.disposition_decide(actor=_user(request), record_id=record_id, **payload.model_dump())
    return _out(request, record_id)
