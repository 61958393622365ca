"""Settle or resend messages left behind by a dead worker (run from cron, or with --every)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congso.notify import services


class Command(BaseCommand):
    help = "Đối soát tin thông báo đang gửi dở bằng báo cáo phát (Reconcile notify messages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            self.stdout.write(json.dumps(services.messages_reconcile()))
            if not options["every"]:
                return
            time.sleep(options["every"])
