"""The built-in background worker for the embedded default (no broker needed)."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from congso.core import worker


class Command(BaseCommand):
    help = "Chạy worker nền tích hợp: xử lý các việc trong bảng Job (Run the built-in worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Drain due jobs once and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.WORKER_BACKEND != "embedded":
            raise CommandError(
                "CONGSO_BROKER_URL is set: run `celery -A congso worker -B` instead of this worker."
            )
        if options["once"]:
            worker.heartbeat()
            worker.enqueue_due_periodic()
            self.stdout.write(f"ran {worker.drain(limit=10_000)} job(s)")
            return
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {worker.worker_name()} started (embedded)")
        while not stopping:
            try:
                worker.heartbeat()
                worker.enqueue_due_periodic()
                ran = worker.drain(limit=100)
            except DatabaseError as exc:
                # The database restarted or is unreachable: drop the broken connections and
                # try again; jobs whose outcome was lost are released once it is back.
                self.stderr.write(f"database unavailable, retrying: {exc}".strip())
                connections.close_all()
                time.sleep(settings.WORKER_POLL_SECONDS)
                continue
            if ran == 0:
                time.sleep(settings.WORKER_POLL_SECONDS)
        self.stdout.write("worker stopped")
