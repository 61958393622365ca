"""The one write path of payments: start a payment, apply a gateway's callback exactly once,
record a counter payment, expire stale intents, refunds. Every change is atomic and audited.

A callback is stored verbatim (:class:`~congso.payments.models.Callback`) whatever becomes of
it; it is applied under a row lock on its intent, after the provider verified its signature and
the app checked the replay window, the amount, the currency and the intent's state. A paid
intent settles the dossier through ``dossier_confirm_payment`` (the system as actor) and gets
its e-receipt in the same transaction. See docs/payments.md.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.core.inbound import InboundRequest
from congso.core.types import Actor
from congso.dossiers.models import Dossier, DossierHistory
from congso.dossiers.permissions import is_applicant, is_reception_officer
from congso.dossiers.services import dossier_confirm_payment
from congso.dossiers.workflow import TERMINAL, Status
from congso.payments import fees, receipts
from congso.payments.base import (
    PaymentOrder,
    PaymentOutcome,
    PaymentProvider,
    PaymentStart,
    PaymentStatus,
    PaymentVerificationError,
    RefundOrder,
    person,
)
from congso.payments.models import (
    LIVE,
    SETTLED,
    Callback,
    DueStage,
    FeeAssessment,
    FeeRule,
    FeeSchedule,
    IntentStatus,
    PaymentIntent,
    Refund,
)
from congso.payments.registry import registry

#: Counter methods (the officer records them; the same receipt is issued).
COUNTER = "counter"
COUNTER_METHODS = {"cash": "Tiền mặt", "card": "Thẻ (POS)"}


@dataclass(frozen=True)
class FeeRequest:
    """What the applicant is asked to pay now, and why (frozen on the intent)."""

    key: str
    reason: str
    lines: tuple[dict[str, Any], ...]
    stage: str = DueStage.RESULT
    due_by: datetime.datetime | None = None

    @property
    def total(self) -> int:
        return sum(int(line["amount_vnd"]) for line in self.lines)

    @property
    def stage_label(self) -> str:
        return DueStage(self.stage).label


def _rules(procedure_code: str, day: datetime.date) -> list[fees.Rule]:
    rows = FeeRule.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day),
        Q(procedure_code="") | Q(procedure_code=procedure_code),
    )
    return [
        fees.Rule(
            pk=row.pk,
            name=row.name,
            effect=row.effect,
            value=row.value,
            legal_basis=row.legal_basis,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            procedure_code=row.procedure_code,
            kind=row.kind,
            channel=row.channel,
            case=row.case,
        )
        for row in rows
    ]


def schedule_of(dossier: Dossier) -> FeeSchedule | None:
    return FeeSchedule.objects.filter(procedure_version_id=dossier.procedure_version_id).first()


def fee_lines(dossier: Dossier, day: datetime.date) -> tuple[str, list[dict[str, Any]]]:
    """The case of ``dossier`` and its fee lines computed for ``day`` (not stored)."""
    version = dossier.procedure_version
    schedule = schedule_of(dossier)
    case_field = schedule.case_field if schedule else ""
    case = str((dossier.form_data or {}).get(case_field) or "") if case_field else ""
    lines = fees.assess(
        fees.base_lines(schedule.lines if schedule else None, version.fees),
        _rules(version.procedure.code, day),
        procedure_code=version.procedure.code,
        channel=dossier.channel,
        case=case,
        day=day,
        by_case=bool(case_field),
    )
    return case, lines


def fee_assess(
    dossier: Dossier,
    *,
    stage: str,
    now: datetime.datetime,
    reason: str = "",
    amount_vnd: int | None = None,
) -> FeeAssessment | None:
    """Compute what ``dossier`` owes at ``stage`` and freeze it (inside the dossier's change,
    its row locked). ``amount_vnd``: the officer's own amount (one line). None when the
    procedure has no fee."""
    lines: list[dict[str, Any]]
    if amount_vnd:
        case = ""
        name = reason or "Phí, lệ phí"
        lines = [
            {
                "kind": fees.kind_of(name),
                "name": name,
                "base_vnd": amount_vnd,
                "amount_vnd": amount_vnd,
                "legal_basis": "",
                "adjustment": None,
            }
        ]
    else:
        case, lines = fee_lines(dossier, timezone.localdate(now))
    if not lines:
        return None
    schedule = schedule_of(dossier)
    total = sum(int(line["amount_vnd"]) for line in lines)
    count = FeeAssessment.objects.filter(dossier=dossier).count()
    assessment = FeeAssessment.objects.create(
        key=f"{dossier.code}/{stage}-{count + 1}",
        dossier=dossier,
        stage=stage,
        reason=(reason or "Phí, lệ phí")[:255],
        case=case[:255],
        lines=lines,
        total_vnd=total,
        computed_at=now,
        due_by=now + datetime.timedelta(days=schedule.pay_within_days)
        if schedule and schedule.pay_within_days
        else None,
        paid_at=now if total == 0 else None,
    )
    record(
        actor=None,
        action="payments.fee_assessed",
        target=assessment,
        after={
            "dossier": dossier.code,
            "stage": stage,
            "case": case,
            "total_vnd": total,
            "lines": lines,
        },
    )
    return assessment


def open_assessment(dossier: Dossier) -> FeeAssessment | None:
    return (
        FeeAssessment.objects.filter(dossier=dossier, paid_at__isnull=True, total_vnd__gt=0)
        .order_by("computed_at", "pk")
        .first()
    )


def _catalogue_lines(dossier: Dossier) -> list[dict[str, Any]]:
    lines = []
    for fee in dossier.procedure_version.fees or ():
        if not isinstance(fee, dict):
            continue
        try:
            amount = int(fee.get("amount_vnd") or 0)
        except (TypeError, ValueError):
            continue
        if amount > 0:
            lines.append({"name": str(fee.get("name") or "Lệ phí"), "amount_vnd": amount})
    return lines


def fee_request(dossier: Dossier) -> FeeRequest | None:
    """The open fee request of ``dossier``: its oldest unpaid assessment; for a dossier in
    status 6 from before the fee engine (no assessment), the officer's request as it was."""
    if dossier.status in TERMINAL:
        return None
    assessment = open_assessment(dossier)
    if assessment is not None:
        return FeeRequest(
            key=assessment.key,
            reason=assessment.reason,
            lines=tuple(assessment.lines),
            stage=assessment.stage,
            due_by=assessment.due_by,
        )
    if dossier.status != Status.PAYMENT_REQUESTED or dossier.fee_assessments.exists():
        return None
    asked = (
        DossierHistory.objects.filter(dossier=dossier, action="request_payment")
        .order_by("-at", "-pk")
        .first()
    )
    if asked is None:
        return None
    amount = (asked.data or {}).get("amount_vnd")
    reason = asked.note or "Phí, lệ phí"
    lines = [{"name": reason, "amount_vnd": int(amount)}] if amount else _catalogue_lines(dossier)
    if not lines:
        return None
    return FeeRequest(key=f"{dossier.code}/{asked.pk}", reason=reason, lines=tuple(lines))


