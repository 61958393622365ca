"""Components of a dossier: verified against the original, digitised, a scan added."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.core.types import Actor
from congso.dossiers import attachments
from congso.dossiers.models import Dossier, DossierComponent, StepStatus
from congso.dossiers.permissions import can_work_on_step, is_reception_officer
from congso.dossiers.services._kernel import (
    _lock,
    _log,
    _now,
    _require_user,
    _save,
    _signed_in,
    _snapshot,
)
from congso.dossiers.workflow import LABELS_VI, Status

# --- Components -----------------------------------------------------------------------------------


def _may_handle_components(actor: Actor, dossier: Dossier) -> bool:
    if is_reception_officer(actor, dossier):
        return True
    active = dossier.steps.filter(status=StepStatus.ACTIVE)
    return any(can_work_on_step(actor, step) for step in active)


def dossier_component_mark(
    *,
    actor: Actor,
    dossier: Dossier,
    component_code: str,
    verified: bool | None = None,
    digitised: bool | None = None,
    scan: Any = None,
    expected_version: int | None = None,
) -> DossierComponent:
    """An officer (the desk, or the holder of a running step) marks a component as verified
    (checked against the original) and/or digitised, optionally adding the scan as a new
    version. Audited, recorded in the history."""
    _require_user(actor, "mark_component")
    if verified is None and digitised is None and scan is None:
        raise DomainError(
            "nothing_to_change", "Chọn kiểm tra, số hóa hoặc tải bản quét.", field="verified"
        )
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            d = _lock(dossier, expected_version)
            if d.state not in (
                Status.SUBMITTED,
                Status.RECEIVED,
                Status.PROCESSING,
                Status.PAYMENT_REQUESTED,
                Status.PROCESSED,
            ):
                raise Conflict(
                    "invalid_transition",
                    f"Không cập nhật thành phần khi hồ sơ đang «{LABELS_VI[d.state]}».",
                )
            if not _may_handle_components(actor, d):
                raise PermissionDenied(
                    "not_allowed",
                    "Chỉ cán bộ tiếp nhận hoặc người đang xử lý hồ sơ được cập nhật thành phần.",
                )
            component = d.components.filter(code=component_code).first()
            if component is None:
                raise NotFound(
                    "unknown_component",
                    f"Hồ sơ không có thành phần mã «{component_code}».",
                    field="component",
                )
            before, now = _snapshot(d), _now()
            changes: dict[str, Any] = {"component": component.code}
            if scan is not None:
                added = attachments.store(component, scan, actor=actor, stored=stored)
                changes["scan"] = {"version": added.version, "sha256": added.sha256}
                digitised = True if digitised is None else digitised
            if verified is not None:
                component.verified = verified
                component.verified_by = _signed_in(actor) if verified else None
                component.verified_at = now if verified else None
                changes["verified"] = verified
            if digitised is not None:
                component.digitised = digitised
                component.digitised_by = _signed_in(actor) if digitised else None
                component.digitised_at = now if digitised else None
                changes["digitised"] = digitised
            component.save()
            _save(d, now)
            _log(
                actor=actor,
                dossier=d,
                action="mark_component",
                from_status=d.status,
                before=before,
                now=now,
                note=component.name,
                data=changes,
            )
    except BaseException:
        stored.discard()
        raise
    return component
