"""Fees paid through the VNPay gateway simulator (its own process) over HTTP: the citizen starts
from the dossier, the gateway calls the live IPN address, and every fault the simulator injects
(duplicate, out-of-order, delayed, forged, wrong amount, replayed) changes the dossier at most
once; refunds; counter payments; the receipt and its verification page."""

from __future__ import annotations

import datetime
import html
import io
import json
import urllib.parse
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from congso.audit.models import AuditEvent
from congso.contrib.vnpay.signature import sign, signed_text
from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.dossiers.models import Dossier
from congso.dossiers.workflow import Status
from congso.payments import services
from congso.payments.models import Callback, IntentStatus, PaymentIntent, Receipt, Refund
from congso.payments.receipts import receipt_cancel, receipt_pdf
from tests.payments.conftest import FEE, fee_requested, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _citizen(world: Any) -> Client:
    client = Client()
    client.force_login(world.citizen_user)
    return client


def _start(world: Any, dossier: Dossier, provider: str = "vnpay") -> tuple[Client, str]:
    client = _citizen(world)
    page = client.get(reverse("payments:pay", args=[dossier.code]))
    assert page.status_code == 200
    assert "8.000 đồng" in page.content.decode()
    response = client.post(reverse("payments:pay", args=[dossier.code]), {"provider": provider})
    assert response.status_code == 302, response.content.decode()[:500]
    intent = _intent(dossier)
    assert response["Location"] == reverse("payments:status", args=[intent.reference])
    page = client.get(response["Location"]).content.decode()
    assert "data-gateway" in page and html.escape(intent.start_url) in page
    return client, intent.start_url


def _intent(dossier: Dossier) -> PaymentIntent:
    return PaymentIntent.objects.get(dossier=dossier, status__in=["pending", "paid"])


def _paid(dossier: Dossier) -> bool:
    return PaymentIntent.objects.filter(dossier=dossier, status=IntentStatus.PAID).exists()


def _answers(gateway: Any, reference: str) -> list[str]:
    assert gateway.quiesce()
    return [
        json.loads(ipn["answer"])["RspCode"]
        for ipn in gateway.state()["ipns"]
        if ipn["txn_ref"] == reference
    ]


def test_the_signature_is_vnpays_rule() -> None:
    params = {"vnp_TxnRef": "ABC 1", "vnp_Amount": "800000", "vnp_SecureHash": "x", "a": "b"}
    assert signed_text(params) == "vnp_Amount=800000&vnp_TxnRef=ABC+1"
    assert len(sign(params, "k")) == 128  # SHA-512, hex


