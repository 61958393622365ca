"""``manage.py rebuild_indicators``: recompute every indicator aggregate from the raw tables.

Set-based SQL in one transaction (see :func:`congso.indicators.aggregates.rebuild`): readers
keep seeing the old figures until it commits; dossier changes made meanwhile wait for it on
PostgreSQL and then apply on top. Run it once after installing the indicators on a database
that already has dossiers, and whenever the figures are in doubt.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.indicators import aggregates


class Command(BaseCommand):
    help = (
        "Tính lại toàn bộ số liệu tổng hợp của chỉ số từ dữ liệu hồ sơ (trong một giao dịch; "
        "số liệu cũ vẫn được đọc đến khi xong)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = aggregates.rebuild(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(
            f"Xong: {result['daily_rows']:,} dòng theo ngày, {result['monthly_rows']:,} dòng "
            f"theo tháng, {result['live_rows']:,} dòng đang xử lý, "
            f"{result['total_seconds']:.1f} s."
        )
