"""``manage.py load_catalog_demo [--province CODE]``: the demo catalogue (demo only).

Needs the demo province (``manage.py load_demo``) first. Idempotent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.catalog.demo import load_catalog_demo
from congso.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Nạp danh mục thủ tục hành chính demo (idempotent): các thủ tục có thật trong "
        "congso/catalog/data/procedures_demo.json, biểu mẫu điện tử và quy trình nội bộ demo tại "
        "các cơ quan của tỉnh demo. Chạy «manage.py load_demo» trước. Chỉ dùng để thử nghiệm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            default=settings.DEMO_PROVINCE_CODE,
            metavar="CODE",
            help="Mã tỉnh demo 2 số (mặc định CONGSO_DEMO_PROVINCE, 51 = Quảng Ngãi).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_catalog_demo(province_code=options["province"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Danh mục demo: {result.procedures} thủ tục, {result.processes} quy trình nội bộ. "
            f"{result.imported.summary()}"
        )
        for note in result.notes:
            self.stdout.write(f"  lưu ý: {note}")
