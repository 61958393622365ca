"""The VNPay provider (``vnpay``)."""

from __future__ import annotations

import datetime
import hmac
import json
import secrets
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

from django.conf import settings

from congso.contrib.vnpay.signature import pipe_sign, sign, verify
from congso.core.inbound import InboundRequest
from congso.payments.base import (
    PaymentOrder,
    PaymentOutcome,
    PaymentProvider,
    PaymentStart,
    PaymentStatus,
    PaymentVerificationError,
    RefundOrder,
    RefundResult,
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
#: The merchant API's fields signed (joined by "|"), request and answer, per command.
QUERY_FIELDS = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
REFUND_FIELDS = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
ANSWER_FIELDS = [
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
]
API_TIMEOUT = 15
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

    # --- The merchant API (querydr, refund) ---------------------------------------------------

    @property
    def refunds_online(self) -> bool:  # type: ignore[override]
        return self.is_enabled() and bool(settings.VNPAY_API_URL)

    def _call(self, request: dict[str, str], fields: list[str]) -> dict[str, str]:
        request["vnp_SecureHash"] = pipe_sign(request, fields, settings.VNPAY_HASH_SECRET)
        http = urllib.request.Request(  # noqa: S310 - the configured merchant API URL
            settings.VNPAY_API_URL,
            data=json.dumps(request).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(http, timeout=API_TIMEOUT) as response:  # noqa: S310 - as above
            answer = {str(k): str(v) for k, v in json.loads(response.read()).items()}
        if answer.get("vnp_ResponseCode") == "97" and "vnp_SecureHash" not in answer:
            return answer  # the gateway refused our signature: its answer is unsigned
        given = answer.get("vnp_SecureHash", "")
        expected = pipe_sign(answer, ANSWER_FIELDS, settings.VNPAY_HASH_SECRET)
        if not given or not hmac.compare_digest(given.lower(), expected):
            raise PaymentVerificationError("chữ ký trả lời của VNPay không đúng", "checksum")
        if answer.get("vnp_TmnCode") != settings.VNPAY_TMN_CODE:
            raise PaymentVerificationError("mã website (vnp_TmnCode) không đúng", "other")
        return answer

    def _base(self, command: str, reference: str, when: datetime.datetime, ip: str) -> dict:
        return {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": "2.1.0",
            "vnp_Command": command,
            "vnp_TmnCode": settings.VNPAY_TMN_CODE,
            "vnp_TxnRef": reference,
            "vnp_TransactionDate": vnp_time(when),
            "vnp_CreateDate": vnp_time(datetime.datetime.now(tz=VN)),
            "vnp_IpAddr": ip or "127.0.0.1",
        }

    def query(self, reference: str, created_at: datetime.datetime) -> PaymentOutcome | None:
        if not self.refunds_online:
            return None
        request = self._base("querydr", reference, created_at, "127.0.0.1")
        request["vnp_OrderInfo"] = f"Truy van giao dich {reference}"
        answer = self._call(request, QUERY_FIELDS)
        if answer.get("vnp_ResponseCode") != "00":
            return None
        status = answer.get("vnp_TransactionStatus", "")
        minor = int(answer.get("vnp_Amount") or 0)
        paid = parse_time(answer.get("vnp_PayDate", ""))
        return PaymentOutcome(
            reference=answer.get("vnp_TxnRef", ""),
            status=PaymentStatus.PAID
            if status == "00"
            else (PaymentStatus.PENDING if status == "01" else PaymentStatus.FAILED),
            amount_vnd=minor // 100,
            provider_ref=answer.get("vnp_TransactionNo", ""),
            paid_at=paid if status == "00" else None,
            detail=f"querydr vnp_TransactionStatus={status}",
            raw=answer,
        )

    def refund(self, order: RefundOrder) -> RefundResult:
        request = self._base("refund", order.reference, order.paid_at, order.client_ip)
        request |= {
            "vnp_TransactionType": "02" if order.amount_vnd == order.paid_vnd else "03",
            "vnp_Amount": str(order.amount_vnd * 100),
            "vnp_TransactionNo": order.provider_ref,
            "vnp_CreateBy": order.requested_by[:250] or "congso",
            "vnp_OrderInfo": order.description[:255],
        }
        answer = self._call(request, REFUND_FIELDS)
        code = answer.get("vnp_ResponseCode", "")
        if code == "00" and answer.get("vnp_Amount") != request["vnp_Amount"]:
            raise PaymentVerificationError("số tiền hoàn VNPay trả lời không khớp", "amount")
        return RefundResult(
            accepted=code == "00",
            provider_ref=answer.get("vnp_TransactionNo", "") if code == "00" else "",
            code=code,
            message=answer.get("vnp_Message", ""),
        )
