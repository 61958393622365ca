"""The dossier-event handler: lifecycle events become messages (see services.NOTICES)."""

from __future__ import annotations

from congso.dossiers.events import handler
from congso.dossiers.models import DossierEvent
from congso.notify import services


@handler("notify.messages")
def dossier_event_messages(event: DossierEvent) -> None:
    services.messages_for_event(event=event)
