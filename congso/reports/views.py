"""Officers' reports page (/can-bo/bao-cao/): ask for a report, watch its progress and download
the file when it is done. Each person sees only their own reports.

The progress block polls itself with htmx (``hx-trigger="every 2s"``, no inline script) while
the report waits or is being made; the answer that finds it finished carries no trigger, so the
polling stops, and fills the page's status region once ("Báo cáo đã lập xong"). Without
JavaScript the page reloads itself (``<noscript>`` meta refresh). A report waiting longer than
``STALLED_AFTER`` for the worker says so, instead of showing 0 % forever."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from congso.core import worker
from congso.core.errors import DomainError
from congso.indicators.filters import dashboard_scope, may_see_dashboard
from congso.org.selectors import is_officer
from congso.reports import services
from congso.reports.forms import ReportForm
from congso.reports.models import ReportJob, ReportStatus

#: A report still waiting after this long says that background work is slow or stopped.
STALLED_AFTER = timedelta(seconds=60)
#: How often the page asks for the progress (also the no-JavaScript reload), in seconds.
POLL_SECONDS = 2

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _officer(request: HttpRequest) -> None:
    if not is_officer(request.user):
        raise Http404


@login_required
@never_cache
def report_list(request: HttpRequest) -> HttpResponse:
    _officer(request)
    scope = dashboard_scope(request.user) if may_see_dashboard(request.user) else []
    form = ReportForm(request.POST or None, user=request.user, scope=scope)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = services.report_request(
                    actor=request.user,
                    kind=data["kind"],
                    fmt=data["format"],
                    start=data["start"],
                    end=data["end"],
                    agency_id=data.get("agency"),
                    desk_id=data.get("desk"),
                )
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
                status = exc.status
            else:
                return redirect("reports:job", pk=job.pk)
        else:
            status = 400
    jobs = ReportJob.objects.restrict(request.user, "view")[:20]
    return render(request, "reports/list.html", {"form": form, "jobs": jobs}, status=status)


def _job(request: HttpRequest, pk: int) -> ReportJob:
    _officer(request)
    job = ReportJob.objects.restrict(request.user, "view").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _progress(job: ReportJob, *, polled: bool) -> dict[str, Any]:
    now = timezone.now()
    running = job.status in (ReportStatus.PENDING, ReportStatus.RUNNING)
    # Waiting a minute for a worker, or no worker heard from: say so instead of 0 % forever.
    waited = job.status == ReportStatus.PENDING and now - job.requested_at >= STALLED_AFTER
    stalled = running and (waited or not worker.alive())
    return {
        "job": job,
        "period_start": date.fromisoformat(job.params["start"]),
        "period_end": date.fromisoformat(job.params["end"]),
        "running": running,
        "stalled": stalled,
        "checked_at": now,
        "poll_seconds": POLL_SECONDS,
        # The poll that finds the report finished announces it (the page's status region).
        "announce": polled and not running,
        "file_name": job.file.name.rsplit("/", 1)[-1] if job.file else "",
        "file_size": job.file.size if job.file and job.status == ReportStatus.DONE else None,
    }


@login_required
@never_cache
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if request.headers.get("HX-Request"):
        return render(request, "reports/includes/progress.html", _progress(job, polled=True))
    return render(request, "reports/job.html", _progress(job, polled=False))


@login_required
@never_cache
def download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if job.status != ReportStatus.DONE or not job.file:
        raise Http404
    name = job.file.name.rsplit("/", 1)[-1]
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES[job.format],
    )
