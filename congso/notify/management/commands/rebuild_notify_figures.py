"""``manage.py rebuild_notify_figures``: recompute the notification figures (messages per day,
channel, agency and status) from the messages, in one transaction (see
:func:`congso.notify.figures.rebuild`). ``manage.py rebuild_indicators`` runs it too."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.notify import figures


class Command(BaseCommand):
    help = (
        "Tính lại số liệu tin thông báo theo ngày, kênh, cơ quan và trạng thái từ các tin đã tạo."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = figures.rebuild()
        self.stdout.write(
            f"Xong: {result['rows']:,} dòng số liệu thông báo, {result['seconds']:.1f} s."
        )
