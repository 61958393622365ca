"""The e-office (``/api/v1/eoffice``): official documents, the circuit, registration and
handling, the registers. A thin layer over :mod:`congso.eoffice.services` and
:mod:`congso.eoffice.selectors`; files travel base64-encoded in the JSON body (as they do in
edXML packages)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from congso.accounts.tokens import SIGN
from congso.api import params
from congso.api.auth import SESSION_OR_TOKEN, token_scope
from congso.api.schemas import ErrorOut
from congso.core.errors import DomainError, NotFound
from congso.eoffice import registerbook, selectors, services
from congso.eoffice.models import Channel, Direction, Dispatch, Document, StatusEvent

router = Router(auth=SESSION_OR_TOKEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class FileIn(Schema):
    name: str = Field(max_length=255)
    content_base64: str = Field(description="Nội dung tệp, mã hóa base64.")


class RecipientIn(Schema):
    name: str = Field(max_length=255)
    code: str = Field("", max_length=13, description="Mã định danh (QCVN 102) khi gửi qua trục.")
    channel: str = Field(Channel.AXIS, description="axis, paper hoặc email.")


class DraftIn(Schema):
    agency: params.DbInt
    doc_type: str = Field(description="Mã loại văn bản (CV, QD, BC…).")
    subject: str = Field(max_length=2000)
    main: FileIn
    attachments: list[FileIn] = []
    signer: params.DbInt = Field(description="Lãnh đạo ký (mã người dùng).")
    signer_position: str = Field(max_length=200)
    signer_competence: str = Field("", description="'', TM., KT., Q., TL. hoặc TUQ.")
    recipients: list[RecipientIn] = []
    to_places: list[str] = []
    place: str = ""
    notation_suffix: str = ""
    content: str = ""
    urgency: int = Field(0, ge=0, le=3)
    confidentiality: int = Field(0, ge=0, le=3)
    reply_due: date | None = None
    page_count: int | None = Field(None, ge=1, le=100000)
    reply_to: params.OptionalDbInt = None
    replaces: params.OptionalDbInt = None


class IncomingIn(Schema):
    agency: params.DbInt = Field(description="Cơ quan nhận (văn thư của cơ quan này nhập).")
    received_by: str = Field(Channel.PAPER, description="paper (bản giấy đã quét) hoặc email.")
    doc_type: str = Field(description="Mã loại văn bản (CV, QD, BC…).")
    issuer_name: str = Field(max_length=255)
    issuer_code: str = Field("", max_length=13, description="Mã định danh nơi ban hành, nếu biết.")
    code_number: str = Field(max_length=20)
    code_notation: str = Field(max_length=60)
    issued_on: date
    subject: str = Field(max_length=2000)
    main: FileIn
    attachments: list[FileIn] = []
    signer_name: str = Field("", max_length=200)
    signer_position: str = Field("", max_length=200)
    urgency: int = Field(0, ge=0, le=3)
    confidentiality: int = Field(0, ge=0, le=3)
    reply_due: date | None = None
    page_count: int | None = Field(None, ge=1, le=100000)


class SubmitIn(Schema):
    reviewers: list[params.DbInt] = []


class ReviewIn(Schema):
    approve: bool
    comment: str = ""


class ReasonIn(Schema):
    reason: str = Field(max_length=1000)


class AssignIn(Schema):
    lead: params.DbInt
    co: list[params.DbInt] = []
    info: list[params.DbInt] = []
    working_days: int | None = Field(None, ge=1, le=365)


class CommentIn(Schema):
    text: str = Field(max_length=5000)


class CompleteIn(Schema):
    reply: params.OptionalDbInt = None
    note: str = ""


class RecallAnswerIn(Schema):
    accept: bool


class UpdateIn(Schema):
    subject: str | None = Field(None, max_length=2000)
    content: str | None = None
    to_places: list[str] | None = None
    reply_due: date | None = None
    page_count: int | None = Field(None, ge=1, le=100000)
    urgency: int | None = Field(None, ge=0, le=3)
    reason: str = Field(max_length=1000)


class ReplaceIn(Schema):
    main: FileIn = Field(description="Tệp văn bản chính thay thế (PDF), người ký ký số khi gửi.")
    attachments: list[FileIn] = []
    subject: str | None = Field(None, max_length=2000)
    content: str | None = None
    to_places: list[str] | None = None
    reply_due: date | None = None
    page_count: int | None = Field(None, ge=1, le=100000)
    urgency: int | None = Field(None, ge=0, le=3)
    reason: str = Field(max_length=1000)


class IncomingUpdateOut(Schema):
    id: int
    business_type: int
    reason: str
    diff: dict[str, Any]
    decision: str
    decided_at: datetime | None


class DecideIn(Schema):
    accept: bool


class DispatchOut(Schema):
    recipient_code: str
    recipient_name: str
    channel: str
    delivery: str
    status_code: str
    status_description: str
    status_at: datetime | None


class StatusOut(Schema):
    direction: str
    code: str
    description: str
    staff: str
    at: datetime


class DocumentOut(Schema):
    id: int
    agency: str = Field(description="Mã định danh của cơ quan giữ văn bản.")
    direction: str
    state: str
    state_label: str
    doc_type: str
    number_notation: str
    document_id: str
    issuer_code: str
    issuer_name: str
    issued_on: date | None
    subject: str
    signer_name: str
    signer_position: str
    signer_competence: str
    urgency: int
    confidentiality: int
    reply_due: date | None
    due_at: datetime | None
    register_year: int | None
    register_number: int | None
    version: int
    reply_to: int | None
    dispatches: list[DispatchOut]
    statuses: list[StatusOut]
    warnings: list[str] = []


def _document(document: Document, warnings: list[str] | None = None) -> DocumentOut:
    dispatches: list[Dispatch] = list(document.dispatches.all())
    statuses: list[StatusEvent] = list(document.status_events.order_by("at", "pk"))
    return DocumentOut(
        id=document.pk,
        agency=document.agency.code,
        direction=document.direction,
        state=document.state,
        state_label=document.get_state_display(),
        doc_type=document.doc_type.code,
        number_notation=document.number_notation,
        document_id=document.document_id,
        issuer_code=document.issuer_code,
        issuer_name=document.issuer_name,
        issued_on=document.issued_on,
        subject=document.subject,
        signer_name=document.signer_name,
        signer_position=document.signer_position,
        signer_competence=document.signer_competence,
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        reply_due=document.reply_due,
        due_at=document.due_at,
        register_year=document.register_year,
        register_number=document.register_number,
        version=document.version,
        reply_to=document.reply_to_id,
        dispatches=[DispatchOut.from_orm(d) for d in dispatches],
        statuses=[StatusOut.from_orm(s) for s in statuses],
        warnings=warnings or [],
    )


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _upload(item: FileIn, where: str) -> services.Upload:
    try:
        data = base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("invalid_file", "Tệp phải mã hóa base64.", field=where) from None
    return services.Upload(item.name, data)


def _visible(request: HttpRequest, document_id: params.DbInt) -> Document:
    return selectors.document_for(_user(request), document_id)


def _out(request: HttpRequest, document: Document) -> DocumentOut:
    return _document(selectors.document_for(_user(request), document.pk))


@router.get(
    "/documents",
    response={200: list[DocumentOut], 401: ErrorOut},
    summary="Văn bản đi và đến mà người dùng được xem",
)
def document_list(
    request: HttpRequest, direction: str | None = None, state: str | None = None
) -> list[DocumentOut]:
    documents = selectors.documents_for(_user(request), direction=direction, state=state)[:200]
    return [_document(document) for document in documents]


@router.get(
    "/documents/{document_id}", response={200: DocumentOut, **ERRORS}, summary="Một văn bản"
)
def document_detail(request: HttpRequest, document_id: params.DbInt) -> DocumentOut:
    return _document(_visible(request, document_id))


def _draft_fields(payload: DraftIn) -> dict[str, Any]:
    """A draft's fields as the services take them (a draft, or one raised from a dossier)."""
    return {
        "agency_id": payload.agency,
        "doc_type_code": payload.doc_type,
        "subject": payload.subject,
        "main": _upload(payload.main, "main"),
        "attachments": [_upload(item, "attachments") for item in payload.attachments],
        "signer_id": payload.signer,
        "signer_position": payload.signer_position,
        "signer_competence": payload.signer_competence,
        "recipients": [
            services.Recipient(name=r.name, code=r.code, channel=r.channel)
            for r in payload.recipients
        ],
        "to_places": payload.to_places,
        "place": payload.place,
        "notation_suffix": payload.notation_suffix,
        "content": payload.content,
        "urgency": payload.urgency,
        "confidentiality": payload.confidentiality,
        "reply_due": payload.reply_due,
        "page_count": payload.page_count,
    }


