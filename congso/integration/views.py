"""The officers' page of the national-portal sync (/can-bo/dong-bo/): per-dossier sync state,
the dead letters and refused items with their reason and a *sync again* button, the latest
nightly reconciliation's differences, the procedures waiting for their national code to be
confirmed, and the "% synced within 5 minutes". Thin: reads from :mod:`.selectors`, changes
through :func:`.sync.sync_again_dossier` and :func:`.mapping.confirm` (both audited).

Who: the viewers of the operations dashboard (leaders, agency and province administrators,
province-wide monitors), each for the agencies of their dashboard scope. *Sync again* is for
the leaders and administrators (not the monitors, who only watch); confirming a procedure's
national code, which changes the province's catalogue for every agency, for the province
administrators.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from congso.core.errors import DomainError
from congso.dossiers import selectors as dossier_selectors
from congso.dossiers.models import Dossier
from congso.indicators.filters import Selection, dashboard_scope, may_see_dashboard
from congso.indicators.panels import Panel
from congso.integration import mapping, selectors, sync, transfers
from congso.integration.models import ProcedureMapping, Transfer
from congso.org.permissions import AGENCY_ADMIN, PROVINCE_ADMIN, current_roles, is_superuser

SYNC_AGAIN_ROLES = (PROVINCE_ADMIN, AGENCY_ADMIN, "leader")
MAPPING_ROLES = (PROVINCE_ADMIN,)

DONE_MESSAGES = {
    "dong-bo-lai": "Đã đưa hồ sơ trở lại hàng đợi đồng bộ.",
    "xac-nhan": "Đã xác nhận mã thủ tục quốc gia.",
}


def _scope(request: HttpRequest) -> list[int] | None:
    if not may_see_dashboard(request.user):
        raise PermissionDenied(
            "Chỉ lãnh đạo cơ quan, quản trị và cán bộ giám sát xem được trang đồng bộ."
        )
    return dashboard_scope(request.user)


def may_sync_again(user: Any) -> bool:
    return is_superuser(user) or current_roles(user, SYNC_AGAIN_ROLES).exists()


def may_confirm_mapping(user: Any) -> bool:
    return is_superuser(user) or current_roles(user, MAPPING_ROLES).exists()


@login_required
@never_cache
@require_GET
def sync_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    today = timezone.localdate()
    code = request.GET.get("ma", "").strip()[:60]
    found = selectors.dossier_items(scope, code) if code else []
    run = selectors.latest_run()
    done = request.GET.get("da", "")
    context = {
        "counts": selectors.counts(scope),
        "today": selectors.rate(scope, today, today),
        "week": selectors.rate(scope, today - timedelta(days=6), today),
        "problems": selectors.problems(scope),
        "code": code,
        "found": found,
        "found_state": selectors.state_of(found),
        "run": run,
        "differences": selectors.run_differences(run, scope) if run else [],
        "mappings": selectors.pending_mappings(),
        "may_sync_again": may_sync_again(request.user),
        "may_confirm": may_confirm_mapping(request.user),
        "done": gettext(DONE_MESSAGES[done]) if done in DONE_MESSAGES else "",
    }
    return render(request, "integration/sync.html", context)


@login_required
@never_cache
@require_POST
def sync_again(request: HttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    if not may_sync_again(request.user):
        raise PermissionDenied("Chỉ lãnh đạo cơ quan và quản trị được đồng bộ lại hồ sơ.")
    dossiers = Dossier.objects.filter(code=code)
    if scope is not None:
        dossiers = dossiers.filter(competent_agency_id__in=scope)
    dossier = dossiers.first()
    if dossier is None:
        raise Http404
    sync.sync_again_dossier(actor=request.user, dossier=dossier)
    return redirect(reverse("integration:sync") + f"?ma={dossier.code}&da=dong-bo-lai")


@login_required
@never_cache
@require_POST
def confirm_mapping(request: HttpRequest, mapping_id: int) -> HttpResponse:
    _scope(request)
    if not may_confirm_mapping(request.user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xác nhận mã thủ tục quốc gia.")
    row = ProcedureMapping.objects.filter(pk=mapping_id, confirmed_at__isnull=True).first()
    if row is None:
        raise Http404
    mapping.confirm(actor=request.user, mapping=row)
    return redirect(reverse("integration:sync") + "?da=xac-nhan#anh-xa")


def dashboard_panel(user: Any, scope: list[int] | None, selection: Selection) -> Panel | None:
    """The dashboard's "% synced within 5 minutes" of the selected period (indicators' hook)."""
    rate = selectors.rate(scope, selection.start, selection.end, selection.agency_ids)
    waiting = selectors.counts(scope)
    return Panel(
        "integration/includes/dashboard_panel.html",
        {
            "rate": rate,
            "dead": waiting[selectors.SyncItem.State.DEAD],
            "refused": waiting[selectors.SyncItem.State.REFUSED],
            "pending": waiting[selectors.SyncItem.State.PENDING],
        },
    )


# --- Liên thông between systems (transfers.py) ---------------------------------------------------


def _destinations() -> list[tuple[str, str]]:
    return [
        (f"{partner.unit_code}|{code}", f"{name} — {partner.name}")
        for partner in transfers.partners()
        for code, name in partner.agencies
    ]


@login_required
@never_cache
def transfer(request: HttpRequest, code: str) -> HttpResponse:
    """*Chuyển liên thông*: choose the destination among the configured partners' agencies,
    give the reason; the dossier goes out through :func:`.transfers.send`."""
    try:
        dossier = dossier_selectors.dossier_for(request.user, code)
    except DomainError as exc:
        raise Http404 from exc
    error, field, error_code = "", "", ""
    if request.method == "POST":
        unit, _bar, agency = str(request.POST.get("destination", "")).partition("|")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = dossier.version
        try:
            transfers.send(
                actor=request.user,
                dossier=dossier,
                partner_unit=unit,
                agency_code=agency,
                reason=str(request.POST.get("reason", "")),
                expected_version=version,
            )
        except DomainError as exc:
            error, field, error_code = exc.message, exc.field or "", exc.code
        else:
            return redirect(reverse("backoffice:dossier", args=[dossier.code]))
    context = {
        "dossier": dossier,
        "destinations": _destinations(),
        "post": request.POST,
        "error": error,
        "field": field,
        "error_code": error_code,
    }
    return render(request, "integration/transfer.html", context, status=400 if error else 200)


@login_required
@require_GET
def transfer_result(request: HttpRequest, code: str, transfer_id: uuid.UUID) -> FileResponse:
    """The e-result file the partner sent back (PDF, shown in the browser)."""
    try:
        dossier = dossier_selectors.dossier_for(request.user, code)
    except DomainError as exc:
        raise Http404 from exc
    found = Transfer.objects.filter(dossier=dossier, transfer_id=transfer_id).first()
    if found is None or not found.result_file:
        raise Http404
    response = FileResponse(
        found.result_file.open("rb"), filename=found.result_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
