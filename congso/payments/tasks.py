"""Background tasks of the payments app (registered with the worker on app start)."""

from __future__ import annotations

from datetime import timedelta

from congso.core.worker import task
from congso.payments import services


@task("payments.expire", every=timedelta(minutes=1))
def expire() -> int:
    """Pending intents past their expiry become expired (their fee request can be paid anew)."""
    return services.payment_expire()