def _provider(provider_id: str) -> PaymentProvider:
    try:
        provider = registry.get(provider_id)
    except LookupError:
        raise DomainError(
            "provider_unavailable", "Kênh thanh toán này không được hỗ trợ.", field="provider"
        ) from None
    if not provider.is_enabled():
        raise DomainError(
            "provider_unavailable", "Kênh thanh toán này chưa được cấu hình.", field="provider"
        )
    return provider


def _new_reference(now: datetime.datetime) -> str:
    # Letters and digits only (VNPay's vnp_TxnRef), sortable by day, unguessable.
    return f"{timezone.localtime(now):%y%m%d}{secrets.token_hex(6).upper()}"


def _snapshot(intent: PaymentIntent) -> dict[str, Any]:
    return {
        "reference": intent.reference,
        "status": intent.status,
        "amount_vnd": intent.amount_vnd,
        "provider": intent.provider,
        "provider_ref": intent.provider_ref,
        "refunded_vnd": intent.refunded_vnd,
    }


def _ascii(text: str) -> str:
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split())


def payment_start(
    *,
    actor: Actor,
    dossier: Dossier,
    provider_id: str,
    return_url: str,
    notify_url: str = "",
    client_ip: str = "",
) -> tuple[PaymentIntent, PaymentStart]:
    """The applicant starts paying the open fee request through ``provider_id``. Starting
    again reuses the pending intent of the same provider (same reference); another provider
    cancels it first. One paid intent per fee request, whatever happens."""
    if not is_applicant(actor, dossier):
        raise PermissionDenied("not_applicant", "Chỉ người nộp hồ sơ được thanh toán trực tuyến.")
    provider = _provider(provider_id)
    now = timezone.now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        request = fee_request(locked)
        if request is None:
            raise DomainError("nothing_to_pay", "Hồ sơ không có khoản phí, lệ phí nào cần nộp.")
        live = PaymentIntent.objects.select_for_update().filter(
            idempotency_key=request.key, status__in=LIVE
        )
        intent = live.first()
        if intent is not None and intent.status in SETTLED:
            raise Conflict("already_paid", "Khoản phí, lệ phí này đã được thanh toán.")
        if intent is not None and (
            intent.provider != provider_id
            or (intent.expires_at is not None and intent.expires_at <= now)
        ):
            before = _snapshot(intent)
            intent.status = (
                IntentStatus.CANCELLED if intent.provider != provider_id else IntentStatus.EXPIRED
            )
            intent.save(update_fields=["status", "updated_at"])
            record(
                actor=actor,
                action="payments.cancel",
                target=intent,
                before=before,
                after=_snapshot(intent),
            )
            intent = None
        if intent is None:
            intent = PaymentIntent.objects.create(
                reference=_new_reference(now),
                idempotency_key=request.key,
                dossier=locked,
                provider=provider_id,
                amount_vnd=request.total,
                lines=list(request.lines),
                description=_ascii(f"Thanh toan ho so {locked.code}")[:255],
                payer_name=locked.applicant_name,
                created_by=person(actor),
                created_at=now,
                expires_at=now + datetime.timedelta(minutes=settings.PAYMENTS_INTENT_MINUTES),
            )
            record(
                actor=actor,
                action="payments.create",
                target=intent,
                after=_snapshot(intent) | {"lines": intent.lines},
            )
        before_status = intent.status
        order = PaymentOrder(
            reference=intent.reference,
            dossier_code=locked.code,
            amount_vnd=intent.amount_vnd,
            description=intent.description,
            return_url=return_url,
            notify_url=notify_url,
            expires_at=intent.expires_at,
            client_ip=client_ip,
        )
        start = provider.start(order)
        intent.start_url = start.url if start.url != return_url else ""
        if intent.status == IntentStatus.CREATED:
            intent.status = IntentStatus.PENDING
        intent.save(update_fields=["status", "start_url", "updated_at"])
        if intent.status == IntentStatus.PENDING and before_status == IntentStatus.CREATED:
            record(actor=actor, action="payments.pending", target=intent, after=_snapshot(intent))
    return intent, start


