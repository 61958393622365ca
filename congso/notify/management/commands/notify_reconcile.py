"""Settle or resend messages left behind by a dead worker (run from cron, or with --every)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connections

from congso.notify import services


class Command(BaseCommand):
    help = "Đối soát tin thông báo đang gửi dở bằng báo cáo phát (Reconcile notify messages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            try:
                self.stdout.write(json.dumps(services.messages_reconcile()))
            except DatabaseError as exc:
                if not options["every"]:
                    raise
                self.stderr.write(f"database unavailable, retrying: {exc}".strip())
                connections.close_all()
            if not options["every"]:
                return
            time.sleep(options["every"])