def test_paid_through_the_gateway_with_duplicate_and_out_of_order_callbacks(world, clock, gateway):
    dossier = fee_requested(world, clock)
    client, url = _start(world, dossier)
    assert url.startswith(gateway.url + "/paymentv2/vpcpay.html?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    intent = _intent(dossier)
    assert query["vnp_TxnRef"] == intent.reference and query["vnp_Amount"] == str(FEE * 100)
    assert intent.status == IntentStatus.PENDING and intent.idempotency_key.startswith(dossier.code)

    gateway.faults("duplicate", "out_of_order", "delay")
    result = gateway.pay(url)
    # The browser comes back (before the delayed IPN): shown its payment, nothing settled.
    path = urllib.parse.urlsplit(result["return_url"])
    returned = client.get(path.path + "?" + path.query)
    assert returned.status_code == 302
    assert returned["Location"] == reverse("payments:status", args=[intent.reference])

    assert wait_for(lambda: _paid(dossier))
    assert _answers(gateway, intent.reference) == ["00", "02", "02"]
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID and intent.provider_ref == result["transaction_no"]
    verdicts = sorted(Callback.objects.filter(intent=intent).values_list("verdict", flat=True))
    assert verdicts == ["applied", "duplicate", "duplicate"]
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.history.filter(action="confirm_payment").count() == 1
    assert AuditEvent.objects.filter(action="payments.paid").count() == 1

    receipt = Receipt.objects.get(intent=intent)
    assert receipt.number == 1 and receipt.amount_vnd == FEE
    assert receipt.amount_words == "Tám nghìn đồng"
    assert receipt.series.series.endswith("E") and receipt.dossier_code == dossier.code
    status_page = client.get(reverse("payments:status", args=[intent.reference])).content.decode()
    assert receipt.lookup_code in status_page and 'data-payment-status="paid"' in status_page
    verify = Client().get(reverse("payments:verify", args=[receipt.lookup_code])).content.decode()
    assert "Hợp lệ" in verify and dossier.code in verify and receipt.payer_id not in verify
    pdf = client.get(reverse("payments:receipt", args=[intent.reference]))
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text and "Tám nghìn đồng" in text
    # Paying again is refused: one payment per fee request.
    with pytest.raises(DomainError):
        services.payment_start(
            actor=world.citizen_user, dossier=dossier, provider_id="vnpay", return_url="http://x/"
        )


def test_a_failure_told_before_the_success_still_ends_paid(world, clock, gateway):
    dossier = fee_requested(world, clock)
    _client, url = _start(world, dossier)
    reference = _intent(dossier).reference
    gateway.faults("failure_first")
    gateway.pay(url)
    assert wait_for(lambda: _paid(dossier))
    assert _answers(gateway, reference) == ["00", "00"]  # failed, then paid: both applied
    assert Receipt.objects.filter(intent__dossier=dossier).count() == 1


@pytest.mark.parametrize(
    ("fault", "code", "verdict"),
    [("forged", "97", "checksum"), ("wrong_amount", "04", "amount"), ("stale", "99", "replay")],
)
def test_a_forged_a_wrong_amount_or_a_replayed_callback_changes_nothing(
    world, clock, gateway, fault, code, verdict
):
    dossier = fee_requested(world, clock)
    _client, url = _start(world, dossier)
    intent = _intent(dossier)
    gateway.faults(fault)
    gateway.pay(url)
    assert _answers(gateway, intent.reference) == [code]
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PENDING and intent.paid_at is None
    dossier.refresh_from_db()
    assert dossier.status == Status.PAYMENT_REQUESTED
    (callback,) = Callback.objects.filter(provider="vnpay")
    assert callback.verdict == verdict and callback.params["vnp_TxnRef"] == intent.reference
    assert AuditEvent.objects.filter(action="payments.callback_refused").count() == 1
    assert not Receipt.objects.exists()


def test_an_order_we_do_not_know_is_answered_01(world, clock, gateway, settings, live_server):
    params = {
        "vnp_TmnCode": settings.VNPAY_TMN_CODE,
        "vnp_Amount": "800000",
        "vnp_TxnRef": "NOSUCHORDER",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": "1",
        "vnp_PayDate": clock.now.strftime("%Y%m%d%H%M%S"),
    }
    params["vnp_SecureHash"] = sign(params, settings.VNPAY_HASH_SECRET)
    answer = Client().get(reverse("payments:notify", args=["vnpay"]), params)
    assert answer.json() == {"RspCode": "01", "Message": "Order not found"}


def test_cancelled_at_the_gateway_then_paid_on_a_new_attempt(world, clock, gateway):
    dossier = fee_requested(world, clock)
    _client, url = _start(world, dossier)
    first = _intent(dossier)
    gateway.pay(url, action="cancel")
    assert wait_for(lambda: PaymentIntent.objects.get(pk=first.pk).status == IntentStatus.CANCELLED)
    _client, url = _start(world, dossier)
    second = _intent(dossier)
    assert second.reference != first.reference and second.idempotency_key == first.idempotency_key
    gateway.pay(url)
    assert wait_for(lambda: _paid(dossier))


def test_starting_twice_reuses_the_pending_payment(world, clock, gateway):
    dossier = fee_requested(world, clock)
    first, _ = services.payment_start(
        actor=world.citizen_user, dossier=dossier, provider_id="vnpay", return_url="http://x/"
    )
    again, _ = services.payment_start(
        actor=world.citizen_user, dossier=dossier, provider_id="vnpay", return_url="http://x/"
    )
    assert again.pk == first.pk
    other, _ = services.payment_start(
        actor=world.citizen_user, dossier=dossier, provider_id="vietqr", return_url="http://x/"
    )
    first.refresh_from_db()
    assert first.status == IntentStatus.CANCELLED and other.status == IntentStatus.PENDING
    with pytest.raises(PermissionDenied):
        services.payment_start(
            actor=world.reception_a, dossier=dossier, provider_id="vnpay", return_url="http://x/"
        )


def test_refund_partial_then_full(world, clock, gateway):
    dossier = fee_requested(world, clock)
    _client, url = _start(world, dossier)
    gateway.pay(url)
    assert wait_for(lambda: _paid(dossier))
    intent = _intent(dossier)
    with pytest.raises(PermissionDenied):
        services.refund_request(actor=world.specialist_b, intent=intent, amount_vnd=1, reason="x")
    with pytest.raises(DomainError):
        services.refund_request(
            actor=world.reception_a, intent=intent, amount_vnd=FEE + 1, reason="Thu thừa"
        )
    refund = services.refund_request(
        actor=world.reception_a, intent=intent, amount_vnd=3000, reason="Thu thừa"
    )
    with pytest.raises(Conflict):
        services.refund_request(
            actor=world.reception_a, intent=intent, amount_vnd=1000, reason="Lần nữa"
        )
    services.refund_complete(actor=world.reception_a, refund=refund, provider_ref="UNC-001")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PARTIALLY_REFUNDED and intent.refunded_vnd == 3000
    with pytest.raises(Conflict):
        services.refund_complete(actor=world.reception_a, refund=refund, provider_ref="UNC-001")
    rest = services.refund_request(
        actor=world.reception_a, intent=intent, amount_vnd=5000, reason="Hủy hồ sơ"
    )
    services.refund_complete(actor=world.reception_a, refund=rest, provider_ref="UNC-002")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.REFUNDED and intent.refunded_vnd == FEE
    assert list(Refund.objects.filter(intent=intent).values_list("status", flat=True)) == [
        "done",
        "done",
    ]
    assert AuditEvent.objects.filter(action="payments.refunded").count() == 2
    receipt = receipt_cancel(actor=world.reception_a, receipt=intent.receipt, reason="Hoàn tiền")
    assert receipt.cancelled_at is not None and receipt.number == 1  # keeps its number
    assert "ĐÃ HỦY" in PdfReader(io.BytesIO(receipt_pdf(receipt))).pages[0].extract_text()


def test_counter_payment_gets_the_next_receipt_number(world, clock, gateway):
    first = fee_requested(world, clock)
    services.payment_record_counter(actor=world.reception_a, dossier=first, method="cash")
    second = fee_requested(world, clock)
    intent = services.payment_record_counter(actor=world.reception_a, dossier=second, method="card")
    assert intent.receipt.number == 2 and "Thẻ" in intent.receipt.method
    assert Dossier.objects.get(pk=second.pk).status == Status.PROCESSING
    with pytest.raises(DomainError):
        services.payment_record_counter(actor=world.reception_a, dossier=second, method="cash")


def test_a_stale_pending_payment_expires_and_frees_its_request(world, clock, gateway, settings):
    dossier = fee_requested(world, clock)
    first, _ = services.payment_start(
        actor=world.citizen_user, dossier=dossier, provider_id="vnpay", return_url="http://x/"
    )
    assert services.payment_expire() == 0
    clock.set(clock.now + datetime.timedelta(minutes=settings.PAYMENTS_INTENT_MINUTES))
    assert services.payment_expire() == 1
    first.refresh_from_db()
    assert first.status == IntentStatus.EXPIRED
    again, _ = services.payment_start(
        actor=world.citizen_user, dossier=dossier, provider_id="vnpay", return_url="http://x/"
    )
    assert again.pk != first.pk and again.idempotency_key == first.idempotency_key


def test_the_desk_records_a_counter_payment_and_a_refund_on_its_page(world, clock, settings):
    settings.OFFICER_2FA_REQUIRED = False
    dossier = fee_requested(world, clock)
    desk = Client()
    desk.force_login(world.reception_a)
    assert "data-fees" in desk.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    url = reverse("payments:officer", args=[dossier.code])
    assert "8.000 đồng" in desk.get(url).content.decode()
    assert desk.post(url, {"action": "counter", "method": "cash"}).status_code == 302
    intent = PaymentIntent.objects.get(dossier=dossier, status=IntentStatus.PAID)
    assert intent.provider == "counter" and intent.receipt.number == 1
    bad = desk.post(url, {"action": "refund", "reference": intent.reference, "amount_vnd": "x"})
    assert bad.status_code == 400
    asked = {
        "action": "refund",
        "reference": intent.reference,
        "amount_vnd": "8000",
        "reason": "Miễn",
    }
    assert desk.post(url, asked).status_code == 302
    refund = Refund.objects.get(intent=intent)
    done = {
        "action": "refund_done",
        "reference": intent.reference,
        "refund": refund.pk,
        "provider_ref": "PC-01",
    }
    assert desk.post(url, done).status_code == 302
    intent.refresh_from_db()
    assert intent.status == IntentStatus.REFUNDED
    other = Client()
    other.force_login(world.specialist_b)
    assert other.post(url, {"action": "counter", "method": "cash"}).status_code == 404
