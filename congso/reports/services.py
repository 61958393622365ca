"""The one write path of report jobs: ask for a report (a job row plus a worker job, audited,
in one transaction) and build it (run by the worker, progress saved as it goes)."""

from __future__ import annotations

import traceback
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.core import worker
from congso.core.errors import DomainError, PermissionDenied
from congso.dossiers.models import Dossier
from congso.indicators.filters import dashboard_scope, may_see_dashboard
from congso.org.models import Agency, Desk
from congso.org.selectors import is_officer
from congso.reports import builders
from congso.reports.models import ReportFormat, ReportJob, ReportKind, ReportStatus

TASK = "reports.build"
#: The longest period one report may cover (form 06 keeps the printing limit of its own).
MAX_DAYS = 366 * 3
MAX_BOOK_DAYS = 366


def _check_period(start: date, end: date, limit: int) -> None:
    if start > end:
        raise DomainError(
            "invalid_range", "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.", field="end"
        )
    if (end - start).days > limit:
        raise DomainError("range_too_long", f"Mỗi báo cáo tối đa {limit} ngày.", field="end")


def report_request(
    *,
    actor: Any,
    kind: str,
    fmt: str,
    start: date,
    end: date,
    agency_id: int | None = None,
    desk_id: int | None = None,
) -> ReportJob:
    """Queue one report for ``actor``. The situation report and the index need a dashboard role
    (province-wide or agency head) and an agency in their scope; the tracking book needs a desk
    the officer may see."""
    if not is_officer(actor):
        raise PermissionDenied("forbidden", "Chỉ cán bộ được lập báo cáo.")
    if kind not in ReportKind.values:
        raise DomainError("invalid_kind", "Loại báo cáo không hợp lệ.", field="kind")
    if fmt not in ReportFormat.values:
        raise DomainError("invalid_format", "Định dạng phải là Excel hoặc PDF.", field="format")
    params: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
    if kind == ReportKind.TRACKING_BOOK:
        _check_period(start, end, MAX_BOOK_DAYS)
        if desk_id is None or not Desk.objects.restrict(actor, "view").filter(pk=desk_id).exists():
            raise DomainError(
                "invalid_desk", "Chọn một Bộ phận Một cửa của cơ quan mình.", field="desk"
            )
        params["desk_id"] = desk_id
    else:
        _check_period(start, end, MAX_DAYS)
        if not may_see_dashboard(actor):
            raise PermissionDenied(
                "forbidden",
                "Chỉ lãnh đạo cơ quan và cán bộ giám sát toàn tỉnh được lập báo cáo này.",
            )
        if agency_id is not None:
            scope = dashboard_scope(actor)
            allowed = Agency.objects.filter(pk=agency_id)
            if scope is not None:
                allowed = allowed.filter(pk__in=scope)
            if not allowed.exists():
                raise DomainError(
                    "invalid_agency", "Cơ quan không thuộc phạm vi của bạn.", field="agency"
                )
        params["agency_id"] = agency_id
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=kind,
            format=fmt,
            params=params,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        worker.enqueue(TASK, report_id=job.pk)
        record(
            actor=actor,
            action="reports.report.request",
            target=job,
            after={"kind": kind, "format": fmt, **params},
        )
    return job


def _set_progress(job_id: int, value: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=ReportStatus.RUNNING).update(
        progress=max(0, min(99, value))
    )


def _content(job: ReportJob, user: Any) -> tuple[bytes, str]:
    params = job.params
    start = date.fromisoformat(params["start"])
    end = date.fromisoformat(params["end"])

    def progress(value: int) -> None:
        _set_progress(job.pk, value)

    stamp = f"{start:%Y%m%d}-{end:%Y%m%d}"
    if job.kind == ReportKind.TRACKING_BOOK:
        desk = Desk.objects.get(pk=params["desk_id"])
        content = builders.tracking_book(
            desk,
            start,
            end,
            queryset=Dossier.objects.restrict(user, "view"),
            fmt=job.format,
            progress=progress,
        )
        return content, f"so-theo-doi-{desk.pk}-{stamp}.{job.format}"
    scope = dashboard_scope(user)
    build = builders.situation_report if job.kind == ReportKind.SITUATION else builders.index_report
    document = build(
        start=start, end=end, scope=scope, agency_id=params.get("agency_id"), progress=progress
    )
    content = (
        builders.to_xlsx(document) if job.format == ReportFormat.XLSX else builders.to_pdf(document)
    )
    name = "bao-cao-mot-cua" if job.kind == ReportKind.SITUATION else "chi-so-766"
    return content, f"{name}-{stamp}.{job.format}"


def report_build(report_id: int) -> ReportJob:
    """Build the file of a queued report (idempotent: a finished report is left as it is)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=report_id)
        if job.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return job
        job.status = ReportStatus.RUNNING
        job.progress = 5
        job.save(update_fields=["status", "progress"])
    user = get_user_model().objects.get(pk=job.requested_by_id)
    try:
        content, name = _content(job, user)
    except Exception:
        with transaction.atomic():
            job.status = ReportStatus.FAILED
            job.error = traceback.format_exc(limit=3)[-2000:]
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            record(actor=None, action="reports.report.fail", target=job, after={"status": "failed"})
        return job
    with transaction.atomic():
        job.file.save(name, ContentFile(content), save=False)
        job.status = ReportStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "progress", "finished_at"])
        record(
            actor=None,
            action="reports.report.done",
            target=job,
            after={"status": "done", "file": job.file.name, "size": len(content)},
        )
    return job
