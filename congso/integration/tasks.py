"""Background tasks of integration (registered with the worker on app start)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from congso.core.worker import task
from congso.integration import reconcile, sync, transfers, webhooks


@task("integration.sync", every=timedelta(seconds=settings.SYNC_POLL_SECONDS))
def send_sync_items() -> int:
    """Send the due portal-sync items (small batches, one per dossier at a time)."""
    return sync.send_due(limit=500)


@task("integration.reconcile", every=timedelta(days=1))
def reconcile_yesterday() -> int:
    """Compare yesterday's dossiers with what the portal holds (the nightly run)."""
    return reconcile.run().pk


@task("integration.webhooks", every=timedelta(seconds=settings.WEBHOOK_POLL_SECONDS))
def deliver_webhooks() -> int:
    """Deliver the due webhook messages."""
    return webhooks.deliver_due(limit=500)


@task("integration.transfers", every=timedelta(seconds=settings.TRANSFER_POLL_SECONDS))
def exchange_transfers() -> int:
    """Send the due transfer messages and apply the ones the LGSP holds for this system."""
    return transfers.run()
