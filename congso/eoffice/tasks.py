"""The e-office's background work: hand queued packages to the axis, take received ones."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from congso.core.worker import task
from congso.eoffice import exchange, reminders


@task("eoffice.deliver")
def deliver(outbox_id: int) -> None:
    exchange.deliver(outbox_id)


@task("eoffice.poll", every=timedelta(seconds=settings.EOFFICE_POLL_SECONDS))
def poll() -> None:
    if exchange.registry_ready():
        exchange.poll()


@task("eoffice.directory", every=timedelta(hours=6))
def directory() -> None:
    if exchange.registry_ready():
        exchange.sync_directory()


@task("eoffice.reminders", every=timedelta(hours=1))
def reminders_daily() -> None:
    # Hourly, idempotent per day: the day's reminders go at the first run after 07:00.
    reminders.run()