# --- Callbacks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackResult:
    verdict: str
    intent: PaymentIntent | None
    outcome: PaymentOutcome | None
    #: The gateway's error key for :meth:`PaymentProvider.acknowledge` ("" when accepted).
    error: str = ""


def _find_intent(provider_id: str, outcome: PaymentOutcome) -> PaymentIntent | None:
    queryset = PaymentIntent.objects.select_for_update().filter(provider=provider_id)
    if outcome.reference:
        return queryset.filter(reference=outcome.reference).first()
    if outcome.dossier_code:
        # A transfer names the dossier: its open intent of this provider, else its paid one.
        candidates = queryset.filter(dossier__code=outcome.dossier_code, status__in=LIVE)
        return candidates.order_by("-created_at", "-pk").first()
    return None


def _in_window(moment: datetime.datetime | None, now: datetime.datetime) -> bool:
    if moment is None:
        return True
    window = datetime.timedelta(minutes=settings.PAYMENTS_CALLBACK_WINDOW_MINUTES)
    return now - window <= moment <= now + window


def _settle(intent: PaymentIntent, outcome: PaymentOutcome, *, via: str) -> None:
    """Paid: the intent, the receipt, the dossier (inside the caller's transaction)."""
    before = _snapshot(intent)
    intent.status = IntentStatus.PAID
    intent.provider_ref = outcome.provider_ref
    intent.paid_at = outcome.paid_at or timezone.now()
    intent.detail = outcome.detail[:255]
    intent.save(update_fields=["status", "provider_ref", "paid_at", "detail", "updated_at"])
    record(
        actor=None,
        action="payments.paid",
        target=intent,
        before=before,
        after=_snapshot(intent) | {"via": via},
    )
    FeeAssessment.objects.filter(key=intent.idempotency_key, paid_at__isnull=True).update(
        paid_at=intent.paid_at
    )
    receipts.issue(intent)
    dossier = Dossier.objects.get(pk=intent.dossier_id)
    if dossier.status == Status.PAYMENT_REQUESTED:
        label = registry.label(intent.provider) if intent.provider != COUNTER else "tại quầy"
        dossier_confirm_payment(
            actor=None,
            dossier=dossier,
            note=f"Đã thanh toán {intent.amount_vnd} đồng qua {label}, giao dịch "
            f"{intent.reference}.",
        )


