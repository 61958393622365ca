"""Reads of payments on behalf of a person: the applicant sees their own, the dossier's
reception officers theirs."""

from __future__ import annotations

from django.db.models import QuerySet

from congso.core.errors import NotFound
from congso.core.types import Actor
from congso.dossiers.models import Dossier
from congso.dossiers.permissions import is_applicant, is_reception_officer
from congso.payments.models import PaymentIntent, Receipt, Refund


def intent_for(actor: Actor, reference: str) -> PaymentIntent:
    """An intent its applicant or the dossier's reception officer may see."""
    intent = PaymentIntent.objects.select_related("dossier").filter(reference=reference).first()
    if intent is None or not (
        is_applicant(actor, intent.dossier) or is_reception_officer(actor, intent.dossier)
    ):
        raise NotFound("payment_not_found", "Không tìm thấy giao dịch thanh toán.")
    return intent


def intents_of(actor: Actor, dossier: Dossier) -> QuerySet[PaymentIntent]:
    """The payments of a dossier its applicant or its reception officers may see."""
    if not (is_applicant(actor, dossier) or is_reception_officer(actor, dossier)):
        return PaymentIntent.objects.none()
    return PaymentIntent.objects.filter(dossier=dossier).order_by("-created_at", "-pk")


def receipt_by_lookup(code: str) -> Receipt:
    """The public verification page: a receipt by its look-up code (shows no identifier)."""
    receipt = (
        Receipt.objects.select_related("series", "intent")
        .filter(lookup_code=code.strip().upper())
        .first()
    )
    if receipt is None:
        raise NotFound("payment_not_found", "Không tìm thấy biên lai.")
    return receipt


def refund_for(actor: Actor, reference: str, refund_id: int) -> Refund:
    """A refund of an intent ``actor`` may see."""
    intent = intent_for(actor, reference)
    refund = Refund.objects.filter(pk=refund_id, intent=intent).select_related("intent").first()
    if refund is None:
        raise NotFound("payment_not_found", "Không tìm thấy đề nghị hoàn tiền.")
    return refund
