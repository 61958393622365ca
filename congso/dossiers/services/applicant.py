"""The applicant's actions: ask to withdraw (and the desk's answer), rate the handling."""

from __future__ import annotations

from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.core.types import Actor
from congso.dossiers.models import Dossier, Rating
from congso.dossiers.permissions import is_applicant
from congso.dossiers.services._kernel import _reason, _signed_in, _text, calendar_for, transition
from congso.dossiers.services.reception import _require_reception
from congso.dossiers.services.steps import _cancel_active, _end_processing
from congso.dossiers.workflow import Status

# --- The applicant --------------------------------------------------------------------------------


def _require_applicant(actor: Actor, dossier: Dossier) -> None:
    if not is_applicant(actor, dossier):
        raise PermissionDenied("not_applicant", "Chỉ người nộp hồ sơ được thực hiện thao tác này.")


def dossier_request_withdrawal(
    *, actor: Actor, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The applicant asks to withdraw the dossier; the desk confirms or declines."""
    with transition(actor, dossier, "request_withdrawal", expected_version) as t:
        d = t.dossier
        _require_applicant(actor, d)
        t.note = _reason(t.rule, reason)
        d.status_before_withdrawal = d.status
        d.status = Status.WITHDRAWAL_REQUESTED
    return t.dossier


def dossier_confirm_withdrawal(
    *, actor: Actor, dossier: Dossier, note: str = "", expected_version: int | None = None
) -> Dossier:
    with transition(actor, dossier, "confirm_withdrawal", expected_version) as t:
        d = t.dossier
        _require_reception(actor, d)
        t.note = _text(note, field="note", label="ghi chú")
        calendar = calendar_for(d.competent_agency)
        _cancel_active(d, actor=actor, now=t.now, calendar=calendar, note="Công dân rút hồ sơ.")
        d.status = Status.WITHDRAWN
        d.status_before_withdrawal = ""
        _end_processing(d, now=t.now, calendar=calendar)
        t.outcome, t.agency_id = d.timeliness, d.receiving_agency_id
    return t.dossier


def dossier_decline_withdrawal(
    *, actor: Actor, dossier: Dossier, reason: str, expected_version: int | None = None
) -> Dossier:
    """The desk declines the withdrawal: the dossier returns to the state it was in."""
    with transition(actor, dossier, "decline_withdrawal", expected_version) as t:
        d = t.dossier
        _require_reception(actor, d)
        t.note = _reason(t.rule, reason)
        d.status = d.status_before_withdrawal or Status.RECEIVED
        d.status_before_withdrawal = ""
        t.agency_id = d.receiving_agency_id
    return t.dossier


def dossier_rate(
    *,
    actor: Actor,
    dossier: Dossier,
    score: int,
    comment: str = "",
    expected_version: int | None = None,
) -> Rating:
    """The applicant rates the handling, once, after the result was returned."""
    with transition(actor, dossier, "rate", expected_version) as t:
        d = t.dossier
        _require_applicant(actor, d)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise DomainError(
                "invalid_score", "Điểm đánh giá là số nguyên từ 1 đến 5.", field="score"
            )
        if Rating.objects.filter(dossier=d).exists():
            raise Conflict("already_rated", "Hồ sơ này đã được đánh giá.")
        t.note = _text(comment, field="comment", label="nhận xét")
        rating = Rating.objects.create(
            dossier=d, score=score, comment=t.note, rated_by=_signed_in(actor), created_at=t.now
        )
        t.data = {"score": score}
    return rating