def apply_outcome(  # noqa: PLR0911 (one answer per check, in the order they are made)
    provider_id: str, outcome: PaymentOutcome, *, via: str, now: datetime.datetime
) -> CallbackResult:
    """Apply a verified outcome to its intent, once (the caller holds a transaction)."""
    intent = _find_intent(provider_id, outcome)
    if intent is None:
        return CallbackResult("not_found", None, outcome, "not_found")
    if outcome.currency != intent.currency or outcome.amount_vnd != intent.amount_vnd:
        return CallbackResult("amount", intent, outcome, "amount")
    if not _in_window(outcome.sent_at, now):
        return CallbackResult("replay", intent, outcome, "replay")
    if intent.status in SETTLED:
        # The same payment told again (or a late failure after the success): nothing changes.
        return CallbackResult("duplicate", intent, outcome, "already")
    if outcome.status == PaymentStatus.PAID:
        others = PaymentIntent.objects.filter(
            idempotency_key=intent.idempotency_key, status__in=LIVE
        ).exclude(pk=intent.pk)
        if intent.status == IntentStatus.CANCELLED and others.exists():
            # Paid on an attempt the citizen abandoned for another: left to reconciliation.
            return CallbackResult("superseded", intent, outcome, "already")
        try:
            with transaction.atomic():
                _settle(intent, outcome, via=via)
        except IntegrityError:
            # The gateway's transaction number is already on another intent.
            return CallbackResult("duplicate", intent, outcome, "already")
        return CallbackResult("applied", intent, outcome)
    if outcome.status == PaymentStatus.PENDING:
        return CallbackResult("ignored", intent, outcome)
    if intent.status in (IntentStatus.CREATED, IntentStatus.PENDING):
        before = _snapshot(intent)
        intent.status = (
            IntentStatus.CANCELLED
            if outcome.status == PaymentStatus.CANCELLED
            else IntentStatus.FAILED
        )
        intent.detail = outcome.detail[:255]
        intent.save(update_fields=["status", "detail", "updated_at"])
        record(
            actor=None,
            action="payments.failed",
            target=intent,
            before=before,
            after=_snapshot(intent) | {"via": via},
        )
        return CallbackResult("applied", intent, outcome)
    return CallbackResult("duplicate", intent, outcome, "already")


def payment_callback(
    *, provider_id: str, request: InboundRequest, kind: str = Callback.Kind.NOTIFICATION
) -> tuple[CallbackResult, tuple[int, str, bytes]]:
    """A gateway's server-to-server notification (or a bank's webhook): verified, stored,
    applied at most once; returns the result and the HTTP answer the gateway expects."""
    provider = _provider(provider_id)
    now = timezone.now()
    params = dict(request.query) | dict(request.form)
    with transaction.atomic():
        callback = Callback.objects.create(
            provider=provider_id,
            kind=kind,
            params=params,
            body=request.body.decode("utf-8", "replace")[:20000],
            remote_addr=request.remote_addr[:45],
            received_at=now,
            verdict="received",
        )
        try:
            outcome = provider.verify_notification(request)
        except PaymentVerificationError as exc:
            result = CallbackResult(exc.code, None, None, exc.code)
        else:
            result = apply_outcome(provider_id, outcome, via=kind, now=now)
        answer = provider.acknowledge(result.outcome if not result.error else None, result.error)
        callback.intent = result.intent
        callback.reference = (result.outcome.reference if result.outcome else "")[:64]
        callback.verdict = result.verdict
        callback.answer = answer[2].decode("utf-8", "replace")[:255]
        callback.save(update_fields=["intent", "reference", "verdict", "answer"])
        if result.verdict not in ("applied", "ignored"):
            record(
                actor=None,
                action="payments.callback_refused"
                if result.verdict != "duplicate"
                else "payments.callback_duplicate",
                target=callback,
                after={
                    "verdict": result.verdict,
                    "provider": provider_id,
                    "reference": callback.reference,
                },
            )
    return result, answer


