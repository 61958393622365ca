"""Background tasks of the dossiers app (registered with the worker on app start)."""

from __future__ import annotations

from congso.core.worker import task
from congso.dossiers import events


@task("dossiers.publish_event")
def publish_event(*, event_id: int) -> bool:
    """Hand a dossier event to the registered handlers and mark it published (idempotent)."""
    return events.publish(event_id)
