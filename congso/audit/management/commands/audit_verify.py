"""``manage.py audit_verify``: check the audit chain and its anchors; exit 1 naming the first
broken link or the first anchor that does not hold."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from congso.audit.anchors import AnchorProblem, check_row, stored_anchors, verify_anchor
from congso.audit.models import AuditAnchor
from congso.audit.verify import BATCH_SIZE, verify_chain


def _read_anchor_file(path: Path) -> list[dict[str, Any]]:
    """Anchors kept off the server: JSON lines as ``audit_anchor --out`` writes them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


class Command(BaseCommand):
    help = (
        "Verify the keyed hash chain of the audit log and its anchors (exits non-zero at the "
        "first broken link or anchor)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Events read per query (default {BATCH_SIZE}).",
        )
        parser.add_argument(
            "--anchors",
            type=Path,
            action="append",
            default=[],
            help="A file of anchors kept off the server (JSON lines); may be repeated.",
        )
        parser.add_argument(
            "--require-anchor",
            action="store_true",
            help="Fail (not only warn) when no recent anchor covers the chain.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = stored_anchors()
        for path in options["anchors"]:
            anchors.extend(_read_anchor_file(path))
        want = frozenset(int(json.loads(a["statement"]).get("seq", 0)) for a in anchors)
        result = verify_chain(batch_size=options["batch_size"], want=want)
        if result.broken is not None:
            raise CommandError(
                f"BROKEN at seq {result.broken.seq}: {result.broken.detail} "
                f"({result.count} events verified before it)",
                returncode=1,
            )
        for row in AuditAnchor.objects.order_by("created_at", "pk"):
            if not check_row(row):
                self._fail(AnchorProblem(str(row), "anchor_row_mismatch", "columns changed"))
        for anchor in anchors:
            problem = verify_anchor(
                anchor, chain_hash_at=result.hashes_at, head_seq=result.head_seq
            )
            if problem is not None:
                self._fail(problem)
        if result.count == 0:
            self.stdout.write("OK: the audit log is empty.")
            return
        self.stdout.write(
            f"OK: {result.count} events verified; head seq {result.head_seq} "
            f"hash {result.head_hash}; {len(anchors)} anchor(s) verified"
        )
        self._freshness(result.head_seq, require=options["require_anchor"])

    def _fail(self, problem: AnchorProblem) -> None:
        raise CommandError(
            f"ANCHOR {problem.problem}: {problem.anchor}: {problem.detail}", returncode=1
        )

    def _freshness(self, head_seq: int | None, *, require: bool) -> None:
        newest = AuditAnchor.objects.order_by("-created_at", "-pk").first()
        limit = dt.timedelta(hours=int(settings.AUDIT_ANCHOR_MAX_AGE_HOURS))
        message = None
        if newest is None:
            message = "no anchor yet: run manage.py audit_anchor (daily task audit.anchor)"
        elif (head_seq or 0) > newest.seq + 1 and timezone.now() - newest.created_at > limit:
            message = (
                f"the newest anchor ({newest.created_at.isoformat()}, seq {newest.seq}) is "
                f"older than {limit}; events after it are covered by the chain key only"
            )
        if message is None:
            return
        if require:
            raise CommandError(f"ANCHOR stale: {message}", returncode=1)
        self.stdout.write(f"WARNING: {message}")
