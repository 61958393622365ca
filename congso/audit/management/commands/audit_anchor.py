"""``manage.py audit_anchor [--out FILE]``: anchor the audit chain head now (time-stamp, HMAC,
signature); ``--out`` also appends the anchor as one JSON line to FILE, to copy off the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congso.audit.anchors import anchor_head, export


class Command(BaseCommand):
    help = "Anchor the head of the audit chain with an RFC 3161 time-stamp and a signature."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="Also append the anchor (JSON line) here.")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = anchor_head()
        if anchor is None:
            self.stdout.write("The audit log is empty: nothing to anchor.")
            return
        if options["out"] is not None:
            with options["out"].open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(export(anchor), sort_keys=True) + "\n")
        self.stdout.write(
            f"Anchored head seq {anchor.seq} hash {anchor.head_hash} "
            f"(TSA time {anchor.timestamp_time.isoformat()})"
        )
