"""Publishing dossier events: the outbox's far end.

Every transition writes a :class:`~congso.dossiers.models.DossierEvent` row and enqueues the
``dossiers.publish_event`` job in the same transaction (see ``services.py``). The job calls
:func:`publish`, which hands the event to every registered handler, then marks it published.

Later features (notifications, national-portal sync, webhooks) plug in here::

    from congso.dossiers.events import handler

    @handler("notify.status_sms")
    def send_status_sms(event: DossierEvent) -> None: ...

Handlers run in the worker, inside one transaction per event, in name order. They must be
idempotent: a handler that raises makes the job retry (with backoff) and every handler runs
again. A published event is never handed out twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from congso.dossiers.models import DossierEvent

EventHandler = Callable[["DossierEvent"], None]
HANDLERS: dict[str, EventHandler] = {}


def handler(name: str) -> Callable[[EventHandler], EventHandler]:
    """Register ``fn`` under ``name``; registering another function under a used name fails."""

    def decorator(fn: EventHandler) -> EventHandler:
        if name in HANDLERS and HANDLERS[name] is not fn:
            raise ValueError(f"dossier event handler {name!r} is already registered")
        HANDLERS[name] = fn
        return fn

    return decorator


def unregister(name: str) -> None:
    HANDLERS.pop(name, None)


def publish(event_id: int) -> bool:
    """Hand one event to the handlers and mark it published. Returns False when it was already
    published or no longer exists (both fine: the job is idempotent)."""
    from congso.dossiers.models import DossierEvent

    with transaction.atomic():
        event = DossierEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.published_at is not None:
            return False
        for name in sorted(HANDLERS):
            HANDLERS[name](event)
        event.published_at = timezone.now()
        event.save(update_fields=["published_at"])
    return True
