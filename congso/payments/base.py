"""What a payment gateway plugin implements (VNPay, the national payment platform of the
Cổng Dịch vụ công quốc gia, a bank's gateway…).

The shape follows Open Forms' ``payments/base.py`` (start a payment, handle the return, handle
the server-to-server notification) with the verification made explicit and typed: a provider
never writes to the database; it turns our order into the gateway's request and the gateway's
answers into a verified :class:`PaymentOutcome`. The payments app owns the intent rows,
idempotency, the amount and state checks, the audit and the call into the dossier services
(docs/payments.md).
"""

from __future__ import annotations

import enum
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from congso.core.inbound import InboundRequest
from congso.core.registry import Plugin

#: A dossier code (``000.00.12.H51-260105-0001``) inside a transfer note or a statement line;
#: banks keep letters, digits, dots and hyphens of a note (and may add words around it).
DOSSIER_CODE = re.compile(r"[0-9A-Z][0-9A-Z.]*-\d{6}-\d{4}")


def dossier_code_in(note: str) -> str:
    found = DOSSIER_CODE.search(note.upper())
    return found.group(0) if found else ""


def person(actor: Any) -> Any:
    """The user to keep on a row for ``actor`` (None for the system or an anonymous visitor)."""
    return actor if getattr(actor, "is_authenticated", False) else None


@dataclass(frozen=True)
class PaymentOrder:
    """One amount to collect for one dossier, as the gateway is asked for it."""

    #: Our order reference: unique, sent to the gateway as its transaction reference, so a
    #: repeated notification or a retried start is recognised.
    reference: str
    dossier_code: str
    amount_vnd: int
    #: The order description the citizen sees at the gateway (gateways often want it ASCII).
    description: str
    #: Where the gateway sends the citizen back, and where it notifies us server to server.
    return_url: str
    notify_url: str
    locale: str = "vn"
    expires_at: datetime | None = None
    client_ip: str = ""


@dataclass(frozen=True)
class PaymentStart:
    """How the citizen's browser goes to the gateway: a redirect, or a form posted to it."""

    url: str
    method: str = "GET"
    fields: Mapping[str, str] = field(default_factory=dict)


class PaymentStatus(enum.StrEnum):
    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class PaymentOutcome:
    """What a verified gateway answer says about one order."""

    reference: str
    status: PaymentStatus
    amount_vnd: int
    #: The gateway's own transaction number (kept for reconciliation and complaints).
    provider_ref: str = ""
    paid_at: datetime | None = None
    #: The gateway's code and message, as received (shown to officers, kept in the audit).
    detail: str = ""
    raw: Mapping[str, str] = field(default_factory=dict)
    currency: str = "VND"
    #: When the gateway says it sent or made the payment (the replay window is checked on it).
    sent_at: datetime | None = None
    #: A bank transfer carries no order reference, only the purpose written in the QR code:
    #: the dossier code. The app finds the intent by it when ``reference`` is empty.
    dossier_code: str = ""


@dataclass(frozen=True)
class RefundOrder:
    """Give back ``amount_vnd`` of the paid order ``reference`` (the gateway's ``provider_ref``)."""

    reference: str
    provider_ref: str
    amount_vnd: int
    #: The whole amount paid (a refund of all of it is "full" for gateways that distinguish).
    paid_vnd: int
    paid_at: datetime
    description: str
    requested_by: str
    client_ip: str = "127.0.0.1"


@dataclass(frozen=True)
class RefundResult:
    """The gateway's verified answer to a refund: accepted (with its transaction number) or
    refused (``code`` and ``message`` as received)."""

    accepted: bool
    provider_ref: str = ""
    code: str = ""
    message: str = ""


class PaymentVerificationError(Exception):
    """A return or notification that does not verify (bad signature, unknown merchant, amount
    that does not match): refused, never applied. ``code`` is one of ``checksum``, ``amount``,
    ``other`` (what :meth:`PaymentProvider.acknowledge` maps to the gateway's answer)."""

    def __init__(self, message: str, code: str = "checksum") -> None:
        super().__init__(message)
        self.code = code


class PaymentProvider(Plugin, ABC):
    """A payment gateway. Subclass in ``congso/contrib/<vendor>/plugin.py`` and register with
    ``@congso.payments.registry.registry.register``; credentials come from ``config.env()``
    settings read in :meth:`is_enabled` and the methods."""

    @abstractmethod
    def start(self, order: PaymentOrder) -> PaymentStart:
        """The request that sends the citizen to the gateway for ``order``."""

    @abstractmethod
    def verify_return(self, request: InboundRequest) -> PaymentOutcome:
        """The citizen came back from the gateway: verify the signed parameters. Informative
        only — the order is settled by the notification or :meth:`query` (a browser can lie
        or never come back)."""

    @abstractmethod
    def verify_notification(self, request: InboundRequest) -> PaymentOutcome:
        """The gateway's server-to-server notification (IPN): verify it; raises
        :class:`PaymentVerificationError` when it does not verify."""

    def acknowledge(
        self, outcome: PaymentOutcome | None, error: str = ""
    ) -> tuple[int, str, bytes]:
        """The HTTP answer the gateway expects to a notification: (status, content type, body).
        ``outcome`` is None when it did not verify (``error`` says why)."""
        return (200 if outcome is not None else 400, "text/plain; charset=utf-8", b"")

    def instructions(self, order: PaymentOrder) -> Mapping[str, str]:
        """What congso's own payment page shows for ``order`` (a provider with no gateway page:
        ``qr_payload``, ``bank_bin``, ``account``, ``account_name``, ``purpose``); default none."""
        return {}

    #: Whether a line of this provider's statement may settle a pending intent (a bank
    #: transfer has no other confirmation); otherwise a statement line only reconciles.
    settles_from_statement: bool = False

    def query(self, reference: str, created_at: datetime) -> PaymentOutcome | None:
        """Ask the gateway for the order's status (a pending order whose notification never
        came); None when the gateway has no such query. Raises
        :class:`PaymentVerificationError` when the answer does not verify."""
        return None

    #: Whether :meth:`refund` gives money back through the gateway (else an officer records
    #: the bank's refund document by hand).
    refunds_online: bool = False

    def refund(self, order: RefundOrder) -> RefundResult:
        """Ask the gateway to refund ``order``. Called only when :attr:`refunds_online` (the
        refund service checks it first); a provider that sets it overrides this."""
        raise NotImplementedError(f"{type(self).__name__} does not refund through its gateway")
