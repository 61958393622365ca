"""``manage.py lifeevents_scan``: the age rules (a child turning 14 → the ID card): offers to
the citizens who reached a rule's age in the last 30 days, once each. Run daily (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.lifeevents.services import scan_ages


class Command(BaseCommand):
    help = "Gửi lời nhắc dịch vụ công chủ động theo tuổi (ví dụ đủ 14 tuổi: cấp thẻ căn cước)."

    def handle(self, *args: Any, **options: Any) -> None:
        made = scan_ages()
        self.stdout.write(f"Đã tạo {len(made)} lời nhắc.")
