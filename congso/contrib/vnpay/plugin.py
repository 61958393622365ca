"""The VNPay provider (``vnpay``)."""

from __future__ import annotations

import datetime
import json
import urllib.parse
from zoneinfo import ZoneInfo

from django.conf import settings

from congso.contrib.vnpay.signature import sign, verify
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

#: VNPay's times are local (GMT+7), ``yyyyMMddHHmmss``.
VN = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%Y%m%d%H%M%S"
#: The answer to an IPN, by the app's error key ("" when confirmed).
ANSWERS = {
    "": ("00", "Confirm Success"),
    "not_found": ("01", "Order not found"),
    "already": ("02", "Order already confirmed"),
    "amount": ("04", "invalid amount"),
    "checksum": ("97", "Invalid signature"),
}
#: ``vnp_ResponseCode`` 24: the customer cancelled the transaction at the gateway.
CUSTOMER_CANCELLED = "24"


def vnp_time(moment: datetime.datetime) -> str:
    return moment.astimezone(VN).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=VN)
    except ValueError:
        return None


@registry.register
class VNPay(PaymentProvider):
    id = "vnpay"
    label = "VNPay"

    def is_enabled(self) -> bool:
        return bool(
            settings.VNPAY_PAY_URL and settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET
        )

    def start(self, order: PaymentOrder) -> PaymentStart:
        now = datetime.datetime.now(tz=VN)
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": settings.VNPAY_TMN_CODE,
            "vnp_Amount": str(order.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.reference,
            "vnp_OrderInfo": order.description,
            "vnp_OrderType": "other",
            "vnp_Locale": order.locale,
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": order.client_ip or "127.0.0.1",
            "vnp_CreateDate": vnp_time(now),
        }
        if order.expires_at is not None:
            params["vnp_ExpireDate"] = vnp_time(order.expires_at)
        query = urllib.parse.urlencode(sorted(params.items()))
        signature = sign(params, settings.VNPAY_HASH_SECRET)
        return PaymentStart(url=f"{settings.VNPAY_PAY_URL}?{query}&vnp_SecureHash={signature}")

    def _outcome(self, params: dict[str, str]) -> PaymentOutcome:
        if not verify(params, settings.VNPAY_HASH_SECRET):
            raise PaymentVerificationError("chữ ký VNPay không đúng", "checksum")
        if params.get("vnp_TmnCode") != settings.VNPAY_TMN_CODE:
            raise PaymentVerificationError("mã website (vnp_TmnCode) không đúng", "other")
        try:
            minor = int(params.get("vnp_Amount", ""))
        except ValueError:
            raise PaymentVerificationError("số tiền không đọc được", "amount") from None
        if minor <= 0 or minor % 100:
            raise PaymentVerificationError("số tiền không hợp lệ", "amount")
        response = params.get("vnp_ResponseCode", "")
        transaction_status = params.get("vnp_TransactionStatus", "")
        if response == "00" and transaction_status == "00":
            status = PaymentStatus.PAID
        elif response == CUSTOMER_CANCELLED:
            status = PaymentStatus.CANCELLED
        else:
            status = PaymentStatus.FAILED
        paid = parse_time(params.get("vnp_PayDate", ""))
        if paid is None:
            raise PaymentVerificationError("thời điểm thanh toán không đọc được", "other")
        return PaymentOutcome(
            reference=params.get("vnp_TxnRef", ""),
            status=status,
            amount_vnd=minor // 100,
            provider_ref=params.get("vnp_TransactionNo", ""),
            paid_at=paid if status == PaymentStatus.PAID else None,
            detail=f"vnp_ResponseCode={response} vnp_TransactionStatus={transaction_status} "
            f"vnp_BankCode={params.get('vnp_BankCode', '')}",
            raw=params,
            sent_at=paid,
        )

    def verify_return(self, request: InboundRequest) -> PaymentOutcome:
        return self._outcome(dict(request.query))

    def verify_notification(self, request: InboundRequest) -> PaymentOutcome:
        # VNPay calls the IPN URL with GET and the parameters in the query string.
        return self._outcome(dict(request.query))

    def acknowledge(
        self, outcome: PaymentOutcome | None, error: str = ""
    ) -> tuple[int, str, bytes]:
        code, message = ANSWERS.get(error, ("99", "Unknow error"))
        body = json.dumps({"RspCode": code, "Message": message}).encode()
        return 200, "application/json", body