@router.post("/documents", response={201: DocumentOut, **ERRORS}, summary="Soạn dự thảo văn bản đi")
def draft_create(request: HttpRequest, payload: DraftIn) -> Status:
    document = services.draft_create(
        actor=_user(request),
        **_draft_fields(payload),
        reply_to_id=payload.reply_to,
        replaces_id=payload.replaces,
    )
    return Status(201, _out(request, document))


@router.post(
    "/documents/{document_id}/submit",
    response={200: DocumentOut, **ERRORS},
    summary="Trình dự thảo qua các người duyệt",
)
def draft_submit(request: HttpRequest, document_id: params.DbInt, payload: SubmitIn) -> DocumentOut:
    _visible(request, document_id)
    document = services.draft_submit(
        actor=_user(request), document_id=document_id, reviewer_ids=payload.reviewers
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/review",
    response={200: DocumentOut, **ERRORS},
    summary="Cho ý kiến dự thảo: duyệt (ký nháy) hoặc trả lại",
)
def draft_review(request: HttpRequest, document_id: params.DbInt, payload: ReviewIn) -> DocumentOut:
    _visible(request, document_id)
    document = services.draft_review(
        actor=_user(request),
        document_id=document_id,
        approve=payload.approve,
        comment=payload.comment,
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/sign",
    response={200: DocumentOut, **ERRORS},
    summary="Lãnh đạo ký số văn bản (PAdES)",
)
@token_scope(SIGN)
def document_sign(request: HttpRequest, document_id: params.DbInt) -> DocumentOut:
    _visible(request, document_id)
    return _out(request, services.document_sign(actor=_user(request), document_id=document_id))