def payment_return(*, provider_id: str, request: InboundRequest) -> PaymentIntent | None:
    """The citizen is back from the gateway: which intent (informative only — the intent is
    settled by the notification). None when the return does not verify."""
    provider = _provider(provider_id)
    try:
        outcome = provider.verify_return(request)
    except PaymentVerificationError:
        return None
    return PaymentIntent.objects.filter(provider=provider_id, reference=outcome.reference).first()


def payment_record_counter(*, actor: Actor, dossier: Dossier, method: str) -> PaymentIntent:
    """A reception officer of the dossier's desk records a payment at the counter."""
    if not is_reception_officer(actor, dossier):
        raise PermissionDenied(
            "not_payment_officer", "Chỉ cán bộ tiếp nhận của hồ sơ được ghi nhận thu tại quầy."
        )
    if method not in COUNTER_METHODS:
        raise DomainError("provider_unavailable", "Hình thức thu không hợp lệ.", field="method")
    now = timezone.now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        request = fee_request(locked)
        if request is None:
            raise DomainError("nothing_to_pay", "Hồ sơ không có khoản phí, lệ phí nào cần nộp.")
        for open_intent in PaymentIntent.objects.select_for_update().filter(
            idempotency_key=request.key, status__in=LIVE
        ):
            if open_intent.status in SETTLED:
                raise Conflict("already_paid", "Khoản phí, lệ phí này đã được thanh toán.")
            before = _snapshot(open_intent)
            open_intent.status = IntentStatus.CANCELLED
            open_intent.save(update_fields=["status", "updated_at"])
            record(
                actor=actor,
                action="payments.cancel",
                target=open_intent,
                before=before,
                after=_snapshot(open_intent),
            )
        intent = PaymentIntent.objects.create(
            reference=_new_reference(now),
            idempotency_key=request.key,
            dossier=locked,
            provider=COUNTER,
            amount_vnd=request.total,
            lines=list(request.lines),
            description=f"Thu tại quầy ({COUNTER_METHODS[method]})",
            payer_name=locked.applicant_name,
            created_by=person(actor),
            created_at=now,
        )
        record(actor=actor, action="payments.create", target=intent, after=_snapshot(intent))
        _settle(
            intent,
            PaymentOutcome(
                reference=intent.reference,
                status=PaymentStatus.PAID,
                amount_vnd=intent.amount_vnd,
                provider_ref="",
                paid_at=now,
                detail=COUNTER_METHODS[method],
            ),
            via=f"counter:{method}",
        )
    return intent


