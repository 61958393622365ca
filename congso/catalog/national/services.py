"""The write path of the national import: ask for a run (a background job), run it, set a
province's share. Each is audited; the records themselves are written through the catalogue's
services (:mod:`congso.catalog.national.importer`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from congso.audit.services import record, snapshot
from congso.catalog.national import hooks, importer
from congso.catalog.national.models import ImportRun, ProvinceShare, RunStatus
from congso.catalog.selectors import can_manage_catalogue
from congso.core import worker
from congso.core.errors import Conflict, DomainError, PermissionDenied

log = logging.getLogger(__name__)

TASK = "catalog_national.import"


def _require_manager(actor: Any) -> None:
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied(
            "forbidden", "Chỉ quản trị tỉnh mới được nhập danh mục thủ tục hành chính quốc gia."
        )


def _check_options(options: importer.ImportOptions) -> None:
    if not (options.detail or options.crawl):
        raise DomainError(
            "national_source_missing",
            "Cần ít nhất một tệp xuất của CSDL quốc gia về TTHC (bản chi tiết hoặc bản thu thập "
            "từ Cổng).",
            field="detail",
        )
    for path in (*options.detail, *options.crawl, *options.lists):
        if not Path(path).exists():
            raise DomainError(
                "national_source_not_found",
                f"Không tìm thấy tệp hoặc thư mục «{path}».",
                field="detail",
            )
    try:
        options.start  # noqa: B018 - parses the date
    except ValueError:
        raise DomainError(
            "invalid_date", "Ngày hiệu lực phải có dạng YYYY-MM-DD.", field="effective_from"
        ) from None


def run_create(*, actor: Any, options: importer.ImportOptions) -> ImportRun:
    """A new run (pending), audited."""
    _require_manager(actor)
    _check_options(options)
    with transaction.atomic():
        busy = (
            ImportRun.objects.select_for_update()
            .filter(status__in=(RunStatus.PENDING, RunStatus.RUNNING))
            .first()
        )
        if busy is not None:
            raise Conflict(
                "national_import_busy",
                f"Lần nhập #{busy.pk} chưa xong: chờ lần đó xong hoặc tiếp tục lần đó.",
            )
        run = ImportRun.objects.create(
            params=options.as_params(),
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            actor=actor,
            action="catalog_national.run.create",
            target=run,
            after={"params": run.params},
        )
    return run


def run_request(*, actor: Any, options: importer.ImportOptions) -> ImportRun:
    """Queue a run as a background job (the admin action); the worker runs it."""
    run = run_create(actor=actor, options=options)
    with transaction.atomic():
        worker.enqueue(TASK, run_id=run.pk)
    return run


def run_resume(*, actor: Any, run: ImportRun, background: bool = True) -> ImportRun:
    """Queue a stopped run again; it continues after the last record it finished."""
    _require_manager(actor)
    with transaction.atomic():
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.DONE:
            raise Conflict("national_import_done", f"Lần nhập #{run.pk} đã xong.")
        before = snapshot(locked, ["status", "done"])
        locked.status = RunStatus.PENDING
        locked.save(update_fields=["status"])
        record(
            actor=actor,
            action="catalog_national.run.resume",
            target=locked,
            before=before,
            after=snapshot(locked, ["status", "done"]),
        )
        if background:
            worker.enqueue(TASK, run_id=locked.pk)
    return locked


def run_execute(run_id: int, *, actor: Any = None, on_record: Any = None) -> ImportRun:
    """Run a pending or stopped run to its end (the worker task and the command call this).
    A finished run is left as it is (idempotent)."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    actor = actor if actor is not None else run.requested_by
    run = importer.execute(run, actor=actor, on_record=on_record)
    record(
        actor=actor,
        action="catalog_national.run.done",
        target=run,
        after={"outcomes": run.report.get("outcomes", {}), "total": run.total},
    )
    for hook in hooks.after_import:
        try:
            hook(run=run, actor=actor)
        except Exception:  # the run is done; a follower's failure is its own
            log.exception("after-import hook %s failed for run %s", hook, run.pk)
    return run


def _codes(values: Iterable[str]) -> list[str]:
    return sorted({value.strip() for value in values if value and value.strip()})


def share_set(
    *,
    actor: Any,
    province_code: str,
    central_ministries: Iterable[str] = (),
    central_codes: Iterable[str] = (),
    local_codes: Iterable[str] = (),
    excluded_codes: Iterable[str] = (),
) -> ProvinceShare:
    """Set which national procedures a province takes (the ministries and codes it receives)."""
    _require_manager(actor)
    code = str(province_code).strip().zfill(2)
    if not code.isdigit() or len(code) != 2:
        raise DomainError("invalid_province", "Mã tỉnh gồm 2 chữ số.", field="province_code")
    with transaction.atomic():
        share = ProvinceShare.objects.select_for_update().filter(province_code=code).first()
        before = snapshot(share) if share is not None else None
        values = {
            "central_ministries": sorted(
                {m.strip().upper() for m in central_ministries if m.strip()}
            ),
            "central_codes": _codes(central_codes),
            "local_codes": _codes(local_codes),
            "excluded_codes": _codes(excluded_codes),
        }
        if share is None:
            share = ProvinceShare.objects.create(province_code=code, **values)
        elif all(getattr(share, key) == value for key, value in values.items()):
            return share
        else:
            for key, value in values.items():
                setattr(share, key, value)
            share.save()
        record(
            actor=actor,
            action="catalog_national.share.set",
            target=share,
            before=before,
            after=snapshot(share),
        )
    return share
