"""Background tasks of the notify app (registered with the worker on app start)."""

from __future__ import annotations

from datetime import timedelta

from congso.core.worker import task
from congso.notify import services


@task("notify.send")
def send(*, message_id: int) -> str:
    return services.message_send(message_id=message_id)


@task("notify.reconcile", every=timedelta(minutes=1))
def reconcile() -> dict[str, int]:
    return services.messages_reconcile()
