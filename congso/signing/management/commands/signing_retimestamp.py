"""PAdES-LTA upkeep: list (by default) or re-time-stamp (``--apply``) the stored signed PDFs whose
newest time-stamp's TSA certificate ends within ``--days`` (``CONGSO_SIGNING_RETIMESTAMP_DAYS``).
Run it from cron, e.g. weekly; each document changed is audited
(``signing.archive.retimestamp``), a failure too (``…_failed``), and the run exits 1 when any
failed."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.signing import archive, stamps


def _when(moment: datetime.datetime | None) -> str:
    return stamps.signing_time(moment) if moment is not None else "—"


class Command(BaseCommand):
    help = (
        "Liệt kê (mặc định) hoặc đóng dấu thời gian lưu trữ (--apply, PAdES-LTA) cho các tệp PDF "
        "đã ký có chứng thư của TSA cấp dấu thời gian gần nhất sắp hết hạn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SIGNING_RETIMESTAMP_DAYS,
            help="Chứng thư TSA hết hạn trong số ngày này thì đóng dấu lại.",
        )
        parser.add_argument(
            "--apply", action="store_true", help="Đóng dấu thời gian lưu trữ (không chỉ liệt kê)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"]
        if days < 0:
            raise CommandError("--days phải là số không âm.")
        apply: bool = options["apply"]
        found = archive.retimestamp(within_days=days, apply=apply)
        mode = "đóng dấu" if apply else "chạy thử, không thay đổi gì"
        self.stdout.write(
            f"Tệp đã ký có chứng thư TSA hết hạn trong {days} ngày: {len(found)} ({mode})."
        )
        failed = 0
        for item in found:
            latest = item.latest
            line = (
                f"  {item.document.kind} {item.document.code}: dấu thời gian gần nhất "
                f"{_when(latest.time if latest else None)}, chứng thư TSA hết hạn "
                f"{_when(latest.tsa_not_after if latest else None)}"
            )
            if item.done:
                new = item.new_latest
                line += (
                    f" → đã đóng dấu lưu trữ, chứng thư TSA mới hết hạn "
                    f"{_when(new.tsa_not_after if new else None)}; mức: "
                    + ", ".join(f"PAdES {level}" for level in item.levels)
                )
            elif item.error:
                failed += 1
                line += f" → LỖI: {item.error}"
            self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} tệp chưa đóng dấu được (xem nhật ký kiểm toán).")
