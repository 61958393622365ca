"""Fees paid online (``/api/v1/payments``): the applicant's payments of a dossier and starting
one; the desk's refunds. Thin over ``congso.payments.services`` (docs/payments.md)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from congso.accounts.tokens import WRITE
from congso.api.auth import SESSION_OR_TOKEN, token_scope
from congso.api.schemas import ErrorOut
from congso.dossiers.selectors import dossier_for
from congso.payments import selectors, services
from congso.payments.base import PaymentOrder
from congso.payments.models import PaymentIntent, Refund
from congso.payments.registry import registry

router = Router()


class FeeLineOut(Schema):
    name: str
    amount_vnd: int


class PaymentOut(Schema):
    reference: str
    dossier_code: str
    provider: str
    status: str
    amount_vnd: int
    currency: str
    lines: list[FeeLineOut]
    refunded_vnd: int
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    #: Where the applicant's browser goes to pay (the gateway's signed request), if any.
    pay_url: str
    #: What congso's payment page shows instead (VietQR: ``qr_payload``, account, purpose).
    instructions: dict[str, str]
    receipt_lookup_code: str | None


class StartIn(Schema):
    provider: str
    #: Where the gateway sends the applicant back (default: congso's return page).
    return_url: str = ""


class RefundIn(Schema):
    amount_vnd: int
    reason: str


class RefundDoneIn(Schema):
    provider_ref: str


class RefundOut(Schema):
    id: int
    reference: str
    amount_vnd: int
    status: str
    provider_ref: str
    requested_at: datetime
    done_at: datetime | None


def _out(request: HttpRequest, intent: PaymentIntent) -> PaymentOut:
    instructions: dict[str, str] = {}
    if intent.status == "pending" and intent.provider in registry:
        order = PaymentOrder(
            reference=intent.reference,
            dossier_code=intent.dossier.code,
            amount_vnd=intent.amount_vnd,
            description=intent.description,
            return_url="",
            notify_url="",
        )
        instructions = dict(registry.get(intent.provider).instructions(order))
    receipt = getattr(intent, "receipt", None)
    return PaymentOut(
        reference=intent.reference,
        dossier_code=intent.dossier.code,
        provider=intent.provider,
        status=intent.status,
        amount_vnd=intent.amount_vnd,
        currency=intent.currency,
        lines=[FeeLineOut(**line) for line in intent.lines],
        refunded_vnd=intent.refunded_vnd,
        created_at=intent.created_at,
        expires_at=intent.expires_at,
        paid_at=intent.paid_at,
        pay_url=intent.start_url if intent.status == "pending" else "",
        instructions=instructions,
        receipt_lookup_code=receipt.lookup_code if receipt is not None else None,
    )


def _refund(refund: Refund) -> RefundOut:
    return RefundOut(
        id=refund.pk,
        reference=refund.intent.reference,
        amount_vnd=refund.amount_vnd,
        status=refund.status,
        provider_ref=refund.provider_ref,
        requested_at=refund.requested_at,
        done_at=refund.done_at,
    )


@router.get(
    "/dossiers/{code}",
    auth=SESSION_OR_TOKEN,
    response={200: list[PaymentOut], 401: ErrorOut, 404: ErrorOut},
    summary="Các giao dịch thanh toán của một hồ sơ",
)
def list_for_dossier(request: HttpRequest, code: str) -> list[PaymentOut]:
    user = request.auth  # type: ignore[attr-defined]
    dossier = dossier_for(user, code)
    return [_out(request, intent) for intent in selectors.intents_of(user, dossier)]


@router.post(
    "/dossiers/{code}",
    auth=SESSION_OR_TOKEN,
    response={
        201: PaymentOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Bắt đầu thanh toán khoản phí, lệ phí đang yêu cầu (người nộp)",
)
@token_scope(WRITE)
def start(request: HttpRequest, code: str, payload: StartIn) -> Status[PaymentOut]:
    user = request.auth  # type: ignore[attr-defined]
    dossier = dossier_for(user, code)
    return_url = payload.return_url or request.build_absolute_uri(
        f"/thanh-toan/{payload.provider}/tra-ve/"
    )
    intent, _start = services.payment_start(
        actor=user,
        dossier=dossier,
        provider_id=payload.provider,
        return_url=return_url,
        client_ip=str(request.META.get("REMOTE_ADDR", "")),
    )
    return Status(201, _out(request, intent))


@router.get(
    "/{reference}",
    auth=SESSION_OR_TOKEN,
    response={200: PaymentOut, 401: ErrorOut, 404: ErrorOut},
    summary="Một giao dịch thanh toán",
)
def detail(request: HttpRequest, reference: str) -> PaymentOut:
    return _out(request, selectors.intent_for(request.auth, reference))  # type: ignore[attr-defined]


@router.post(
    "/{reference}/refunds",
    auth=SESSION_OR_TOKEN,
    response={
        201: RefundOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Đề nghị hoàn tiền toàn bộ hoặc một phần (cán bộ tiếp nhận)",
)
@token_scope(WRITE)
def refund_request(request: HttpRequest, reference: str, payload: RefundIn) -> Status[RefundOut]:
    user = request.auth  # type: ignore[attr-defined]
    intent = selectors.intent_for(user, reference)
    refund = services.refund_request(
        actor=user, intent=intent, amount_vnd=payload.amount_vnd, reason=payload.reason
    )
    return Status(201, _refund(refund))


@router.post(
    "/{reference}/refunds/{refund_id}/done",
    auth=SESSION_OR_TOKEN,
    response={
        200: RefundOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Xác nhận đã hoàn tiền, kèm số chứng từ (cán bộ tiếp nhận)",
)
@token_scope(WRITE)
def refund_done(
    request: HttpRequest, reference: str, refund_id: int, payload: RefundDoneIn
) -> RefundOut:
    user = request.auth  # type: ignore[attr-defined]
    refund = selectors.refund_for(user, reference, refund_id)
    return _refund(
        services.refund_complete(actor=user, refund=refund, provider_ref=payload.provider_ref)
    )


@router.post(
    "/{reference}/refunds/{refund_id}/send",
    auth=SESSION_OR_TOKEN,
    response={
        200: RefundOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        502: ErrorOut,
    },
    summary="Hoàn tiền qua cổng thanh toán (VNPay refund; cán bộ tiếp nhận)",
)
@token_scope(WRITE)
def refund_send(request: HttpRequest, reference: str, refund_id: int) -> RefundOut:
    user = request.auth  # type: ignore[attr-defined]
    refund = selectors.refund_for(user, reference, refund_id)
    return _refund(services.refund_send(actor=user, refund=refund))
