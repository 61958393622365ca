"""The operations dashboard (IOC), the service index with its drill-down, and the public
statistics. Thin: figures come from :mod:`congso.indicators.stats` / :mod:`.index` (the
aggregates), dossier lists from ``Dossier.objects.restrict(user, "view")``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from congso.dossiers.models import Dossier
from congso.feedback import selectors as feedback_selectors
from congso.indicators import export, index, selectors, stats
from congso.indicators.filters import dashboard_scope, may_see_dashboard, read_period
from congso.indicators.panels import panels
from congso.org.models import Agency

#: How many overdue dossiers the dashboard lists (the drill-down has them all).
OVERDUE_SHOWN = 20
PAGE_SIZE = 50
#: Seconds between two refreshes of the live block.
REFRESH_SECONDS = 60


def _leader(request: HttpRequest) -> list[int] | None:
    if not may_see_dashboard(request.user):
        raise PermissionDenied(
            "Chỉ lãnh đạo cơ quan và cán bộ giám sát toàn tỉnh xem được trang này."
        )
    return dashboard_scope(request.user)


def _live(request: HttpRequest, scope: list[int] | None, selection: Any) -> dict[str, Any]:
    (live,) = selectors.live_figures(
        scope_agency_ids=scope, agency_ids=selection.agency_ids, field_ids=selection.field_ids
    ) or [dict.fromkeys(selectors.LIVE_COUNTERS, 0)]
    now = timezone.now()
    # Candidates first, by the (status, due_at) index and the indicator scope; then the same
    # rows through restrict() (every agency in a dashboard scope is one the person may view,
    # so nothing is lost and the permission rule still decides).
    candidates = Dossier.objects.filter(
        status__in=selectors.CLOCK_RUNNING, received_at__isnull=False, due_at__lt=now
    )
    if scope is not None:
        candidates = candidates.filter(competent_agency_id__in=scope)
    if selection.agency_ids:
        candidates = candidates.filter(competent_agency_id__in=selection.agency_ids)
    if selection.field_ids:
        candidates = candidates.filter(
            procedure_version__procedure__field_id__in=selection.field_ids
        )
    ids = list(candidates.order_by("due_at", "pk").values_list("pk", flat=True)[:OVERDUE_SHOWN])
    overdue = (
        Dossier.objects.restrict(request.user, "view")
        .filter(pk__in=ids)
        .select_related("procedure_version__procedure", "competent_agency")
        .order_by("due_at", "pk")
    )
    return {
        "live": live,
        "overdue": list(overdue[:OVERDUE_SHOWN]),
        "now": now,
        "refresh_seconds": REFRESH_SECONDS,
    }


def _feedback_scope(scope: list[int] | None, chosen: list[int] | None) -> list[int] | None:
    """The agencies whose feedback figures a leader sees: the chosen ones within their scope."""
    if scope is None:
        return chosen
    return [a for a in chosen if a in scope] if chosen is not None else scope


@login_required
@never_cache
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _leader(request)
    form, selection = read_period(request.GET, scope)
    live = _live(request, scope, selection)
    if request.headers.get("HX-Request") and request.GET.get("phan") == "truc-tiep":
        return render(request, "indicators/includes/live.html", {**live, "selection": selection})
    kwargs = {"scope": scope, "agency_ids": selection.agency_ids, "field_ids": selection.field_ids}
    months = stats.monthly(selection.start, selection.end, **kwargs)
    agencies, communes = stats.split_ranking(
        stats.by_agency(selection.start, selection.end, **kwargs)
    )
    trend = {
        "labels": [line.label for line in months],
        "received": [line.received for line in months],
        "processed": [line.processed for line in months],
        "on_time": [float(line.on_time_rate) if line.on_time_rate is not None else None
                    for line in months],
    }  # fmt: skip
    return render(
        request,
        "indicators/dashboard.html",
        {
            **live,
            "form": form,
            "selection": selection,
            "total": stats.total(selection.start, selection.end, **kwargs),
            "months": months,
            "trend": trend,
            "agencies": agencies,
            "communes": communes,
            "notifications": stats.notifications(
                selection.start, selection.end, scope=scope, agency_ids=selection.agency_ids
            ),
            "feedback": feedback_selectors.statistics(
                since=selection.start,
                until=selection.end,
                agency_ids=_feedback_scope(scope, selection.agency_ids),
            ),
            "panels": panels(request.user, scope, selection),
        },
    )


@login_required
@never_cache
@require_GET
def index_page(request: HttpRequest) -> HttpResponse:
    form, selection, result = _index_result(request)
    return render(
        request,
        "indicators/index.html",
        {"form": form, "selection": selection, "result": result, "labels": index.DRILL_LABELS_VI},
    )


def _index_result(request: HttpRequest) -> tuple[Any, Any, index.IndexResult]:
    scope = _leader(request)
    form, selection = read_period(request.GET, scope)
    result = index.score(
        start=selection.start,
        end=selection.end,
        scope_agency_ids=scope,
        agency_ids=selection.agency_ids,
        field_ids=selection.field_ids,
    )
    return form, selection, result


@login_required
@never_cache
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """The "compare with the national portal" workbook of the chosen period and agency."""
    _form, selection, result = _index_result(request)
    agency = Agency.objects.filter(pk=selection.agency_id).first() if selection.agency_id else None
    unit = agency.name if agency else "Toàn bộ cơ quan trong phạm vi được xem"
    period = f"{selection.start:%d/%m/%Y} – {selection.end:%d/%m/%Y}"
    content = export.compare_workbook(result, unit_label=unit, period_label=period)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"doi-chieu-766-{selection.start:%Y%m%d}-{selection.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@never_cache
@require_GET
def drilldown(request: HttpRequest, key: str) -> HttpResponse:
    scope = _leader(request)
    if key not in index.DRILL_KEYS:
        raise Http404
    form, selection = read_period(request.GET, scope)
    queryset = index.drilldown(
        key,
        user=request.user,
        start=selection.start,
        end=selection.end,
        agency_ids=selection.agency_ids,
        field_ids=selection.field_ids,
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "indicators/drilldown.html",
        {
            "form": form,
            "selection": selection,
            "key": key,
            "title": index.DRILL_LABELS_VI[key],
            "page": page,
        },
    )


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Anyone: per-agency received / processed / on-time figures of the chosen period. Only
    counts and agency names — no dossier, no person."""
    form, selection = read_period(request.GET, None)
    kwargs = {"agency_ids": selection.agency_ids, "field_ids": selection.field_ids}
    response = render(
        request,
        "indicators/public.html",
        {
            "form": form,
            "selection": selection,
            "total": stats.total(selection.start, selection.end, **kwargs),
            "agencies": stats.by_agency(selection.start, selection.end, **kwargs),
            "feedback": feedback_selectors.statistics(
                since=selection.start, until=selection.end, agency_ids=selection.agency_ids
            ),
        },
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
