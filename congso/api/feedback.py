"""Citizen feedback (phản ánh, kiến nghị) endpoints: categories and their suggestion, filing a
report (public, rate-limited), the reporter's follow-up and rating by the follow-up token,
published answers and statistics; for officers, their queue and the workflow actions. A thin
layer over :mod:`congso.feedback.services` and :mod:`congso.feedback.selectors` (the Open311
GeoReport v2 endpoints live under ``/open311/v2/``, docs/feedback.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from congso.accounts.models import User
from congso.api.auth import SESSION_OR_TOKEN
from congso.api.schemas import ErrorOut
from congso.core.throttle import client_address
from congso.feedback import commands, selectors, services
from congso.feedback.models import Channel, Report
from congso.org.models import Agency

router = Router()
officer_router = Router(auth=SESSION_OR_TOKEN)

Action = Literal["accept", "reject", "merge", "reroute", "assign", "start", "answer", "close"]


class CategoryOut(Schema):
    code: str = Field(description="Mã lĩnh vực (cũng là service_code của Open311).")
    name: str
    name_en: str = Field(description="Tên tiếng Anh (có thể trống).")
    parent_code: str | None
    deadline_days: float = Field(description="Thời hạn trả lời, ngày làm việc.")
    about_procedures: bool


class SuggestionOut(Schema):
    code: str
    name: str
    score: int
    matched: list[str] = Field(description="Các cụm từ khóa (không dấu) tìm thấy trong nội dung.")


class ReportIn(Schema):
    category: str = Field(max_length=60)
    description: str = Field(max_length=5000)
    unit: str = Field(max_length=5, description="Mã xã, phường (5 chữ số) trong tỉnh.")
    address: str = Field("", max_length=255)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    reporter_name: str = Field("", max_length=200)
    reporter_phone: str = Field("", max_length=20)
    reporter_email: str = Field("", max_length=254)
    publishable: bool = False
    procedure: str = Field("", max_length=30, description="Mã thủ tục liên quan, nếu có.")
    dossier: str = Field("", max_length=60, description="Mã hồ sơ liên quan, nếu có.")


class ReportOut(Schema):
    code: str
    status: str
    status_label: str
    category: str
    unit: str
    agency: str | None
    received_at: datetime
    due_at: datetime | None
    answered_at: datetime | None
    answer: str
    on_time: bool | None
    rating: int | None


class FiledOut(ReportOut):
    token: str = Field(description="Mã theo dõi của người phản ánh (giữ bí mật).")


class OfficerReportOut(ReportOut):
    version: int
    description: str
    assignee: str | None
    reporter_name: str
    reporter_phone: str
    channel: str


class StandardAnswerOut(Schema):
    id: int
    title: str
    text: str
    category: str | None = Field(description="Mã lĩnh vực; trống: mẫu chung.")


class PublishedOut(Schema):
    code: str
    category: str
    unit: str
    agency: str | None
    received_at: datetime
    answered_at: datetime | None
    description: str
    answer: str


class FeedbackRatingIn(Schema):
    token: str = Field(max_length=36)
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)
    reopen: bool = False


class FeedbackActionIn(Schema):
    version: int = Field(description="Phiên bản phản ánh đã đọc (chống ghi đè).")
    reason: str = Field("", max_length=2000)
    answer: str = Field("", max_length=5000)
    assignee: str = Field("", max_length=150, description="Tên đăng nhập của cán bộ được giao.")
    agency: str = Field("", max_length=13, description="Mã định danh của cơ quan nhận.")
    into: str = Field("", max_length=30, description="Mã phản ánh gốc (gộp trùng).")
    standard_answer: int | None = Field(
        None, description="Mẫu trả lời đã chọn (trả lời); phần «answer» viết thêm sau mẫu."
    )


class AgencyStatsOut(Schema):
    agency: str
    received: int
    answered: int
    on_time: int
    overdue_open: int
    rated: int
    satisfaction: float | None


def _out(report: Report) -> dict[str, Any]:
    return {
        "code": report.code,
        "status": report.status,
        "status_label": report.get_status_display(),
        "category": report.category.code,
        "unit": report.unit.code,
        "agency": report.agency.code if report.agency else None,
        "received_at": report.received_at,
        "due_at": report.due_at,
        "answered_at": report.answered_at,
        "answer": report.answer,
        "on_time": report.on_time,
        "rating": report.rating,
    }


def _officer_out(report: Report) -> dict[str, Any]:
    return {
        **_out(report),
        "version": report.version,
        "description": report.description,
        "assignee": report.assignee.get_username() if report.assignee else None,
        "reporter_name": report.reporter_name,
        "reporter_phone": report.reporter_phone,
        "channel": report.channel,
    }


@router.get(
    "/categories",
    response={200: list[CategoryOut], 503: ErrorOut},
    summary="Lĩnh vực phản ánh của tỉnh (công khai)",
)
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    home = services.province()
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "parent_code": c.parent.code if c.parent else None,
            "deadline_days": float(c.deadline_days),
            "about_procedures": c.about_procedures,
        }
        for c in selectors.categories(home.pk)
    ]


@router.get(
    "/categories/suggest",
    response={200: list[SuggestionOut], 503: ErrorOut},
    summary="Gợi ý lĩnh vực theo nội dung phản ánh (công khai)",
)
def suggest(
    request: HttpRequest, text: Annotated[str, Query(..., max_length=5000)]
) -> list[dict[str, Any]]:
    found = services.category_suggest(text=text, province_unit=services.province())
    return [
        {
            "code": s.category.code,
            "name": s.category.name,
            "score": s.score,
            "matched": list(s.matched),
        }
        for s in found
    ]


@router.post(
    "/reports",
    response={201: FiledOut, 400: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="Gửi phản ánh, kiến nghị (công khai; giới hạn theo địa chỉ và số điện thoại)",
)
def report_file(request: HttpRequest, body: ReportIn) -> tuple[int, dict[str, Any]]:
    """Routed by rule to the handling agency (a linked dossier: its competent agency). Refused
    with a code: ``unit_outside_province``, ``category_not_found``, ``too_many_reports`` (429,
    Retry-After)…"""
    intake = services.Intake(**body.model_dump())
    report = services.report_submit(
        actor=request.user if getattr(request.user, "is_authenticated", False) else None,
        channel=Channel.API,
        intake=intake,
        client_address=client_address(request),
    )
    return 201, {**_out(report), "token": str(report.token)}


@router.get(
    "/reports/{code}",
    response={200: ReportOut, 404: ErrorOut},
    summary="Người phản ánh xem phản ánh của mình (kèm mã theo dõi)",
)
def report_follow(
    request: HttpRequest, code: str, token: Annotated[str, Query(..., max_length=36)]
) -> dict[str, Any]:
    return _out(services.report_for_reporter(code=code, token=token))


@router.post(
    "/reports/{code}/rating",
    response={200: ReportOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Người phản ánh đánh giá trả lời, hoặc đề nghị xử lý lại",
)
def report_rate(request: HttpRequest, code: str, body: FeedbackRatingIn) -> dict[str, Any]:
    report = services.report_for_reporter(code=code, token=body.token)
    report = services.report_rate(
        actor=None, report=report, rating=body.rating, comment=body.comment, reopen=body.reopen
    )
    return _out(report)


@router.get(
    "/published",
    response={200: list[PublishedOut], 503: ErrorOut},
    summary="Phản ánh đã trả lời được công khai, lọc theo lĩnh vực, địa bàn, thời gian",
)
def published(
    request: HttpRequest,
    category: str = "",
    unit: str = "",
    since: date | None = None,
    until: date | None = None,
    limit: Annotated[int, Query(50, ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    flt = selectors.PublicFilter(category=category, unit=unit, since=since, until=until)
    rows = selectors.published(flt, province_id=services.province().pk)[:limit]
    return [
        {
            "code": r.code,
            "category": r.category.code,
            "unit": r.unit.code,
            "agency": r.agency.code if r.agency else None,
            "received_at": r.received_at,
            "answered_at": r.answered_at,
            "description": r.description,
            "answer": r.answer,
        }
        for r in rows
    ]


@router.get(
    "/statistics",
    response={200: list[AgencyStatsOut], 503: ErrorOut},
    summary="Số phản ánh đã nhận, đã trả lời, đúng hạn, mức hài lòng theo cơ quan",
)
def statistics(
    request: HttpRequest, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    rows = selectors.statistics(since=since, until=until, province_id=services.province().pk)
    return [
        {
            "agency": row.agency,
            "received": row.received,
            "answered": row.answered,
            "on_time": row.on_time,
            "overdue_open": row.overdue_open,
            "rated": row.rated,
            "satisfaction": row.satisfaction,
        }
        for row in rows
    ]


@officer_router.get(
    "/queue",
    response={200: list[OfficerReportOut], 401: ErrorOut},
    summary="Hàng đợi phản ánh của cán bộ (cơ quan của mình)",
)
def queue(
    request: HttpRequest,
    view: Literal["open", "new", "overdue", "mine", "all"] = "open",
    limit: Annotated[int, Query(50, ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    return [_officer_out(r) for r in selectors.queue(request.user, view=view)[:limit]]


@officer_router.get(
    "/reports/{code}/standard-answers",
    response={200: list[StandardAnswerOut], 401: ErrorOut, 404: ErrorOut},
    summary="Các mẫu trả lời dùng được cho một phản ánh",
)
def standard_answers(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    report = selectors.officer_report(request.user, code)
    return [
        {
            "id": row.pk,
            "title": row.title,
            "text": row.text,
            "category": row.category.code if row.category else None,
        }
        for row in services.standard_answers_for(report)
    ]


@officer_router.post(
    "/reports/{code}/actions/{action}",
    response={
        200: OfficerReportOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Thao tác xử lý phản ánh: tiếp nhận, không tiếp nhận, gộp trùng, chuyển, giao, "
    "bắt đầu, trả lời, kết thúc",
)
def act(request: HttpRequest, code: str, action: Action, body: FeedbackActionIn) -> dict[str, Any]:
    """The officer actions of docs/feedback.md (the same door table as the pages:
    ``congso.feedback.commands``)."""
    report = selectors.officer_report(request.user, code)
    given = commands.ActionInput(
        version=body.version,
        reason=body.reason,
        answer=body.answer,
        assignee=User.objects.filter(username=body.assignee.strip()).first()
        if body.assignee.strip()
        else None,
        agency=Agency.objects.filter(code=body.agency.strip()).first()
        if body.agency.strip()
        else None,
        into=body.into,
        standard=body.standard_answer,
    )
    return _officer_out(commands.act(actor=request.user, report=report, action=action, data=given))