class ExternalSignOut(Schema):
    session: str
    to_be_signed: str = Field(description="Phần dữ liệu cần ký (PDF ByteRange), base64.")
    digest_sha256: str


class ExternalSignIn(Schema):
    signature_cms: str = Field(description="Chữ ký CMS SignedData tách rời (DER), base64.")


@router.post(
    "/documents/{document_id}/external",
    response={201: ExternalSignOut, **ERRORS},
    summary="Lãnh đạo chuẩn bị ký từ xa: trả về phần dữ liệu cần ký",
)
@token_scope(SIGN)
def document_external_prepare(request: HttpRequest, document_id: params.DbInt) -> Status:
    _visible(request, document_id)
    session = services.document_external_prepare(actor=_user(request), document_id=document_id)
    prepared = services.external_prepared(session)
    return Status(
        201,
        ExternalSignOut(
            session=session.token,
            to_be_signed=base64.b64encode(prepared.to_be_signed).decode("ascii"),
            digest_sha256=session.digest,
        ),
    )


@router.post(
    "/external/{session}",
    response={200: DocumentOut, **ERRORS},
    summary="Lãnh đạo hoàn tất ký từ xa: gửi chữ ký CMS",
)
@token_scope(SIGN)
def document_external_finish(
    request: HttpRequest, session: str, payload: ExternalSignIn
) -> DocumentOut:
    try:
        cms = base64.b64decode(payload.signature_cms, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(
            "bad_signature", "Chữ ký phải là CMS (DER) mã hóa base64.", field="signature_cms"
        ) from None
    document = services.document_external_finish(
        actor=_user(request), token=session, signature_cms=cms
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/issue",
    response={200: DocumentOut, **ERRORS},
    summary="Văn thư cấp số, ban hành và phát hành văn bản",
)
def document_issue(request: HttpRequest, document_id: params.DbInt) -> DocumentOut:
    _visible(request, document_id)
    return _out(request, services.document_issue(actor=_user(request), document_id=document_id))


@router.post(
    "/incoming",
    response={201: DocumentOut, **ERRORS},
    summary="Nhập văn bản đến nhận bằng bản giấy (đã quét) hoặc thư điện tử",
)
def incoming_create(request: HttpRequest, payload: IncomingIn) -> Status:
    if payload.received_by not in (Channel.PAPER, Channel.EMAIL):
        raise DomainError(
            "invalid_choice", "Cách nhận phải là paper hoặc email.", field="received_by"
        )
    document = services.incoming_create(
        actor=_user(request),
        agency_id=payload.agency,
        doc_type_code=payload.doc_type,
        issuer_code=payload.issuer_code,
        issuer_name=payload.issuer_name,
        code_number=payload.code_number,
        code_notation=payload.code_notation,
        issued_on=payload.issued_on,
        subject=payload.subject,
        main=_upload(payload.main, "main"),
        attachments=[_upload(item, "attachments") for item in payload.attachments],
        signer_name=payload.signer_name,
        signer_position=payload.signer_position,
        urgency=payload.urgency,
        confidentiality=payload.confidentiality,
        reply_due=payload.reply_due,
        page_count=payload.page_count,
        received_by=payload.received_by,
    )
    return Status(201, _out(request, document))


@router.post(
    "/documents/{document_id}/revoke",
    response={200: DocumentOut, **ERRORS},
    summary="Hủy bỏ văn bản đã ban hành (gói thu hồi, BussinessDocType 1)",
)
def document_revoke(
    request: HttpRequest, document_id: params.DbInt, payload: ReasonIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.document_revoke(
        actor=_user(request), document_id=document_id, reason=payload.reason
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/recall",
    response={200: DocumentOut, **ERRORS},
    summary="Yêu cầu nơi nhận trả lại văn bản đã gửi (trạng thái 13)",
)
def document_recall(
    request: HttpRequest, document_id: params.DbInt, payload: ReasonIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.document_recall(
        actor=_user(request), document_id=document_id, reason=payload.reason
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/register",
    response={200: DocumentOut, **ERRORS},
    summary="Văn thư vào sổ văn bản đến (trạng thái 03)",
)
def incoming_register(request: HttpRequest, document_id: params.DbInt) -> DocumentOut:
    _visible(request, document_id)
    outcome = services.incoming_register(actor=_user(request), document_id=document_id)
    return _document(selectors.document_for(_user(request), document_id), outcome.warnings)


@router.post(
    "/documents/{document_id}/return",
    response={200: DocumentOut, **ERRORS},
    summary="Văn thư trả lại văn bản đến, có lý do (trạng thái 02)",
)
def incoming_return(
    request: HttpRequest, document_id: params.DbInt, payload: ReasonIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.incoming_return(
        actor=_user(request), document_id=document_id, reason=payload.reason
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/assign",
    response={200: DocumentOut, **ERRORS},
    summary="Lãnh đạo phân công xử lý, có hạn (trạng thái 04)",
)
def incoming_assign(
    request: HttpRequest, document_id: params.DbInt, payload: AssignIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.incoming_assign(
        actor=_user(request),
        document_id=document_id,
        lead_id=payload.lead,
        co_ids=payload.co,
        info_ids=payload.info,
        working_days=payload.working_days,
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/comments",
    response={200: DocumentOut, **ERRORS},
    summary="Ý kiến xử lý (ý kiến đầu tiên: đang xử lý, trạng thái 05)",
)
def incoming_comment(
    request: HttpRequest, document_id: params.DbInt, payload: CommentIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.incoming_comment(
        actor=_user(request), document_id=document_id, text=payload.text
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/complete",
    response={200: DocumentOut, **ERRORS},
    summary="Hoàn thành xử lý: đã trả lời hoặc để biết (trạng thái 06)",
)
def incoming_complete(
    request: HttpRequest, document_id: params.DbInt, payload: CompleteIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.incoming_complete(
        actor=_user(request), document_id=document_id, reply_id=payload.reply, note=payload.note
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/recall-answer",
    response={200: DocumentOut, **ERRORS},
    summary="Trả lời yêu cầu thu hồi: đồng ý (15) hoặc từ chối (16)",
)
def incoming_recall_answer(
    request: HttpRequest, document_id: params.DbInt, payload: RecallAnswerIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.incoming_recall_answer(
        actor=_user(request), document_id=document_id, accept=payload.accept
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/update",
    response={200: DocumentOut, **ERRORS},
    summary="Cập nhật văn bản đã ban hành và gửi bản cập nhật cho nơi nhận (nghiệp vụ 2)",
)
def document_update(
    request: HttpRequest, document_id: params.DbInt, payload: UpdateIn
) -> DocumentOut:
    _visible(request, document_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason")
    document = services.document_update(
        actor=_user(request), document_id=document_id, changes=changes, reason=reason
    )
    return _out(request, document)


@router.post(
    "/documents/{document_id}/replace",
    response={200: DocumentOut, **ERRORS},
    summary="Người ký ký và gửi văn bản thay thế cho nơi nhận (nghiệp vụ 3)",
)
@token_scope(SIGN)
def document_replace(
    request: HttpRequest, document_id: params.DbInt, payload: ReplaceIn
) -> DocumentOut:
    _visible(request, document_id)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason")
    changes.pop("main", None)
    changes.pop("attachments", None)
    document = services.document_replace(
        actor=_user(request),
        document_id=document_id,
        main=_upload(payload.main, "main"),
        attachments=[_upload(item, "attachments") for item in payload.attachments],
        changes=changes,
        reason=reason,
    )
    return _out(request, document)


@router.get(
    "/documents/{document_id}/updates",
    response={200: list[IncomingUpdateOut], **ERRORS},
    summary="Các bản cập nhật nơi gửi đã gửi cho văn bản đến này, với thay đổi",
)
def incoming_updates(request: HttpRequest, document_id: params.DbInt) -> list[IncomingUpdateOut]:
    document = _visible(request, document_id)
    return [IncomingUpdateOut.from_orm(u) for u in document.updates.order_by("created_at", "pk")]


@router.post(
    "/documents/{document_id}/updates/{update_id}/decide",
    response={200: DocumentOut, **ERRORS},
    summary="Văn thư đồng ý (15, thành phiên bản mới) hoặc từ chối (16) bản cập nhật",
)
def incoming_update_decide(
    request: HttpRequest, document_id: params.DbInt, update_id: params.DbInt, payload: DecideIn
) -> DocumentOut:
    _visible(request, document_id)
    document = services.incoming_update_decide(
        actor=_user(request), update_id=update_id, accept=payload.accept, document_id=document_id
    )
    return _out(request, document)


@router.get(
    "/overdue",
    response={200: list[DocumentOut], 401: ErrorOut},
    summary="Văn bản đến quá hạn xử lý",
)
def overdue(request: HttpRequest, mine: bool = False) -> list[DocumentOut]:
    return [_document(d) for d in selectors.overdue(_user(request), mine=mine)[:200]]


@router.get(
    "/registers/{agency_id}/{direction}/{year}",
    response={200: list[DocumentOut], 401: ErrorOut},
    summary="Sổ văn bản đi (out) hoặc đến (in) của một cơ quan trong một năm",
)
def register(
    request: HttpRequest,
    agency_id: params.DbInt,
    direction: str,
    year: params.DbInt,
    confidential: bool = False,
) -> list[DocumentOut]:
    entries = selectors.register(
        _user(request),
        agency_id=agency_id,
        direction=direction,
        year=year,
        confidential=confidential,
    )
    return [_document(d) for d in entries]


@router.get(
    "/registers/{agency_id}/{direction}/{year}/export",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Siêu dữ liệu của sổ văn bản (CSV hoặc JSON), cho văn thư và lãnh đạo cơ quan",
)
def register_export(
    request: HttpRequest,
    agency_id: params.DbInt,
    direction: str,
    year: params.DbInt,
    format: str = "json",
    confidential: bool = False,
) -> HttpResponse:
    user = _user(request)
    agency = selectors.office_agencies(user, ("clerk", "leader")).filter(pk=agency_id).first()
    if agency is None:
        raise NotFound(
            "register_not_found", "Không tìm thấy sổ văn bản của cơ quan này.", field="agency"
        )
    if direction not in (Direction.OUTGOING, Direction.INCOMING):
        raise DomainError("invalid_choice", "Sổ phải là out (đi) hoặc in (đến).", field="direction")
    if format not in ("csv", "json"):
        raise DomainError("invalid_choice", "Định dạng phải là csv hoặc json.", field="format")
    entries = list(
        selectors.register(
            user, agency_id=agency.pk, direction=direction, year=year, confidential=confidential
        )
        .select_related("doc_type", "reply_to", "duplicate_of")
        .prefetch_related("dispatches", "assignments__user", "files")
    )
    book = registerbook.Register(
        agency_name=agency.name,
        parent_name="",
        direction=direction,
        year=year,
        confidential=confidential,
        entries=entries,
    )
    if format == "csv":
        response = HttpResponse(
            registerbook.metadata_csv(book), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            registerbook.metadata_json(book), content_type="application/json; charset=utf-8"
        )
    kind = "di" if direction == Direction.OUTGOING else "den"
    name = f"so-van-ban-{kind}-{agency.code}-{year}{'-mat' if confidential else ''}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- The handling work: sub-assignments, deadlines, documents raised from dossiers ------------


class SubAssignIn(Schema):
    user: params.DbInt = Field(description="Cán bộ được giao việc (mã người dùng).")
    task: str = Field(max_length=2000)
    working_days: int = Field(ge=1, le=365, description="Hạn, số ngày làm việc.")


class SubReportIn(Schema):
    result: str = Field(max_length=4000)


class SubAssignmentOut(Schema):
    id: int
    document: int = Field(alias="document_id")
    user: int = Field(alias="user_id")
    assigned_by: int = Field(alias="assigned_by_id")
    task: str
    due_at: datetime
    status: str
    result: str
    done_at: datetime | None
    assigned_at: datetime


class DeadlineOut(Schema):
    user: int
    role: str
    role_label: str
    document: int
    number_notation: str
    subject: str
    due_at: datetime
    overdue: bool
    task: str


class DossierDraftIn(DraftIn):
    step: params.OptionalDbInt = Field(None, description="Bước xử lý của hồ sơ soạn văn bản.")


class DossierLinkIn(Schema):
    dossier: str = Field(max_length=50, description="Mã hồ sơ.")
    step: params.OptionalDbInt = None


class LinkedDocumentOut(Schema):
    dossier: str
    step: int | None
    step_name: str
    document: DocumentOut
    replies: list[DocumentOut]


def _dossier_pk(request: HttpRequest, code: str) -> int:
    return selectors.dossier_by_code(_user(request), code).pk


@router.get(
    "/documents/{document_id}/subassignments",
    response={200: list[SubAssignmentOut], **ERRORS},
    summary="Các việc người chủ trì đã giao cho cán bộ trong đơn vị",
)
def subassignment_list(request: HttpRequest, document_id: params.DbInt) -> list[SubAssignmentOut]:
    document = _visible(request, document_id)
    return [SubAssignmentOut.from_orm(s) for s in selectors.subassignments_of(document)]


@router.post(
    "/documents/{document_id}/subassignments",
    response={201: SubAssignmentOut, **ERRORS},
    summary="Người chủ trì giao một phần việc cho cán bộ trong đơn vị, có hạn riêng",
)
def subassignment_create(
    request: HttpRequest, document_id: params.DbInt, payload: SubAssignIn
) -> Status:
    _visible(request, document_id)
    sub = services.subassign_create(
        actor=_user(request),
        document_id=document_id,
        user_id=payload.user,
        task=payload.task,
        working_days=payload.working_days,
    )
    return Status(201, SubAssignmentOut.from_orm(sub))


@router.post(
    "/subassignments/{subassignment_id}/report",
    response={200: SubAssignmentOut, **ERRORS},
    summary="Cán bộ được giao việc báo cáo kết quả",
)
def subassignment_report(
    request: HttpRequest, subassignment_id: params.DbInt, payload: SubReportIn
) -> SubAssignmentOut:
    sub = services.subassign_report(
        actor=_user(request), subassignment_id=subassignment_id, result=payload.result
    )
    return SubAssignmentOut.from_orm(sub)


@router.get(
    "/deadlines",
    response={200: list[DeadlineOut], 401: ErrorOut},
    summary="Văn bản quá hạn và đến hạn trước hết ngày mai: của tôi, hoặc của đơn vị",
)
def deadline_list(request: HttpRequest, unit: bool = False) -> list[DeadlineOut]:
    user = _user(request)
    found = selectors.unit_deadlines(user) if unit else selectors.my_deadlines(user)
    return [
        DeadlineOut(
            user=d.user_id,
            role=d.role,
            role_label=d.role_label,
            document=d.document.pk,
            number_notation=d.document.number_notation,
            subject=d.document.subject,
            due_at=d.due_at,
            overdue=d.overdue,
            task=d.task,
        )
        for d in found
    ]


@router.get(
    "/dossiers/{code}/documents",
    response={200: list[LinkedDocumentOut], **ERRORS},
    summary="Văn bản soạn từ hồ sơ và văn bản trả lời đã đến",
)
def dossier_document_list(request: HttpRequest, code: str) -> list[LinkedDocumentOut]:
    items = selectors.dossier_documents(_user(request), _dossier_pk(request, code))
    return [
        LinkedDocumentOut(
            dossier=code,
            step=item.link.step_id,
            step_name=item.link.step.name if item.link.step is not None else "",
            document=_document(item.document),
            replies=[_document(reply) for reply in item.replies],
        )
        for item in items
    ]


@router.post(
    "/dossiers/{code}/documents",
    response={201: DocumentOut, **ERRORS},
    summary="Soạn dự thảo văn bản đi từ hồ sơ (công văn xin ý kiến), gắn với hồ sơ và bước",
)
def dossier_draft_create(request: HttpRequest, code: str, payload: DossierDraftIn) -> Status:
    document = services.dossier_draft_create(
        actor=_user(request),
        dossier_id=_dossier_pk(request, code),
        step_id=payload.step,
        **_draft_fields(payload),
    )
    return Status(201, _out(request, document))


@router.post(
    "/documents/{document_id}/dossier-link",
    response={201: LinkedDocumentOut, **ERRORS},
    summary="Gắn văn bản đi đã soạn với một hồ sơ (và bước xử lý)",
)
def dossier_link_create(
    request: HttpRequest, document_id: params.DbInt, payload: DossierLinkIn
) -> Status:
    _visible(request, document_id)
    link = services.dossier_link_create(
        actor=_user(request),
        document_id=document_id,
        dossier_id=_dossier_pk(request, payload.dossier),
        step_id=payload.step,
    )
    return Status(
        201,
        LinkedDocumentOut(
            dossier=payload.dossier,
            step=link.step_id,
            step_name=link.step.name if link.step is not None else "",
            document=_out(request, link.document),
            replies=[],
        ),
    )
