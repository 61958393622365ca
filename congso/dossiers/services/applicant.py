"""The applicant's actions: ask to withdraw (and the desk's answer), rate the handling."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.dossiers.models import (
    Dossier,
    Rating,
)
from congso.dossiers.permissions import (
    is_applicant,
)
from congso.dossiers.services._kernel import (
    _begin,
    _log,
    _now,
    _reason,
    _save,
    _snapshot,
    _text,
    calendar_for,
)
from congso.dossiers.services.reception import (
    _require_reception,
)
from congso.dossiers.services.steps import (
    _cancel_active,
    _end_processing,
)
from congso.dossiers.workflow import Status

# --- The applicant --------------------------------------------------------------------------------


def _require_applicant(actor: Any, dossier: Dossier) -> None:
    if not is_applicant(actor, dossier):
        raise PermissionDenied("not_applicant", "Chỉ người nộp hồ sơ được thực hiện thao tác này.")


def dossier_request_withdrawal(
    *, actor: Any, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The applicant asks to withdraw the dossier; the desk confirms or declines."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "request_withdrawal", expected_version)
        _require_applicant(actor, d)
        text = _reason(transition, reason)
        before, now, from_status = _snapshot(d), _now(), d.status
        d.status_before_withdrawal = d.status
        d.status = Status.WITHDRAWAL_REQUESTED
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
        )
    return d


def dossier_confirm_withdrawal(
    *, actor: Any, dossier: Dossier, note: str = "", expected_version: int | None = None
) -> Dossier:
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "confirm_withdrawal", expected_version)
        _require_reception(actor, d)
        text = _text(note, field="note", label="ghi chú")
        before, now, from_status = _snapshot(d), _now(), d.status
        calendar = calendar_for(d.competent_agency)
        _cancel_active(d, actor=actor, now=now, calendar=calendar, note="Công dân rút hồ sơ.")
        d.status = Status.WITHDRAWN
        d.status_before_withdrawal = ""
        _end_processing(d, now=now, calendar=calendar)
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            outcome=d.timeliness,
            agency_id=d.receiving_agency_id,
        )
    return d


def dossier_decline_withdrawal(
    *, actor: Any, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The desk declines the withdrawal: the dossier returns to the state it was in."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "decline_withdrawal", expected_version)
        _require_reception(actor, d)
        text = _reason(transition, reason)
        before, now, from_status = _snapshot(d), _now(), d.status
        d.status = d.status_before_withdrawal or Status.RECEIVED
        d.status_before_withdrawal = ""
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            agency_id=d.receiving_agency_id,
        )
    return d


def dossier_rate(
    *,
    actor: Any,
    dossier: Dossier,
    score: int,
    comment: str = "",
    expected_version: int | None = None,
) -> Rating:
    """The applicant rates the handling, once, after the result was returned."""
    with transaction.atomic():
        d, transition = _begin(actor, dossier, "rate", expected_version)
        _require_applicant(actor, d)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise DomainError(
                "invalid_score", "Điểm đánh giá là số nguyên từ 1 đến 5.", field="score"
            )
        if Rating.objects.filter(dossier=d).exists():
            raise Conflict("already_rated", "Hồ sơ này đã được đánh giá.")
        text = _text(comment, field="comment", label="nhận xét")
        before, now, from_status = _snapshot(d), _now(), d.status
        rating = Rating.objects.create(
            dossier=d, score=score, comment=text, rated_by=actor, created_at=now
        )
        _save(d, now)
        _log(
            actor=actor,
            dossier=d,
            action=transition.action,
            from_status=from_status,
            before=before,
            now=now,
            note=text,
            data={"score": score},
        )
    return rating
