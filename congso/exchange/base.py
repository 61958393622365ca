"""What an exchange back-end plugin implements: carry one :class:`Envelope` to another system
and say what happened (:class:`Receipt`); turn what another system pushes to us into envelopes.

Modelled on the notify providers (one send per outbox row, ``ExchangeError(permanent=…)`` decides
retry or dead letter) and on X-Road's message discipline: every envelope has a unique id the
receiver can deduplicate on. A back-end never writes to the database; the exchange app (issue
18) owns the outbox, retries, audit and the mapping of dossier events to envelopes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from congso.core.inbound import InboundRequest
from congso.core.registry import Plugin


@dataclass(frozen=True)
class Envelope:
    """One message to or from another system."""

    #: Unique and stable across retries (the receiver's idempotency key).
    message_id: str
    #: What it is, e.g. ``dvcqg.dossier_sync``, ``dvcqg.progress``, ``edxml.document``.
    kind: str
    #: The other side: an organ id (mã định danh), a service code, a subsystem.
    party: str
    payload: Mapping[str, Any] | bytes
    content_type: str = "application/json"
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (name, content type, data)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Receipt:
    message_id: str
    accepted: bool
    #: The other system's reference for the message, when it gives one.
    remote_ref: str = ""
    detail: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


class ExchangeError(Exception):
    """The other side did not take the envelope; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class ExchangeBackend(Plugin, ABC):
    """A way to reach other systems. Subclass in ``congso/contrib/<vendor>/plugin.py`` and
    register with ``@congso.exchange.registry.registry.register``."""

    #: The envelope kinds this back-end carries.
    kinds: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def send(self, envelope: Envelope) -> Receipt:
        """Deliver one envelope; raise :class:`ExchangeError` when it was not taken."""

    def receive(self, request: InboundRequest) -> list[Envelope]:
        """Envelopes another system pushed to us (verify the caller first); a back-end that
        only sends leaves this unsupported."""
        raise NotImplementedError(f"{self.id} does not receive")

    def poll(self, since: datetime | None) -> list[Envelope]:
        """Envelopes waiting for us at the other side (pull-style buses); none by default."""
        return []

    def acknowledge(self, envelope: Envelope) -> None:
        """Tell a pull-style bus that an envelope :meth:`poll` gave is stored here, so it is
        not offered again; nothing by default."""

    def status(self, message_id: str) -> Receipt | None:
        """What the other side knows about an envelope we sent (reconciliation); None when it
        cannot be asked."""
        return None
