"""``manage.py load_demo_history [--dossiers N] [--months M] [--seed S]``: a few months of
history for the demo province, once (demo data only; :mod:`congso.indicators.demo`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.indicators import demo


class Command(BaseCommand):
    help = (
        "Nạp vài tháng lịch sử hồ sơ cho tỉnh demo (một lần; chạy lại không thêm gì): hồ sơ ở "
        "mọi trạng thái, có hồ sơ quá hạn, trước hạn, đúng hạn, trễ hạn, số liệu chỉ số đã tính. "
        "Chạy «load_demo» và «load_catalog_demo» trước. Chỉ dùng để thử nghiệm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, default=demo.DEMO_DOSSIERS)
        parser.add_argument("--months", type=int, default=demo.DEMO_MONTHS)
        parser.add_argument("--seed", type=int, default=demo.DEMO_SEED)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dossiers"] < 1 or options["months"] < 1:
            raise CommandError("--dossiers và --months phải là số dương.")
        result = demo.load_demo_history(
            dossiers=options["dossiers"],
            months=options["months"],
            seed=options["seed"],
            say=lambda message: None,
        )
        if result.created:
            self.stdout.write(
                f"Lịch sử demo: {result.dossiers:,} hồ sơ của {result.applicants} người nộp, "
                f"từ {result.summary['first_day']} đến {result.summary['last_day']}, "
                f"{result.summary['total_seconds']:.0f} s."
            )
        else:
            self.stdout.write(f"Lịch sử demo đã có ({result.dossiers:,} hồ sơ); không thêm.")
