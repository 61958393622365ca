"""The records pages of the officer workspace (``/can-bo/luu-tru/``): the records of my
agencies, the file plans and their series, a record's page (its items and files, close,
transfer, the bag), the small form that files a document or a dossier into an open record,
and the disposition list with its decisions. Thin: parse, call a service, show its error."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.core.errors import DomainError, NotFound, localise
from congso.dossiers.models import Dossier
from congso.eoffice.models import Document
from congso.org.models import Role
from congso.org.permissions import current_roles
from congso.records import bag, selectors, services
from congso.records.forms import DecideForm, FileForm, OpenForm, PlanForm, SeriesForm
from congso.records.models import KEEPER_ROLES, DispositionAction, Record, RecordFile, RecordState

DONE = {
    "plan": _("Đã lập danh mục hồ sơ."),
    "series": _("Đã thêm đề mục vào danh mục."),
    "open": _("Đã mở hồ sơ."),
    "filed": _("Đã đưa vào hồ sơ, các tệp đã được sao vào kho lưu trữ."),
    "close": _("Đã kết thúc hồ sơ."),
    "transfer": _("Đã lập gói nộp lưu BagIt, kiểm tra hợp lệ và nộp lưu hồ sơ."),
    "decided": _("Đã ghi quyết định xử lý hồ sơ."),
}


def _require_keeper(request: HttpRequest) -> None:
    user = request.user
    if user.is_superuser:
        return
    if not current_roles(user, KEEPER_ROLES).exists():
        raise Forbidden


def _has(user: Any, agency_id: int, *roles: str) -> bool:
    return bool(
        user.is_superuser or current_roles(user, roles).filter(agency_id=agency_id).exists()
    )


def _record(request: HttpRequest, pk: int) -> Record:
    try:
        return selectors.record_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _done(request: HttpRequest) -> Any:
    return DONE.get(request.GET.get("xong", ""))


@login_required
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    state = request.GET.get("trang-thai", "")
    records = selectors.records_for(
        request.user, state=state if state in RecordState.values else None
    )[:200]
    return render(
        request,
        "records/index.html",
        {
            "records": records,
            "states": RecordState.choices,
            "state": state,
            "tab": "index",
            "done": _done(request),
        },
    )


@login_required
@never_cache
def plans(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    agencies = [
        (a.pk, a.name)
        for a in selectors.keeper_agencies(request.user)
        if _has(request.user, a.pk, Role.CLERK, Role.LEADER)
    ]
    form = PlanForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.plan_create(
                    actor=request.user,
                    agency_id=form.cleaned_data["agency"],
                    year=form.cleaned_data["year"],
                )
                return redirect(reverse("records:plan", args=[made.pk]) + "?xong=plan")
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
        else:
            status = 400
    return render(
        request,
        "records/plans.html",
        {"plans": selectors.plans_for(request.user), "form": form, "tab": "plans"},
        status=status,
    )


@login_required
@never_cache
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request)
    try:
        found = selectors.plan_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    series = list(selectors.series_of(found))
    choices = [(s.pk, f"{s.code}. {s.title}") for s in series]
    series_form = SeriesForm(prefix="de-muc")
    open_form = OpenForm(prefix="mo", series=choices)
    status = 200
    if request.method == "POST":
        try:
            if "de-muc-code" in request.POST:
                series_form = SeriesForm(request.POST, prefix="de-muc")
                if not series_form.is_valid():
                    raise _Invalid
                data = series_form.cleaned_data
                permanent = data["retention"] == "permanent"
                try:
                    services.series_create(
                        actor=request.user,
                        plan_id=found.pk,
                        code=data["code"],
                        title=data["title"],
                        retention_years=None if permanent else data["retention_years"],
                        permanent=permanent,
                        legal_basis=data["legal_basis"],
                        effective_from=data["effective_from"],
                    )
                except DomainError as exc:
                    series_form.add_domain_error(exc)
                    raise _Invalid(exc.status) from None
                return redirect(reverse("records:plan", args=[found.pk]) + "?xong=series")
            open_form = OpenForm(request.POST, prefix="mo", series=choices)
            if not open_form.is_valid():
                raise _Invalid
            try:
                opened = services.record_open(
                    actor=request.user,
                    series_id=open_form.cleaned_data["series"],
                    title=open_form.cleaned_data["title"],
                )
            except DomainError as exc:
                open_form.add_domain_error(exc)
                raise _Invalid(exc.status) from None
            return redirect(reverse("records:detail", args=[opened.pk]) + "?xong=open")
        except _Invalid as invalid:
            status = invalid.status
    return render(
        request,
        "records/plan.html",
        {
            "plan": found,
            "series": series,
            "series_form": series_form,
            "open_form": open_form,
            "can_edit": _has(request.user, found.agency_id, Role.CLERK, Role.LEADER),
            "tab": "plans",
            "done": _done(request),
        },
        status=status,
    )


class _Invalid(Exception):
    def __init__(self, status: int = 400) -> None:
        super().__init__(status)
        self.status = status


def _detail(
    request: HttpRequest, record: Record, *, error: str = "", status: int = 200
) -> HttpResponse:
    items = list(selectors.items_of(record))
    clerk = _has(request.user, record.agency_id, Role.CLERK, Role.LEADER)
    actions = []
    if record.state == RecordState.OPEN and items:
        actions.append(("close", _("Kết thúc hồ sơ")))
    if record.state == RecordState.CLOSED and clerk:
        actions.append(("transfer", _("Lập gói BagIt và nộp lưu")))
    return render(
        request,
        "records/detail.html",
        {
            "record": record,
            "items": items,
            "actions": actions,
            "transfer": selectors.latest_transfer(record),
            "retention_ends": services.retention_ends(record),
            "transfer_due": services.transfer_due(record),
            "error": error,
            "keeper": bag.display_name(record.keeper),
            "tab": "index",
            "done": _done(request),
        },
        status=status,
    )


@login_required
@never_cache
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request)
    return _detail(request, _record(request, pk))


@login_required
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    _require_keeper(request)
    record = _record(request, pk)
    try:
        if name == "close":
            services.record_close(actor=request.user, record_id=record.pk)
        elif name == "transfer":
            services.record_transfer(actor=request.user, record_id=record.pk)
        else:
            raise Http404
    except DomainError as exc:
        return _detail(
            request,
            _record(request, pk),
            error=localise(exc.message),
            status=exc.status,
        )
    return redirect(reverse("records:detail", args=[record.pk]) + f"?xong={name}")


@login_required
def file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    _require_keeper(request)
    record = _record(request, pk)
    row = RecordFile.objects.filter(
        item__record=record, pk=file_id, deleted_at__isnull=True
    ).first()
    if row is None or not row.file:
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.mime_type, filename=row.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def bag_download(request: HttpRequest, pk: int) -> FileResponse:
    _require_keeper(request)
    record = _record(request, pk)
    transfer = selectors.latest_transfer(record)
    if transfer is None or record.state == RecordState.DISPOSED:
        raise Http404
    response = FileResponse(
        transfer.file.open("rb"), content_type="application/zip", filename=transfer.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
def file_into(request: HttpRequest) -> HttpResponse:
    """«Đưa vào hồ sơ»: the open records of the agency of a document (``?van-ban=``) or of the
    competent agency of a dossier (``?ho-so-tthc=``), and the record to file it into."""
    _require_keeper(request)
    source = request.GET.get("van-ban") or request.POST.get("van-ban")
    dossier_ref = request.GET.get("ho-so-tthc") or request.POST.get("ho-so-tthc")
    document: Document | None = None
    dossier: Dossier | None = None
    if source and source.isdigit():
        document = Document.objects.restrict(request.user).filter(pk=int(source)).first()
        agency_id = document.agency_id if document else None
    elif dossier_ref and dossier_ref.isdigit():
        dossier = Dossier.objects.restrict(request.user).filter(pk=int(dossier_ref)).first()
        agency_id = dossier.competent_agency_id if dossier else None
    else:
        agency_id = None
    if agency_id is None:
        raise Http404
    records = [
        (r.pk, f"{r.code} — {r.title}") for r in selectors.open_records_for(request.user, agency_id)
    ]
    form = FileForm(request.POST or None, records=records)
    filed_in = selectors.where_filed(document=document, dossier=dossier)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if document is not None:
                services.record_file_document(
                    actor=request.user,
                    record_id=form.cleaned_data["record"],
                    document_id=document.pk,
                )
            elif dossier is not None:
                services.record_file_dossier(
                    actor=request.user,
                    record_id=form.cleaned_data["record"],
                    dossier_id=dossier.pk,
                )
            return redirect(
                reverse("records:detail", args=[form.cleaned_data["record"]]) + "?xong=filed"
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "records/file_into.html",
        {
            "form": form,
            "document": document,
            "dossier": dossier,
            "filed_in": filed_in,
            "has_records": bool(records),
            "tab": "index",
        },
        status=status,
    )


@login_required
@never_cache
def disposition(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    due = selectors.disposition_list(request.user)
    failed: tuple[int, DecideForm] | None = None
    labels = DECISION_LABELS
    status = 200
    if request.method == "POST":
        pk = request.POST.get("record", "")
        entry = next((d for d in due if str(d.record.pk) == pk), None)
        if entry is None:
            raise Http404
        form = DecideForm(
            request.POST, actions=_decisions(entry.action), prefix=f"r{entry.record.pk}"
        )
        if form.is_valid():
            try:
                services.disposition_decide(
                    actor=request.user,
                    record_id=entry.record.pk,
                    action=form.cleaned_data["action"],
                    decision_ref=form.cleaned_data["decision_ref"],
                    reason=form.cleaned_data["reason"],
                    review_on=form.cleaned_data["review_on"],
                )
                return redirect(reverse("records:disposition") + "?xong=decided")
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
        else:
            status = 400
        failed = (entry.record.pk, form)
    rows = [
        (
            entry,
            failed[1]
            if failed and failed[0] == entry.record.pk
            else DecideForm(actions=_decisions(entry.action), prefix=f"r{entry.record.pk}"),
        )
        for entry in due
    ]
    return render(
        request,
        "records/disposition.html",
        {"rows": rows, "labels": labels, "tab": "disposition", "done": _done(request)},
        status=status,
    )


DECISION_LABELS = {
    DispositionAction.DESTROY: _("Hủy hồ sơ hết thời hạn bảo quản"),
    DispositionAction.TRANSFER: _("Nộp lưu vào Lưu trữ cơ quan"),
    DispositionAction.KEEP: _("Giữ lại, xem xét lại sau"),
}


def _decisions(due_action: str) -> list[tuple[str, Any]]:
    return [
        (due_action, DECISION_LABELS[DispositionAction(due_action)]),
        (DispositionAction.KEEP, DECISION_LABELS[DispositionAction.KEEP]),
    ]
