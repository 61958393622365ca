"""``manage.py load_lifeevents_demo [--province CODE]``: the demo's procedure groups, their added
component procedures and the life-event rules (demo only). After ``load_catalog_demo``.
Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.errors import DomainError
from congso.lifeevents.demo import load_lifeevents_demo


class Command(BaseCommand):
    help = (
        "Nạp hai nhóm thủ tục liên thông của Nghị định 63/2024 (khai sinh, khai tử), các thủ "
        "tục thành phần còn thiếu và các quy tắc dịch vụ công chủ động (demo, idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default=settings.DEMO_PROVINCE_CODE, metavar="CODE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_lifeevents_demo(province_code=options["province"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Liên thông demo: {result.procedures} thủ tục thêm, {result.groups} nhóm, "
            f"{result.rules} quy tắc dịch vụ công chủ động."
        )
