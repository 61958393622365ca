"""The envelope every dossier write shares: small helpers, the row lock and version check,
the transition check, the snapshot, the conditional save and the record (history row, outbox
event and its job, audit event) in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.calendar.engine import WorkCalendar
from congso.calendar.selectors import get_calendar
from congso.catalog import selectors as catalog
from congso.catalog.models import ProcedureVersion
from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.core.types import Actor
from congso.core.worker import enqueue
from congso.dossiers import deadlines, hooks
from congso.dossiers.models import Dossier, DossierEvent, DossierHistory, DossierStep
from congso.dossiers.workflow import LABELS_VI, SYSTEM_TRANSITIONS, TRANSITIONS, Transition
from congso.org.models import Agency
from congso.org.permissions import is_authenticated_user

#: Actions the system (``actor=None``: a payment gateway callback, an import, a partner
#: system's transfer message) may perform.
SYSTEM_ACTIONS = frozenset({"confirm_payment"}) | SYSTEM_TRANSITIONS
MAX_TEXT = 4000


# --- Small helpers --------------------------------------------------------------------------------


def _now() -> datetime:
    return timezone.now()


def _text(value: str | None, *, field: str, label: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("required", f"Cần nhập {label}.", field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(
            "too_long", f"{label[:1].upper()}{label[1:]} dài quá {MAX_TEXT} ký tự.", field=field
        )
    return text


def _reason(transition: Transition, reason: str | None) -> str:
    return _text(reason, field="reason", label="lý do", required=transition.reason_required)


def _actor_name(actor: Actor) -> str:
    if actor is None:
        return "Hệ thống"
    full_name = getattr(actor, "full_name", "") or ""
    return (full_name or actor.get_username())[:255]


def _user_or_none(actor: Actor) -> Any:
    return actor if is_authenticated_user(actor) else None


def _require_user(actor: Actor, action: str) -> None:
    if actor is None and action in SYSTEM_ACTIONS:
        return
    if not is_authenticated_user(actor):
        raise PermissionDenied("login_required", "Cần đăng nhập để thực hiện thao tác này.")


def _signed_in(actor: Actor) -> Any:
    """The actor as the signed-in user an action that records who did it needs (typed ``Any``:
    the user model belongs to ``accounts``, a layer above, and the foreign keys it fills are
    typed by that model)."""
    if actor is None or not is_authenticated_user(actor):
        raise PermissionDenied("login_required", "Cần đăng nhập để thực hiện thao tác này.")
    return actor


def calendar_for(agency: Agency) -> WorkCalendar:
    """The working calendar of the agency: its province's (national for central agencies), with
    the agency's own working hours where it keeps some."""
    province = agency.province.code if agency.province_id and agency.province else None
    return get_calendar(province, agency_code=agency.code)


def time_limit(version: ProcedureVersion) -> deadlines.TimeLimit:
    return catalog.time_limit_of(version)


# --- Locking, recording ---------------------------------------------------------------------------


def _lock(dossier: Dossier, expected_version: int | None) -> Dossier:
    locked = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("competent_agency__province", "procedure_version", "process", "desk")
        .get(pk=dossier.pk)
    )
    expected = dossier.version if expected_version is None else expected_version
    if locked.version != expected:
        raise Conflict(
            "concurrent_update",
            f"Hồ sơ {locked.code} vừa được cập nhật bởi người khác (phiên bản {locked.version}, "
            f"bạn đang xem phiên bản {expected}). Vui lòng tải lại hồ sơ rồi thực hiện lại.",
            field="expected_version",
        )
    hooks.locked(locked)
    return locked


def _begin(
    actor: Actor, dossier: Dossier, action: str, expected_version: int | None
) -> tuple[Dossier, Transition]:
    _require_user(actor, action)
    transition = TRANSITIONS[action]
    locked = _lock(dossier, expected_version)
    if locked.state not in transition.sources:
        raise Conflict(
            "invalid_transition",
            f"Không thể thực hiện «{transition.label_vi}» khi hồ sơ {locked.code} đang ở trạng "
            f"thái «{LABELS_VI[locked.state]}».",
        )
    return locked, transition


def _snapshot(dossier: Dossier) -> dict[str, Any]:
    return {
        "status": dossier.status,
        "version": dossier.version,
        "due_at": dossier.due_at,
        "appointment_at": dossier.appointment_at,
        "supplement_count": dossier.supplement_count,
        "stage": dossier.stage,
        "plan_index": dossier.plan_index,
    }


