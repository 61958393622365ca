"""``manage.py rebuild_indicators``: recompute every indicator aggregate from the raw tables.

Set-based SQL in one transaction (see :func:`congso.indicators.aggregates.rebuild`): readers
keep seeing the old figures until it commits; dossier changes made meanwhile wait for it on
PostgreSQL and then apply on top. Run it once after installing the indicators on a database
that already has dossiers, and whenever the figures are in doubt.

It then runs ``manage.py rebuild_notify_figures`` (the notification lines of the dashboard and
the situation report; the notify app owns that table and its rebuild), unless ``--no-notify``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from congso.indicators import aggregates


class Command(BaseCommand):
    help = (
        "Tính lại toàn bộ số liệu tổng hợp của chỉ số từ dữ liệu hồ sơ (trong một giao dịch; "
        "số liệu cũ vẫn được đọc đến khi xong)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-notify",
            action="store_true",
            help="Không tính lại số liệu tin thông báo (rebuild_notify_figures).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = aggregates.rebuild(progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(
            f"Xong: {result['daily_rows']:,} dòng theo ngày, {result['monthly_rows']:,} dòng "
            f"theo tháng, {result['live_rows']:,} dòng đang xử lý, "
            f"{result['total_seconds']:.1f} s."
        )
        if not options["no_notify"] and apps.is_installed("congso.notify"):
            call_command("rebuild_notify_figures", stdout=self.stdout)
