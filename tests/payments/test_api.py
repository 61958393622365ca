"""The payments API (``/api/v1/payments``) with bearer tokens, against the simulator: the
applicant starts a payment and the gateway's IPN settles it; a second start is refused; the
desk refunds part of it; nobody else sees it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.tokens import bearer
from tests.payments.conftest import FEE, fee_requested, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/api/v1/payments"


def test_pay_and_refund_through_the_api(world, clock, gateway):
    dossier = fee_requested(world, clock)
    api = Client()
    citizen = bearer(world.citizen_user)
    started = api.post(
        f"{BASE}/dossiers/{dossier.code}",
        {"provider": "vnpay"},
        content_type="application/json",
        headers=citizen,
    )
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["status"] == "pending" and body["amount_vnd"] == FEE
    assert body["lines"] == [{"name": "Lệ phí đăng ký khai sinh", "amount_vnd": FEE}]
    assert body["pay_url"].startswith(gateway.url)
    reference = body["reference"]

    gateway.faults("duplicate")
    gateway.pay(body["pay_url"])
    assert wait_for(
        lambda: api.get(f"{BASE}/{reference}", headers=citizen).json()["status"] == "paid"
    )
    paid = api.get(f"{BASE}/{reference}", headers=citizen).json()
    assert paid["receipt_lookup_code"] and paid["pay_url"] == ""
    again = api.post(
        f"{BASE}/dossiers/{dossier.code}",
        {"provider": "vnpay"},
        content_type="application/json",
        headers=citizen,
    )
    assert again.status_code == 400 and again.json()["code"] == "nothing_to_pay"

    desk = bearer(world.reception_a)
    refused = api.post(
        f"{BASE}/{reference}/refunds",
        {"amount_vnd": 1000, "reason": "Thu thừa"},
        content_type="application/json",
        headers=citizen,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_payment_officer"
    asked = api.post(
        f"{BASE}/{reference}/refunds",
        {"amount_vnd": 1000, "reason": "Thu thừa"},
        content_type="application/json",
        headers=desk,
    )
    assert asked.status_code == 201, asked.content
    done = api.post(
        f"{BASE}/{reference}/refunds/{asked.json()['id']}/done",
        {"provider_ref": "UNC-7"},
        content_type="application/json",
        headers=desk,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    after = api.get(f"{BASE}/dossiers/{dossier.code}", headers=desk).json()
    assert [(p["status"], p["refunded_vnd"]) for p in after] == [("partially_refunded", 1000)]
    other = api.get(f"{BASE}/{reference}", headers=bearer(world.specialist_b))
    assert other.status_code == 404 and other.json()["code"] == "payment_not_found"
