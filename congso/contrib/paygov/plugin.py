"""The national payment platform provider (``paygov``), on the protocol assumed in
docs/payments.md: the order is created server to server (signed JSON), the citizen pays on the
platform's page, the platform notifies congso with a signed JSON POST and sends the browser back
with a signed query string. Every signature is HMAC-SHA256 with the partner secret, checked in
constant time; the notification's own timestamp is checked against the callback window by the
payments app."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.urls import reverse

from congso.core.inbound import InboundRequest
from congso.payments.base import (
    PaymentOrder,
    PaymentOutcome,
    PaymentProvider,
    PaymentStart,
    PaymentStatus,
    PaymentVerificationError,
)
from congso.payments.registry import registry

TIMEOUT = 15
STATUSES = {
    "PAID": PaymentStatus.PAID,
    "FAILED": PaymentStatus.FAILED,
    "CANCELLED": PaymentStatus.CANCELLED,
    "PENDING": PaymentStatus.PENDING,
}
#: The answer to a notification, by the app's error key ("" when accepted).
ANSWERS = {
    "": ("00", "Thành công"),
    "not_found": ("01", "Không tìm thấy đơn hàng"),
    "already": ("02", "Đơn hàng đã được xác nhận"),
    "amount": ("04", "Số tiền không đúng"),
    "checksum": ("97", "Sai chữ ký"),
}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _check(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.lower().encode(), expected.encode())


@registry.register
class PayGov(PaymentProvider):
    id = "paygov"
    label = "Nền tảng thanh toán Cổng Dịch vụ công quốc gia"

    def is_enabled(self) -> bool:
        return bool(settings.PAYGOV_URL and settings.PAYGOV_PARTNER_CODE and settings.PAYGOV_SECRET)

    def _notify_url(self, order: PaymentOrder) -> str:
        if order.notify_url:
            return order.notify_url
        if settings.PAYGOV_NOTIFY_URL:
            return str(settings.PAYGOV_NOTIFY_URL)
        parts = urllib.parse.urlsplit(order.return_url)
        return f"{parts.scheme}://{parts.netloc}{reverse('payments:notify', args=[self.id])}"

    def start(self, order: PaymentOrder) -> PaymentStart:
        payload = {
            "partner_code": settings.PAYGOV_PARTNER_CODE,
            "order_id": order.reference,
            "amount": order.amount_vnd,
            "currency": "VND",
            "description": order.description,
            "dossier_code": order.dossier_code,
            "return_url": order.return_url,
            "notify_url": self._notify_url(order),
            "expires_at": order.expires_at.isoformat() if order.expires_at else None,
        }
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the configured platform URL
            settings.PAYGOV_URL.rstrip("/") + "/api/v1/payment-orders",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Partner-Code": settings.PAYGOV_PARTNER_CODE,
                "X-Timestamp": stamp,
                "X-Signature": sign(settings.PAYGOV_SECRET, stamp, body),
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            raw = response.read()
            headers = {k.lower(): v for k, v in response.headers.items()}
        expected = sign(settings.PAYGOV_SECRET, headers.get("x-timestamp", ""), raw)
        if not _check(headers.get("x-signature", ""), expected):
            raise PaymentVerificationError("chữ ký trả lời của nền tảng không đúng", "checksum")
        answer: dict[str, Any] = json.loads(raw)
        if answer.get("order_id") != order.reference or not answer.get("payment_url"):
            raise PaymentVerificationError("trả lời của nền tảng không đúng đơn hàng", "other")
        return PaymentStart(url=str(answer["payment_url"]))

    def verify_return(self, request: InboundRequest) -> PaymentOutcome:
        query = request.query
        text = f"{query.get('order_id', '')}|{query.get('status', '')}|{query.get('ts', '')}"
        expected = hmac.new(
            settings.PAYGOV_SECRET.encode(), text.encode(), hashlib.sha256
        ).hexdigest()
        if not _check(query.get("signature", ""), expected):
            raise PaymentVerificationError("chữ ký của nền tảng không đúng", "checksum")
        return PaymentOutcome(
            reference=query.get("order_id", ""),
            status=STATUSES.get(query.get("status", ""), PaymentStatus.FAILED),
            amount_vnd=0,
        )

    def verify_notification(self, request: InboundRequest) -> PaymentOutcome:
        stamp = request.headers.get("x-timestamp", "")
        expected = sign(settings.PAYGOV_SECRET, stamp, request.body)
        if not _check(request.headers.get("x-signature", ""), expected):
            raise PaymentVerificationError("chữ ký của nền tảng không đúng", "checksum")
        try:
            data = json.loads(request.body)
            amount = int(data["amount"])
            sent = datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)
        except (ValueError, KeyError, TypeError):
            raise PaymentVerificationError("thông báo không đọc được", "other") from None
        if data.get("partner_code") != settings.PAYGOV_PARTNER_CODE:
            raise PaymentVerificationError("mã đối tác không đúng", "other")
        if amount <= 0:
            raise PaymentVerificationError("số tiền không hợp lệ", "amount")
        status = STATUSES.get(str(data.get("status")), PaymentStatus.FAILED)
        try:
            paid_at = datetime.datetime.fromisoformat(str(data.get("paid_at")))
        except ValueError:
            paid_at = None
        return PaymentOutcome(
            reference=str(data.get("order_id", "")),
            status=status,
            amount_vnd=amount,
            currency=str(data.get("currency", "")),
            provider_ref=str(data.get("transaction_id", "")),
            paid_at=paid_at if status == PaymentStatus.PAID else None,
            detail=f"status={data.get('status')} payment_id={data.get('payment_id', '')}",
            raw={k: str(v) for k, v in data.items()},
            sent_at=sent,
        )

    def acknowledge(
        self, outcome: PaymentOutcome | None, error: str = ""
    ) -> tuple[int, str, bytes]:
        code, message = ANSWERS.get(error, ("99", "Lỗi khác"))
        body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
        return 200, "application/json", body
