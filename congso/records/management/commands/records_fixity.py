"""``manage.py records_fixity``: re-hash every file of the record store (the copies filed into
records and the transfer bags) against the SHA-256 written when it was stored. Prints the
mismatches and missing files and exits 1 when there is any; each mismatch and the run are
audited (``records.fixity.mismatch``, ``records.fixity.run``). Meant for a nightly timer."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from congso.records import services


class Command(BaseCommand):
    help = "Re-hash the record store's files and report mismatches (exit code 1 if any)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.fixity_check()
        for problem in report.mismatches:
            label = "thiếu tệp" if problem["problem"] == "missing" else "sai mã băm"
            self.stderr.write(
                f"{label}: {problem['file']} (SHA-256 đã lưu {problem['expected']}, "
                f"hiện tại {problem['actual'] or '—'})"
            )
        if report.ok:
            self.stdout.write(f"Đã kiểm tra {report.checked} tệp: không có sai lệch.")
            return
        self.stderr.write(
            f"Đã kiểm tra {report.checked} tệp: {len(report.mismatches)} tệp sai lệch."
        )
        sys.exit(1)