def payment_expire(now: datetime.datetime | None = None) -> int:
    """Pending intents past their expiry become expired (the periodic task); returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stale = PaymentIntent.objects.select_for_update(skip_locked=True).filter(
            status__in=(IntentStatus.CREATED, IntentStatus.PENDING), expires_at__lte=now
        )
        for intent in stale:
            before = _snapshot(intent)
            intent.status = IntentStatus.EXPIRED
            intent.save(update_fields=["status", "updated_at"])
            record(
                actor=None,
                action="payments.expired",
                target=intent,
                before=before,
                after=_snapshot(intent),
            )
            count += 1
    return count


# --- Refunds --------------------------------------------------------------------------------


def _officer_of(actor: Actor, intent: PaymentIntent) -> None:
    if not is_reception_officer(actor, intent.dossier):
        raise PermissionDenied(
            "not_payment_officer", "Chỉ cán bộ tiếp nhận của hồ sơ được xử lý hoàn tiền."
        )


def refund_request(*, actor: Actor, intent: PaymentIntent, amount_vnd: int, reason: str) -> Refund:
    """An officer asks to give back all or part of what was paid."""
    _officer_of(actor, intent)
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("not_refundable", "Cần ghi lý do hoàn tiền.", field="reason")
    with transaction.atomic():
        locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if locked.status not in (IntentStatus.PAID, IntentStatus.PARTIALLY_REFUNDED):
            raise Conflict("not_refundable", "Giao dịch này không ở trạng thái được hoàn tiền.")
        if not 0 < amount_vnd <= locked.amount_vnd - locked.refunded_vnd:
            raise DomainError(
                "invalid_amount",
                "Số tiền hoàn phải lớn hơn 0 và không quá số tiền còn lại.",
                field="amount_vnd",
            )
        before = _snapshot(locked)
        locked.status = IntentStatus.REFUND_REQUESTED
        locked.save(update_fields=["status", "updated_at"])
        refund = Refund.objects.create(
            intent=locked,
            amount_vnd=amount_vnd,
            reason=reason[:2000],
            requested_by=person(actor),
            requested_at=timezone.now(),
        )
        record(
            actor=actor,
            action="payments.refund_requested",
            target=locked,
            before=before,
            after=_snapshot(locked) | {"refund": refund.pk, "amount_vnd": amount_vnd},
        )
    return refund


def refund_complete(*, actor: Actor, refund: Refund, provider_ref: str) -> Refund:
    """The money went back (the gateway's refund or the bank transfer ``provider_ref``)."""
    _officer_of(actor, refund.intent)
    provider_ref = provider_ref.strip()
    if not provider_ref:
        raise DomainError(
            "refund_not_pending", "Cần ghi số chứng từ hoàn tiền.", field="provider_ref"
        )
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status != Refund.Status.REQUESTED:
            raise Conflict("refund_not_pending", "Đề nghị hoàn tiền này đã được xử lý.")
        intent = PaymentIntent.objects.select_for_update().get(pk=locked.intent_id)
        before = _snapshot(intent)
        intent.refunded_vnd += locked.amount_vnd
        intent.status = (
            IntentStatus.REFUNDED
            if intent.refunded_vnd == intent.amount_vnd
            else IntentStatus.PARTIALLY_REFUNDED
        )
        intent.save(update_fields=["refunded_vnd", "status", "updated_at"])
        locked.status = Refund.Status.DONE
        locked.provider_ref = provider_ref[:64]
        locked.done_by = person(actor)
        locked.done_at = timezone.now()
        locked.save(update_fields=["status", "provider_ref", "done_by", "done_at"])
        record(
            actor=actor,
            action="payments.refunded",
            target=intent,
            before=before,
            after=_snapshot(intent) | {"refund": locked.pk, "provider_ref": provider_ref},
        )
    return locked


def refund_send(*, actor: Actor, refund: Refund) -> Refund:
    """Give the refund back through the gateway's refund API (VNPay ``refund``: 02 full, 03
    partial) and record it with the gateway's transaction number. The refund row stays locked
    during the call, so the same refund is never sent twice. A refused or unverifiable answer
    leaves it requested, audited (``payments.refund_failed``)."""
    _officer_of(actor, refund.intent)
    provider = _provider(refund.intent.provider)
    if not provider.refunds_online:
        raise DomainError(
            "refund_offline",
            "Kênh thanh toán này không hoàn tiền trực tuyến: hãy hoàn bằng chuyển khoản và ghi "
            "số chứng từ.",
        )
    failure = ""
    with transaction.atomic():
        locked = Refund.objects.select_for_update().select_related("intent").get(pk=refund.pk)
        if locked.status != Refund.Status.REQUESTED:
            raise Conflict("refund_not_pending", "Đề nghị hoàn tiền này đã được xử lý.")
        intent = locked.intent
        order = RefundOrder(
            reference=intent.reference,
            provider_ref=intent.provider_ref,
            amount_vnd=locked.amount_vnd,
            paid_vnd=intent.amount_vnd,
            paid_at=intent.paid_at or intent.created_at,
            description=_ascii(f"Hoan tien ho so {intent.dossier.code}"),
            requested_by=getattr(actor, "username", "") or "congso",
        )
        try:
            result = provider.refund(order)
        except PaymentVerificationError as exc:
            failure = f"trả lời không hợp lệ ({exc})"
        except (OSError, ValueError) as exc:
            failure = f"không kết nối được cổng thanh toán ({exc.__class__.__name__})"
        else:
            if result.accepted and result.provider_ref:
                return refund_complete(actor=actor, refund=locked, provider_ref=result.provider_ref)
            failure = f"cổng thanh toán từ chối (mã {result.code}: {result.message})"
    record(
        actor=actor,
        action="payments.refund_failed",
        target=refund.intent,
        after={"refund": refund.pk, "amount_vnd": refund.amount_vnd, "failure": failure},
    )
    raise DomainError("refund_failed", f"Chưa hoàn được tiền: {failure}.", status=502)


def payment_query(*, intent: PaymentIntent) -> CallbackResult | None:
    """Ask the gateway for a pending intent's status (VNPay ``querydr``), for an order whose
    notification never came; a paid answer is applied like a callback (audited). None when the
    provider has no query or the gateway does not know the order."""
    provider = _provider(intent.provider)
    outcome = provider.query(intent.reference, intent.created_at)
    if outcome is None:
        return None
    with transaction.atomic():
        return apply_outcome(intent.provider, outcome, via="query", now=timezone.now())
