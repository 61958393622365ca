"""The VietQR provider (``vietqr``): the QR code is shown on congso's own payment page (the
citizen scans it in their bank's app); the bank's credit notification (a webhook, when the bank
offers one) or the next statement settles the payment."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json

from django.conf import settings

from congso.contrib.vietqr import emvco
from congso.core.inbound import InboundRequest
from congso.payments.base import (
    PaymentOrder,
    PaymentOutcome,
    PaymentProvider,
    PaymentStart,
    PaymentStatus,
    PaymentVerificationError,
    dossier_code_in,
)
from congso.payments.registry import registry


def qr_payload(order: PaymentOrder) -> str:
    return emvco.payload(
        bank_bin=settings.VIETQR_BANK_BIN,
        account=settings.VIETQR_ACCOUNT,
        amount_vnd=order.amount_vnd,
        purpose=order.dossier_code,
        merchant_name=settings.VIETQR_ACCOUNT_NAME,
    )


@registry.register
class VietQR(PaymentProvider):
    id = "vietqr"
    label = "VietQR (chuyển khoản ngân hàng)"
    settles_from_statement = True

    def is_enabled(self) -> bool:
        return bool(settings.VIETQR_BANK_BIN and settings.VIETQR_ACCOUNT)

    def start(self, order: PaymentOrder) -> PaymentStart:
        # No gateway: the citizen stays on congso's payment page, which shows the QR code.
        return PaymentStart(url=order.return_url)

    def instructions(self, order: PaymentOrder) -> dict[str, str]:
        return {
            "qr_payload": qr_payload(order),
            "bank_bin": settings.VIETQR_BANK_BIN,
            "account": settings.VIETQR_ACCOUNT,
            "account_name": settings.VIETQR_ACCOUNT_NAME,
            "purpose": emvco.purpose_text(order.dossier_code),
        }

    def verify_return(self, request: InboundRequest) -> PaymentOutcome:
        raise PaymentVerificationError("VietQR không có trang quay lại", "other")

    def verify_notification(self, request: InboundRequest) -> PaymentOutcome:
        """The bank's credit notification: JSON ``{"transaction_id", "account", "amount",
        "description", "time"}`` with ``X-Signature: <hex HMAC-SHA256 of the raw body>``."""
        secret = settings.VIETQR_WEBHOOK_SECRET
        given = request.headers.get("x-signature", "").lower()
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not secret or not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise PaymentVerificationError("chữ ký của ngân hàng không đúng", "checksum")
        try:
            data = json.loads(request.body)
            amount = int(data["amount"])
            sent = datetime.datetime.fromisoformat(str(data["time"]))
            note = str(data.get("description", ""))
            transaction_id = str(data["transaction_id"])
            account = str(data.get("account", ""))
        except (ValueError, KeyError, TypeError):
            raise PaymentVerificationError("thông báo không đọc được", "other") from None
        if account != settings.VIETQR_ACCOUNT:
            raise PaymentVerificationError("không phải tài khoản thu", "other")
        if sent.tzinfo is None:
            raise PaymentVerificationError("thời điểm thiếu múi giờ", "other")
        return PaymentOutcome(
            reference="",
            dossier_code=dossier_code_in(note),
            status=PaymentStatus.PAID,
            amount_vnd=amount,
            provider_ref=transaction_id[:64],
            paid_at=sent,
            sent_at=sent,
            detail=note[:200],
        )

    def acknowledge(
        self, outcome: PaymentOutcome | None, error: str = ""
    ) -> tuple[int, str, bytes]:
        ok = not error or error == "already"
        body = json.dumps({"success": ok, "error": error}).encode()
        return (200 if ok else 400), "application/json", body
