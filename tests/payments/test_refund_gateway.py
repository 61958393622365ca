"""Refunds through the gateway's merchant API (VNPay ``refund``, 03 partial then 02-equivalent
rest) and the status query (``querydr``) for a payment whose IPN never came, against the
simulator, through /api/v1/payments (docs/payments.md "Refunds")."""

from __future__ import annotations

import pytest
from django.test import Client

from congso.audit.models import AuditEvent
from congso.payments import services
from congso.payments.models import IntentStatus, PaymentIntent, Refund
from tests.api.tokens import bearer
from tests.payments.conftest import FEE, fee_requested, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/api/v1/payments"


def _paid_through_api(world, clock, gateway, api, *faults):
    dossier = fee_requested(world, clock)
    citizen = bearer(world.citizen_user)
    started = api.post(
        f"{BASE}/dossiers/{dossier.code}",
        {"provider": "vnpay"},
        content_type="application/json",
        headers=citizen,
    ).json()
    if faults:
        gateway.faults(*faults)
    gateway.pay(started["pay_url"])
    return dossier, started["reference"]


def test_partial_then_full_refund_through_the_gateway(world, clock, gateway):
    api = Client()
    _dossier, reference = _paid_through_api(world, clock, gateway, api)
    assert wait_for(lambda: PaymentIntent.objects.get(reference=reference).status == "paid")
    desk = bearer(world.reception_a)

    def ask(amount):
        response = api.post(
            f"{BASE}/{reference}/refunds",
            {"amount_vnd": amount, "reason": "Thu thừa lệ phí"},
            content_type="application/json",
            headers=desk,
        )
        assert response.status_code == 201, response.content
        return response.json()["id"]

    first = ask(3000)
    citizen_try = api.post(
        f"{BASE}/{reference}/refunds/{first}/send", headers=bearer(world.citizen_user)
    )
    assert citizen_try.status_code == 403
    sent = api.post(f"{BASE}/{reference}/refunds/{first}/send", headers=desk)
    assert sent.status_code == 200, sent.content
    (made,) = gateway.state()["refunds"]
    assert (made["amount_vnd"], made["type"]) == (3000, "03")
    assert sent.json()["provider_ref"] == made["provider_ref"]
    intent = PaymentIntent.objects.get(reference=reference)
    assert (intent.status, intent.refunded_vnd) == (IntentStatus.PARTIALLY_REFUNDED, 3000)
    again = api.post(f"{BASE}/{reference}/refunds/{first}/send", headers=desk)
    assert again.status_code == 409 and again.json()["code"] == "refund_not_pending"

    second = ask(FEE - 3000)
    gateway.faults("refund_refused")
    refused = api.post(f"{BASE}/{reference}/refunds/{second}/send", headers=desk)
    assert refused.status_code == 502 and refused.json()["code"] == "refund_failed"
    assert "95" in refused.json()["message"]
    assert Refund.objects.get(pk=second).status == Refund.Status.REQUESTED
    assert AuditEvent.objects.filter(action="payments.refund_failed").count() == 1
    gateway.faults("forged")
    forged = api.post(f"{BASE}/{reference}/refunds/{second}/send", headers=desk)
    assert forged.status_code == 502  # an answer that does not verify is not believed
    # (the simulator did refund: the officer sees it on the gateway's side and records it)
    assert len(gateway.state()["refunds"]) == 2
    done = api.post(
        f"{BASE}/{reference}/refunds/{second}/done",
        {"provider_ref": gateway.state()["refunds"][1]["provider_ref"]},
        content_type="application/json",
        headers=desk,
    )
    assert done.status_code == 200
    intent.refresh_from_db()
    assert (intent.status, intent.refunded_vnd) == (IntentStatus.REFUNDED, FEE)


def test_querydr_settles_a_payment_whose_ipn_never_came(world, clock, gateway):
    api = Client()
    dossier, reference = _paid_through_api(world, clock, gateway, api, "no_ipn")
    intent = PaymentIntent.objects.get(reference=reference)
    assert intent.status == IntentStatus.PENDING
    result = services.payment_query(intent=intent)
    assert result is not None and result.verdict == "applied"
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID and intent.receipt.number == 1
    assert services.payment_query(intent=intent).verdict == "duplicate"
    dossier.refresh_from_db()
    assert dossier.status == "processing"