def _save(dossier: Dossier, now: datetime) -> None:
    """Write every field with ``version + 1``, only if the row still has the old version."""
    old = dossier.version
    dossier.version = old + 1
    dossier.updated_at = now
    values = {
        field.attname: getattr(dossier, field.attname)
        for field in Dossier._meta.concrete_fields
        if not field.primary_key
    }
    updated = Dossier.objects.filter(pk=dossier.pk, version=old).update(**values)
    if updated != 1:
        dossier.version = old
        raise Conflict(
            "concurrent_update",
            f"Hồ sơ {dossier.code} vừa được cập nhật bởi người khác; vui lòng tải lại.",
            field="expected_version",
        )


def _log(
    *,
    actor: Actor,
    dossier: Dossier,
    action: str,
    from_status: str,
    before: dict[str, Any] | None,
    now: datetime,
    step: DossierStep | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    outcome: str = "",
    agency_id: int | None = None,
) -> DossierHistory:
    """History row, outbox event and its job, audit event: the same transaction as the change."""
    history = DossierHistory.objects.create(
        dossier=dossier,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=_user_or_none(actor),
        actor_label=_actor_name(actor),
        step=step,
        step_name=step.name if step else "",
        agency_id=agency_id or (step.agency_id if step else None),
        at=now,
        due_at=due_at if due_at is not None else (step.due_at if step else dossier.due_at),
        outcome=outcome,
        note=note,
        data=_json_ready(data or {}),
    )
    event = DossierEvent.objects.create(
        dossier=dossier,
        history=history,
        kind=f"dossier.{action}",
        payload={
            "code": dossier.code,
            "action": action,
            "from_status": from_status,
            "status": dossier.status,
            "national_status": dossier.national_status,
            "version": dossier.version,
            "at": timezone.localtime(now).isoformat(),
            "step": step.name if step else None,
            "appointment_at": timezone.localtime(dossier.appointment_at).isoformat()
            if dossier.appointment_at
            else None,
        },
        created_at=now,
    )
    enqueue("dossiers.publish_event", event_id=event.pk)
    hooks.changed(dossier, action=action, from_status=from_status, now=now)
    after = _snapshot(dossier)
    if data:
        after["data"] = data
    record(actor=actor, action=f"dossiers.{action}", target=dossier, before=before, after=after)
    return history


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return value


# --- The envelope ---------------------------------------------------------------------------------


@dataclass
class Change:
    """A workflow action in progress (see :func:`transition`): the locked dossier, the rule of
    the transition, the state before. The action fills in what its record says."""

    actor: Actor
    dossier: Dossier
    rule: Transition
    before: dict[str, Any]
    from_status: str
    now: datetime
    #: The step the action was taken on (history ``step``; its due time by default).
    step: DossierStep | None = None
    note: str = ""
    data: dict[str, Any] | None = None
    outcome: str = ""
    #: The due time the history row shows (default: the step's, else the dossier's).
    due_at: datetime | None = None
    #: The agency the history row names (default: the step's).
    agency_id: int | None = None
    history: DossierHistory | None = None


@contextmanager
def transition(
    actor: Actor, dossier: Dossier, action: str, expected_version: int | None
) -> Iterator[Change]:
    """The envelope of one workflow action, in one transaction.

    On entry: the actor must be signed in (:data:`SYSTEM_ACTIONS` excepted), the row is locked
    and its version compared with ``expected_version``, the dossier's state must be a source
    of the action in :data:`~congso.dossiers.workflow.TRANSITIONS`; the state before and the
    time are taken. The body checks the action's own rules and changes the dossier (and its
    steps). On a clean exit the dossier is saved (``version + 1``, conditional) and recorded:
    history row, outbox event and its job, audit event. An exception writes nothing."""
    with transaction.atomic():
        locked, rule = _begin(actor, dossier, action, expected_version)
        change = Change(
            actor=actor,
            dossier=locked,
            rule=rule,
            before=_snapshot(locked),
            from_status=locked.status,
            now=_now(),
        )
        yield change
        _save(locked, change.now)
        change.history = _log(
            actor=actor,
            dossier=locked,
            action=rule.action,
            from_status=change.from_status,
            before=change.before,
            now=change.now,
            step=change.step,
            note=change.note,
            data=change.data,
            due_at=change.due_at,
            outcome=change.outcome,
            agency_id=change.agency_id,
        )
