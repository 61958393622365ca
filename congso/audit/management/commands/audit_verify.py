"""``manage.py audit_verify``: check the audit chain; exit 1 naming the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.audit.verify import BATCH_SIZE, verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (exits non-zero at the first broken link)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Events read per query (default {BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain(batch_size=options["batch_size"])
        if result.broken is not None:
            raise CommandError(
                f"BROKEN at seq {result.broken.seq}: {result.broken.detail} "
                f"({result.count} events verified before it)",
                returncode=1,
            )
        if result.count == 0:
            self.stdout.write("OK: the audit log is empty.")
            return
        self.stdout.write(
            f"OK: {result.count} events verified; head seq {result.head_seq} "
            f"hash {result.head_hash}"
        )
