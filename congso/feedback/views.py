"""Feedback pages: the public form (with or without an account), the reporter's follow-up page
(rate, ask to reopen), the published answers, the statistics; the officers' queue, report page
with its actions, and the 1022 operator's form. Thin: parse, call a service, show its error
next to the field it names. Citizen text is shown escaped (Django's autoescape)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.accounts.models import User
from congso.core.errors import DomainError
from congso.core.throttle import client_address
from congso.feedback import commands, selectors, services
from congso.feedback.forms import (
    ActionForm,
    HotlineForm,
    PublicFilterForm,
    RateForm,
    ReportForm,
)
from congso.feedback.models import Channel, Report, ReportFile
from congso.feedback.workflow import OFFICER_ACTIONS, OPEN, allowed
from congso.org.models import Agency

ACTION_LABELS = {
    "accept": _("Tiếp nhận xử lý"),
    "reject": _("Không tiếp nhận (ngoài phạm vi)"),
    "merge": _("Gộp vào phản ánh trùng"),
    "reroute": _("Chuyển cơ quan khác"),
    "assign": _("Giao cán bộ xử lý"),
    "start": _("Bắt đầu xử lý"),
    "answer": _("Trả lời"),
    "close": _("Kết thúc"),
}
QUEUES = {
    "open": _("Đang xử lý"),
    "new": _("Mới tiếp nhận"),
    "overdue": _("Quá hạn"),
    "mine": _("Tôi xử lý"),
    "all": _("Tất cả"),
}
PAGE_SIZE = 20


def _context(**extra: Any) -> dict[str, Any]:
    home = services.province()
    return {"province": home, **extra}


def _choices() -> tuple[Any, list[Any], list[Any]]:
    home = services.province()
    return home, selectors.categories(home.pk), selectors.communes(home.pk)


# --- Public pages -------------------------------------------------------------------------------


@never_cache
def report_new(request: HttpRequest) -> HttpResponse:
    home, categories, units = _choices()
    form = ReportForm(
        request.POST or None, request.FILES or None, categories=categories, units=units
    )
    status = 200
    suggestions: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        intake = services.Intake(
            category=data["category"],
            description=data["description"],
            unit=data["unit"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            reporter_email=data["reporter_email"],
            publishable=data["publishable"],
            keep_location=data["keep_location"],
            procedure=data["procedure"],
            dossier=data["dossier"],
            files=data["photos"],
        )
        try:
            report = services.report_submit(
                actor=request.user,
                channel=Channel.PORTAL,
                intake=intake,
                client_address=client_address(request),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status if exc.status == 429 else 400
        else:
            return redirect(services.follow_path(report))
    elif request.method == "POST":
        status = 400
    if request.method == "POST" and form.data.get("description"):
        suggestions = services.category_suggest(
            text=str(form.data.get("description", "")), province_unit=home
        )
    return render(
        request,
        "feedback/report_new.html",
        _context(form=form, suggestions=suggestions, nav="new"),
        status=status,
    )


@never_cache
def report_follow(request: HttpRequest, code: str) -> HttpResponse:
    token = request.GET.get("t", "") or request.POST.get("t", "")
    try:
        report = services.report_for_reporter(code=code, token=token)
    except DomainError:
        raise Http404 from None
    form = RateForm(request.POST or None)
    status = 200
    done = ""
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_rate(
                actor=request.user,
                report=report,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                reopen=form.cleaned_data["reopen"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = 400
        else:
            done = str(_("Cảm ơn bạn đã đánh giá."))
            form = RateForm()
    can_rate = allowed("rate", report.status) and report.answered_at is not None
    return render(
        request,
        "feedback/report_follow.html",
        _context(
            report=report,
            events=report.events.filter(public=True).exclude(action="rate"),
            form=form,
            token=token,
            can_rate=can_rate,
            reopen_until=services.reopen_deadline(report),
            done=done,
        ),
        status=status,
    )


def public_list(request: HttpRequest) -> HttpResponse:
    home, categories, units = _choices()
    form = PublicFilterForm(request.GET or None, categories=categories, units=units)
    flt = selectors.PublicFilter()
    if form.is_valid():
        data = form.cleaned_data
        flt = selectors.PublicFilter(
            category=data["linh_vuc"],
            unit=data["xa"],
            since=data["tu"],
            until=data["den"],
            q=data["q"].strip(),
        )
    page = Paginator(selectors.published(flt, province_id=home.pk), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "feedback/public_list.html",
        _context(form=form, page=page, query=query.urlencode(), nav="public"),
    )


def public_detail(request: HttpRequest, code: str) -> HttpResponse:
    report = selectors.public_report(code)
    if report is None:
        raise Http404
    return render(request, "feedback/public_detail.html", _context(report=report, nav="public"))


def statistics(request: HttpRequest) -> HttpResponse:
    home = services.province()
    rows = selectors.statistics(province_id=home.pk)
    return render(request, "feedback/statistics.html", _context(rows=rows, nav="stats"))


# --- Officer pages ------------------------------------------------------------------------------


def _require_handler(request: HttpRequest) -> None:
    user = request.user
    if not (getattr(user, "is_superuser", False) or services.handler_agencies(user)):
        raise Forbidden


def _officer_report(request: HttpRequest, code: str) -> Report:
    report = selectors.for_officer(request.user).filter(code=code.upper()).first()
    if report is None:
        raise Http404
    return report


@login_required
@never_cache
def officer_queue(request: HttpRequest) -> HttpResponse:
    _require_handler(request)
    view = request.GET.get("xem", "open")
    if view not in QUEUES:
        view = "open"
    page = Paginator(selectors.queue(request.user, view=view), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    return render(
        request,
        "feedback/officer_queue.html",
        {"page": page, "view": view, "queues": QUEUES, "now": timezone.now()},
    )


def _action_form(report: Report, data: Any = None) -> ActionForm:
    assignees = list(
        User.objects.filter(
            is_active=True,
            role_assignments__agency_id=report.agency_id or 0,
            role_assignments__role__in=services.HANDLER_ROLES,
        )
        .distinct()
        .order_by("username")
    )
    agencies = list(
        Agency.objects.filter(province_id=report.province_id, active=True).order_by("name")
    )
    return ActionForm(
        data,
        assignees=assignees,
        agencies=agencies,
        standards=services.standard_answers_for(report),
        initial={"version": report.version},
    )


def _detail(
    request: HttpRequest, report: Report, form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    actions = [
        (name, ACTION_LABELS[name]) for name in OFFICER_ACTIONS if allowed(name, report.status)
    ]
    return render(
        request,
        "feedback/officer_detail.html",
        {
            "report": report,
            "events": report.events.select_related("actor"),
            "files": report.files.all(),
            "actions": actions,
            "form": form or _action_form(report),
            "overdue": report.status in OPEN and report.due_at and report.due_at < timezone.now(),
            "suggestions": services.category_suggest(
                text=report.description, province_unit=report.province
            ),
        },
        status=status,
    )


@login_required
@never_cache
def officer_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_handler(request)
    return _detail(request, _officer_report(request, code))


@login_required
@require_POST
def officer_action(request: HttpRequest, code: str, name: str) -> HttpResponse:
    _require_handler(request)
    report = _officer_report(request, code)
    if name not in OFFICER_ACTIONS:
        raise Http404
    form = _action_form(report, request.POST)
    if not form.is_valid():
        return _detail(request, report, form, status=400)
    data = form.cleaned_data
    given = commands.ActionInput(
        version=data["version"],
        reason=data["reason"],
        answer=data["answer"],
        assignee=User.objects.filter(pk=data["assignee"] or 0).first(),
        agency=Agency.objects.filter(pk=data["agency"] or 0).first(),
        into=data["into"],
        standard=data["standard"] or None,
    )
    try:
        commands.act(actor=request.user, report=report, action=name, data=given)
    except DomainError as exc:
        form.add_domain_error(exc)
        return _detail(request, Report.objects.get(pk=report.pk), form, status=exc.status)
    return redirect(reverse("feedback:officer_detail", args=[report.code]))


@login_required
def officer_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    _require_handler(request)
    report = _officer_report(request, code)
    row = ReportFile.objects.filter(report=report, pk=file_id).first()
    if row is None:
        raise Http404
    response = FileResponse(
        row.file.open("rb"), content_type=row.mime_type, filename=row.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
def hotline(request: HttpRequest) -> HttpResponse:
    _require_handler(request)
    _, categories, units = _choices()
    form = HotlineForm(request.POST or None, categories=categories, units=units)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_hotline(
                actor=request.user,
                caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
                summary=data["summary"],
                category=data["category"],
                unit=data["unit"],
                address=data["address"],
                publishable=data["publishable"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = 400
        else:
            return redirect(reverse("feedback:officer_detail", args=[report.code]))
    elif request.method == "POST":
        status = 400
    return render(request, "feedback/hotline.html", {"form": form}, status=status)
