"""The ``docaxis`` exchange back-end: edXML packages to and from the national document axis."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from django.conf import settings

from congso.contrib.docaxis import client
from congso.exchange.base import Envelope, ExchangeBackend, ExchangeError, Receipt
from congso.exchange.registry import registry

log = logging.getLogger(__name__)

MESSAGE_TYPES = {"edxml.edoc": "edoc", "edxml.status": "status"}
KINDS = {value: key for key, value in MESSAGE_TYPES.items()}


@registry.register
class DocAxis(ExchangeBackend):
    id = "docaxis"
    label = "Trục liên thông văn bản quốc gia"
    kinds = frozenset(MESSAGE_TYPES)

    def is_enabled(self) -> bool:
        return bool(
            (settings.DOCAXIS_URL or settings.DOCAXIS_VIA_LGSP) and settings.DOCAXIS_SYSTEM_ID
        )

    def send(self, envelope: Envelope) -> Receipt:
        if envelope.kind not in MESSAGE_TYPES or not isinstance(envelope.payload, bytes):
            raise ExchangeError(f"docaxis không chở loại {envelope.kind}", permanent=True)
        try:
            doc_id = client.send(
                data=envelope.payload,
                message_type=MESSAGE_TYPES[envelope.kind],
                to=envelope.party,
                key=envelope.message_id,
            )
        except client.AxisUnavailable as exc:
            raise ExchangeError(str(exc)) from exc
        except client.AxisRefused as exc:
            raise ExchangeError(str(exc), permanent=True) from exc
        return Receipt(message_id=envelope.message_id, accepted=True, remote_ref=doc_id)

    def poll(self, since: datetime | None) -> list[Envelope]:
        """Every package waiting for this system, fetched (oldest first). An unreachable axis
        gives nothing this time (the next poll tries again)."""
        try:
            listed = client.received()
        except (client.AxisUnavailable, client.AxisRefused) as exc:
            log.warning("document axis: cannot list received packages: %s", exc)
            return []
        envelopes = []
        for item in listed:
            try:
                data = client.fetch(str(item["docId"]))
            except (client.AxisUnavailable, client.AxisRefused) as exc:
                log.warning("document axis: cannot fetch %s: %s", item["docId"], exc)
                continue
            envelopes.append(
                Envelope(
                    message_id=str(item["docId"]),
                    kind=KINDS.get(str(item.get("messagetype")), "edxml.edoc"),
                    party=str(item.get("to", "")),
                    payload=data,
                    content_type="application/xml",
                )
            )
        return envelopes

    def acknowledge(self, envelope: Envelope) -> None:
        # Unconfirmed, it is offered again next time; the e-office knows it by its axis id.
        with contextlib.suppress(client.AxisUnavailable, client.AxisRefused):
            client.confirm(envelope.message_id)

    def directory(self) -> list[dict[str, object]]:
        """The axis's agency directory ``[{code, name, parent, active}]`` (an unreachable axis:
        :class:`ExchangeError`)."""
        try:
            return client.agencies()
        except (client.AxisUnavailable, client.AxisRefused) as exc:
            raise ExchangeError(str(exc)) from exc
