"""The error codes of ``payments`` — payment intents, callbacks, refunds, reconciliation and
receipts. Kept complete by tests/test_error_codes.py; see docs/payments.md."""

from __future__ import annotations

from enum import StrEnum


class PaymentErrorCode(StrEnum):
    ALREADY_PAID = "already_paid"
    FEE_UNPAID = "fee_unpaid"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_STATEMENT = "invalid_statement"
    NOT_APPLICANT = "not_applicant"
    NOT_PAYMENT_OFFICER = "not_payment_officer"
    NOT_REFUNDABLE = "not_refundable"
    NOTHING_TO_PAY = "nothing_to_pay"
    PAYMENT_NOT_FOUND = "payment_not_found"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    RECEIPT_CANCELLED = "receipt_cancelled"
    REFUND_NOT_PENDING = "refund_not_pending"
    REFUND_FAILED = "refund_failed"
    REFUND_OFFLINE = "refund_offline"
    MISMATCH_RESOLVED = "mismatch_resolved"
