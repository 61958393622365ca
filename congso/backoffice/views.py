"""Officer pages under /can-bo/ (the second factor is enforced by
``OfficerSecondFactorMiddleware``). Thin: read through selectors and ``restrict()``, act
through :mod:`congso.dossiers.services`, show a service's error next to its field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from congso.backoffice import selectors
from congso.core.errors import DomainError, NotFound
from congso.docstore import selectors as store_selectors
from congso.docstore.models import StoredDocument
from congso.dossiers import selectors as dossier_selectors
from congso.dossiers.applicant import declaration_of
from congso.dossiers.commands import OFFICER_COMMANDS
from congso.dossiers.models import Attachment, Dossier, ReturnMethod
from congso.dossiers.services.interagency import ParallelRequest
from congso.dossiers.workflow import TRANSITIONS
from congso.org.models import Agency, Role
from congso.org.permissions import current_roles
from congso.portal.schemaform import display
from congso.printing.formsets import dossier_forms

ALL = selectors.Queue("tat-ca", _("Tất cả"), _("Mọi hồ sơ trong phạm vi của tôi."))
#: Actions with a page here: the officer actions of the command table.
SUPPORTED = tuple(OFFICER_COMMANDS)
#: Error fields the action page shows next to their input.
SHOWN_FIELDS = frozenset(
    {"reason", "note", "result_summary", "return_method", "new_appointment_at", "amount_vnd"}
    | {"missing_items", "targets", "declaration_checked"}
)
#: Rows of agencies offered on the consult / transfer pages (blank rows are ignored).
TARGET_ROWS = 3
PARALLEL = {"consult": "consultations", "transfer": "transfers"}


#: The printable forms by kind (numbered by the dossier's set, congso.printing.formsets).
FORM_NAMES = {
    "receipt": _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement": _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": _("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "apology": _("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "extension": _("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
    "stop": _("Thông báo dừng giải quyết hồ sơ"),
    "control_slip": _("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}


def _form_label(number: int, kind: str) -> str:
    return str(
        _("Mẫu %(number)s — %(name)s") % {"number": f"{number:02d}", "name": FORM_NAMES[kind]}
    )


def _officer(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and (user.is_superuser or current_roles(user).exists()))


def _queue_context(request: HttpRequest, slug: str) -> dict[str, Any]:
    filters = selectors.queue_filters(request.user)
    if slug == ALL.slug:
        queue, condition = ALL, Q()
    elif slug in selectors.QUEUE_BY_SLUG:
        queue, condition = selectors.QUEUE_BY_SLUG[slug], filters[slug]
    else:
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    page = selectors.queue_page(
        request.user, condition, query=query, cursor=request.GET.get("sau", "")
    )
    return {
        "queue": queue,
        "queues": selectors.QUEUES,
        "all_queue": ALL,
        "counts": selectors.queue_counts(request.user, filters),
        "page": page,
        "query": query,
        "cursor": request.GET.get("sau", ""),
        "now": timezone.now(),
    }


#: Where ``/can-bo/`` takes an officer: to their own work, by the first role they hold in this
#: order (reception → what waits at the desk; specialist, department head → the steps they
#: hold; leader, clerk → what waits for their approval or signature; monitor and administrators
#: → the operations dashboard). A superuser without a role gets every dossier.
LANDINGS: tuple[tuple[str, str, str | None], ...] = (
    (Role.RECEPTION, "backoffice:queue", "tiep-nhan"),
    (Role.SPECIALIST, "backoffice:queue", "cua-toi"),
    (Role.DEPARTMENT_HEAD, "backoffice:queue", "cua-toi"),
    (Role.LEADER, "backoffice:queue", "cho-duyet"),
    (Role.CLERK, "backoffice:queue", "cho-duyet"),
    (Role.MONITOR, "indicators:dashboard", None),
    (Role.PROVINCE_ADMIN, "indicators:dashboard", None),
    (Role.AGENCY_ADMIN, "indicators:dashboard", None),
)


def landing_url(user: Any) -> str:
    """The page an officer starts on (see ``LANDINGS``)."""
    held = set(current_roles(user).values_list("role", flat=True))
    for role, name, slug in LANDINGS:
        if role in held:
            return reverse(name, args=[slug] if slug else [])
    return reverse("backoffice:queue", args=[ALL.slug])


@login_required
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    if not _officer(request):
        raise Http404
    return redirect(landing_url(request.user))


@login_required
@never_cache
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    if not _officer(request):
        raise Http404
    context = _queue_context(request, slug)
    if request.headers.get("HX-Request"):
        return render(request, "backoffice/includes/rows.html", context)
    return render(request, "backoffice/queue.html", context)


def _dossier(request: HttpRequest, code: str) -> Dossier:
    if not _officer(request):
        raise Http404
    try:
        return dossier_selectors.dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None


@login_required
@never_cache
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    d = _dossier(request, code)
    actions = [a for a in dossier_selectors.actions_for(request.user, d) if a in SUPPORTED]
    components = list(
        d.components.order_by("pk").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("version"))
        )
    )
    reused = store_selectors.reuses_of_dossier(d.pk)
    kept = set(
        StoredDocument.objects.filter(attachment__component__dossier=d).values_list(
            "attachment__component_id", flat=True
        )
    )
    for c in components:
        c.store_reuse = reused.get(c.code)  # type: ignore[attr-defined]
        c.in_store = c.pk in kept  # type: ignore[attr-defined]
    context = {
        "dossier": d,
        "components": components,
        "history": dossier_selectors.history_of(d),
        "steps": dossier_selectors.steps_of(d),
        "actions": [(a, TRANSITIONS[a]) for a in actions],
        "supplements": list(d.supplements.order_by("requested_at")),
        # The forms of the dossier's set (TT 01/2018 or TT 03/2025, by the reception date).
        "forms": [(f.number, _form_label(f.number, f.kind)) for f in dossier_forms(d)],
        "form_data": _form_rows(d),
        "declaration": declaration_of(d),
        "done": TRANSITIONS[done].label_vi
        if (done := request.GET.get("da", "")) in OFFICER_COMMANDS
        else "",
    }
    return render(request, "backoffice/dossier.html", context)


def _form_rows(d: Dossier) -> list[tuple[str, str]]:
    schema = d.procedure_version.form_schema or {}
    rows = []
    for spec in schema.get("fields") or []:
        if spec.get("type") == "file":
            continue
        rows.append((str(spec.get("label")), display(spec, d.form_data.get(spec["name"]))))
    return rows


@login_required
def attachment(request: HttpRequest, code: str, attachment_id: int) -> FileResponse:
    """Shown in the browser (PDF and image viewers), not downloaded."""
    d = _dossier(request, code)
    item = Attachment.objects.filter(pk=attachment_id, component__dossier=d).first()
    if item is None:
        raise Http404
    response = FileResponse(
        item.file.open("rb"), filename=item.original_name, content_type=item.mime_type
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def _text(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "").strip()


def _missing_items(request: HttpRequest, d: Dossier) -> list[dict[str, Any]]:
    codes = set(request.POST.getlist("missing"))
    return [
        {"component": c.code, "label": c.name, "note": _text(request, f"note.{c.code}")}
        for c in d.components.order_by("pk")
        if c.code in codes
    ]


def _instant(request: HttpRequest) -> datetime | None:
    """The page's date-time field is local time (no offset); blank is None (the service
    refuses it)."""
    text = _text(request, "new_appointment_at")
    try:
        value = parse_datetime(text)
    except ValueError:  # well formed, not a date (31/02)
        value = None
    if value is None:
        if text:
            raise DomainError(
                "invalid_datetime", "Ngày giờ hẹn trả mới không hợp lệ.", field="new_appointment_at"
            )
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _amount(request: HttpRequest) -> int | None:
    """Whole đồng, ``.`` or ``,`` as thousands separators; blank is no amount."""
    text = _text(request, "amount_vnd").replace(".", "").replace(",", "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DomainError(
            "invalid_amount", "Số tiền là số nguyên (đồng).", field="amount_vnd"
        ) from None


def _targets(request: HttpRequest, d: Dossier, field: str) -> list[ParallelRequest]:
    """The agencies asked on the consult / transfer page, each with its working hours (which
    agencies and how long is the service's rule)."""
    lead = _text(request, "lead")
    result = []
    for index in range(TARGET_ROWS):
        agency_id, hours = _text(request, f"agency.{index}"), _text(request, f"hours.{index}")
        if not agency_id and not hours:
            continue
        agency = Agency.objects.filter(pk=agency_id).first() if agency_id.isdigit() else None
        if agency is None:
            raise DomainError(
                "agency_required", f"Dòng {index + 1}: cần chọn cơ quan.", field=field
            )
        try:
            amount = Decimal(hours.replace(",", "."))
        except InvalidOperation:
            amount = Decimal(0)
        result.append(
            ParallelRequest(
                agency=agency,
                hours=amount if amount.is_finite() else Decimal(0),
                is_lead=field == "transfers" and lead == str(index),
                note=_text(request, f"note.{index}")[:4000],
            )
        )
    return result


def _target_agencies(d: Dossier) -> list[Agency]:
    """Agencies that may be consulted or take part: the active agencies of the competent
    agency's province, other than the competent agency itself."""
    province_id = d.competent_agency.province_id
    return list(
        Agency.objects.filter(active=True, province_id=province_id)
        .exclude(pk=d.competent_agency_id)
        .order_by("name")
    )


#: How the pages read each field of an action's input (:mod:`congso.dossiers.commands`) from
#: the form; a field not here (step, assignee) keeps its default.
READERS: dict[str, Callable[[HttpRequest, Dossier], Any]] = {
    "note": lambda r, d: _text(r, "note"),
    "declaration_checked": lambda r, d: r.POST.get("declaration_checked") == "1",
    "reason": lambda r, d: _text(r, "reason"),
    "missing_items": _missing_items,
    "consultations": lambda r, d: _targets(r, d, "consultations"),
    "transfers": lambda r, d: _targets(r, d, "transfers"),
    "amount_vnd": lambda r, d: _amount(r),
    "result_summary": lambda r, d: _text(r, "result_summary"),
    "method": lambda r, d: _text(r, "return_method"),
    "new_appointment_at": lambda r, d: _instant(r),
}


def _row_message(exc: DomainError) -> tuple[str, str]:
    """The message and the field an error is shown at; an agency row's error names its row."""
    field = exc.field or ""
    parts = field.split(".")
    if parts[0] not in PARALLEL.values():
        return exc.message, field
    if len(parts) > 1 and parts[1].isdigit():
        return f"Dòng {int(parts[1]) + 1}: {exc.message}", "targets"
    return exc.message, "targets"


@login_required
@never_cache
def action(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """The confirmation page of one action (GET) and the action itself (POST)."""
    d = _dossier(request, code)
    command = OFFICER_COMMANDS.get(name)
    if command is None:
        raise Http404
    transition = TRANSITIONS[name]
    error, field, code = "", "", ""
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = d.version
        try:
            data = replace(command.parse(READERS, request, d), expected_version=version)
            command.run(actor=request.user, dossier=d, data=data)
        except DomainError as exc:
            (error, field), code = _row_message(exc), exc.code
        else:
            # A notice in the address, not the messages framework: base.html's message list
            # carries role="status" on the <ul>, which breaks its list semantics (axe).
            return redirect(reverse("backoffice:dossier", kwargs={"code": d.code}) + f"?da={name}")
    context = {
        "dossier": d,
        "name": name,
        "transition": transition,
        "error": error,
        "error_code": code,
        "field": field,
        "field_shown": field in SHOWN_FIELDS,
        "components": list(d.components.order_by("pk")) if name == "request_supplement" else [],
        "declaration": declaration_of(d) if name == "receive" else None,
        "return_methods": ReturnMethod.choices,
        "target_agencies": _target_agencies(d) if name in PARALLEL else [],
        "target_rows": [
            {
                "index": i,
                "agency": request.POST.get(f"agency.{i}", ""),
                "hours": request.POST.get(f"hours.{i}", ""),
                "note": request.POST.get(f"note.{i}", ""),
                "lead": request.POST.get("lead", "0") == str(i),
            }
            for i in range(TARGET_ROWS)
        ],
        "post": request.POST,
    }
    return render(request, "backoffice/action.html", context, status=422 if error else 200)
