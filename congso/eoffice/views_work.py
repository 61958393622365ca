"""The e-office pages of the handling work (issue 16): sub-assignments on an incoming
document, the overdue and due-soon lists per person and per unit, and the outgoing draft raised
from a one-stop dossier (a consultation letter during appraisal). Thin, like :mod:`.views`:
parse, call a service, show its error in Vietnamese."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.core.errors import DomainError, localise
from congso.dossiers.models import Dossier
from congso.eoffice import selectors, services
from congso.eoffice.views import _document, _draft_form, _require_officer
from congso.org.permissions import VIEW


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("eoffice:detail", args=[pk]) + "#giao-viec")


def _number(raw: str) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


@login_required
@require_POST
def subassign(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead handler gives a part of the handling to an officer of the unit."""
    _require_officer(request)
    document = _document(request, pk)
    user_id = _number(request.POST.get("user", ""))
    try:
        if user_id is None:
            raise DomainError("invalid_assignee", "Hãy chọn cán bộ được giao việc.", field="user")
        services.subassign_create(
            actor=request.user,
            document_id=document.pk,
            user_id=user_id,
            task=request.POST.get("task", ""),
            working_days=_number(request.POST.get("working_days", "")),
        )
    except DomainError as exc:
        messages.error(request, localise(exc.message))
    else:
        messages.success(request, _("Đã giao việc."))
    return _back(document.pk)


@login_required
@require_POST
def subassign_report(request: HttpRequest, pk: int, sub_id: int) -> HttpResponse:
    """The officer given a part reports its result."""
    _require_officer(request)
    document = _document(request, pk)
    if not document.subassignments.filter(pk=sub_id).exists():
        raise Http404
    try:
        services.subassign_report(
            actor=request.user, subassignment_id=sub_id, result=request.POST.get("result", "")
        )
    except DomainError as exc:
        messages.error(request, localise(exc.message))
    else:
        messages.success(request, _("Đã báo cáo kết quả việc được giao."))
    return _back(document.pk)


@login_required
@never_cache
def deadlines(request: HttpRequest) -> HttpResponse:
    """Overdue and due-tomorrow documents: the person's own (as lead, co-processor or given a
    part), or the unit's grouped by officer (leaders, department heads, clerks)."""
    _require_officer(request)
    unit = request.GET.get("pham-vi") == "don-vi"
    may_see_unit = selectors.office_agencies(request.user, selectors.UNIT_ROLES).exists()
    if unit and not may_see_unit:
        unit = False
    now = timezone.now()
    if unit:
        found = selectors.unit_deadlines(request.user, now=now)
    else:
        found = selectors.my_deadlines(request.user, now=now)
    people = get_user_model().objects.in_bulk({d.user_id for d in found})
    grouped: dict[int, list[selectors.Deadline]] = defaultdict(list)
    for item in found:
        grouped[item.user_id].append(item)
    groups = [
        {
            "person": people[user_id],
            "overdue": [d for d in items if d.due_at < now],
            "due_soon": [d for d in items if d.due_at >= now],
        }
        for user_id, items in sorted(
            grouped.items(),
            key=lambda pair: (
                -sum(d.due_at < now for d in pair[1]),
                people[pair[0]].get_full_name() or str(people[pair[0]]),
            ),
        )
    ]
    return render(
        request,
        "eoffice/deadlines.html",
        {
            "unit": unit,
            "may_see_unit": may_see_unit,
            "groups": groups,
            "overdue_total": sum(d.due_at < now for d in found),
            "due_total": sum(d.due_at >= now for d in found),
            "tab": "han",
        },
    )


def _dossier(request: HttpRequest, code: str) -> Dossier:
    dossier = (
        Dossier.objects.restrict(request.user, VIEW)
        .select_related("competent_agency", "procedure_version__procedure")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


def _prefill(dossier: Dossier, step: Any) -> dict[str, Any]:
    procedure = dossier.procedure_version.procedure
    lines = [
        f"Hồ sơ {dossier.code}: {procedure.name}.",
        f"Người nộp: {dossier.applicant_name}.",
    ]
    if step is not None:
        lines.append(f"Bước xử lý: {step.name}.")
        if step.request_note:
            lines.append(step.request_note)
    initial: dict[str, Any] = {
        "agency": step.agency_id if step is not None else dossier.competent_agency_id,
        "doc_type": "CV",
        "subject": f"V/v xin ý kiến về hồ sơ {dossier.code} ({procedure.name})"[:1000],
        # One line: the edXML schema's Content pattern takes no line break (see the report).
        "content": " ".join(" ".join(lines).split())[:5000],
        "to_places": "Như trên;\nLưu: VT, hồ sơ " + dossier.code,
    }
    if step is not None and step.due_at is not None:
        initial["reply_due"] = timezone.localdate(step.due_at)
    return initial


@login_required
@never_cache
def dossier_draft(request: HttpRequest, code: str) -> HttpResponse:
    """An outgoing draft raised from a dossier (and its step): the form pre-filled from the
    dossier; saving writes the draft and its link to the dossier in one transaction."""
    _require_officer(request)
    dossier = _dossier(request, code)
    step_id = _number(request.GET.get("buoc", "") or request.POST.get("step", ""))
    try:
        dossier, step = services.dossier_target(request.user, dossier.pk, step_id)
    except DomainError as exc:
        messages.error(request, localise(exc.message))
        return redirect("backoffice:dossier", code=dossier.code)
    form = _draft_form(request, None)
    prefill = _prefill(dossier, step)
    agencies = {value for value, _label in form.fields["agency"].choices}  # type: ignore[attr-defined]
    if prefill["agency"] not in agencies:
        prefill.pop("agency")
    form.initial.update(prefill)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            document = services.dossier_draft_create(
                actor=request.user,
                dossier_id=dossier.pk,
                step_id=step.pk if step is not None else None,
                **form.draft_fields(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            return redirect(reverse("eoffice:detail", args=[document.pk]) + "?xong=created")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "eoffice/dossier_draft.html",
        {"form": form, "dossier": dossier, "step": step, "tab": "new"},
        status=status,
    )
