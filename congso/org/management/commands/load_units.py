"""``manage.py load_units [--province CODE] [--historic-units CSV] [--successions CSV]``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.errors import DomainError
from congso.org.loaders import (
    LoadReport,
    import_historic_units,
    import_successions,
    load_shipped_history,
    load_units,
)


class Command(BaseCommand):
    help = (
        "Nạp đơn vị hành chính (idempotent): 34 tỉnh và 3.321 xã/phường/đặc khu hiện hành từ "
        "gói vietnam-provinces, 63 tỉnh trước 1/7/2025 và quan hệ sáp nhập cấp tỉnh "
        "(NQ 202/2025/QH15); tùy chọn nhập huyện, xã cũ và bảng chuyển đổi xã cũ → mới từ tệp "
        "CSV xuất từ danh mục hành chính của Cục Thống kê."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="Chỉ nạp tỉnh này (mã 2 số theo QĐ 19/2025, ví dụ 51); lặp lại được.",
        )
        parser.add_argument(
            "--historic-units",
            type=Path,
            metavar="CSV",
            help="Danh sách xã trước 1/7/2025 (cột Mã TP, Mã QH, Quận Huyện, Mã PX, Phường Xã).",
        )
        parser.add_argument(
            "--successions",
            type=Path,
            metavar="CSV",
            help="Bảng chuyển đổi ĐVHC mới – cũ (cột Mã Xã mới, Tên Xã cũ, Mã Xã cũ, Ghi chú…).",
        )

        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Không nạp huyện, xã trước 1/7/2025 và bảng chuyển đổi kèm theo dự án.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        provinces = options["provinces"]
        report = LoadReport()
        try:
            report.merge(load_units(province_codes=provinces))
            if not options["no_history"]:
                report.merge(load_shipped_history(province_codes=provinces))
            if options["historic_units"]:
                report.merge(
                    import_historic_units(options["historic_units"], province_codes=provinces)
                )
            if options["successions"]:
                report.merge(import_successions(options["successions"], province_codes=provinces))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for line in report.skipped[:20]:
            self.stderr.write(f"bỏ qua: {line}")
        if len(report.skipped) > 20:
            self.stderr.write(f"… và {len(report.skipped) - 20} dòng khác")
        elapsed = time.monotonic() - started
        self.stdout.write(f"Đơn vị hành chính: {report.summary()} ({elapsed:.1f} giây).")
