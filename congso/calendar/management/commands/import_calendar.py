"""``manage.py import_calendar <file>``: add a year's announced days off and swapped working days.

The file is JSON (the format of ``congso/calendar/data/vn_overrides.json``) or CSV with the columns
``date,kind,name,legal_source[,province_code]``. The import is all or nothing and idempotent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.calendar import importing, services
from congso.calendar.importing import CalendarDataError
from congso.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Nhập ngày nghỉ và ngày làm bù (JSON hoặc CSV) vào lịch làm việc. "
        "Import announced days off / swapped working days from a JSON or CSV file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp .json hoặc .csv")
        parser.add_argument(
            "--format", choices=["json", "csv"], help="Định dạng, nếu đuôi tệp không cho biết."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra và đếm, không ghi gì."
        )
        parser.add_argument(
            "--actor", help="Tên đăng nhập của người nhập (ghi vào nhật ký); mặc định: hệ thống."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        actor = None
        if options["actor"]:
            user_model = get_user_model()
            actor = user_model._default_manager.filter(
                **{user_model.USERNAME_FIELD: options["actor"]}
            ).first()
            if actor is None:
                raise CommandError(f"Không có người dùng «{options['actor']}».")
        try:
            rows = importing.load(path, fmt=options["format"])
            result = services.overrides_import(
                actor=actor, rows=rows, source=path.name, dry_run=options["dry_run"]
            )
        except CalendarDataError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Tệp có {len(exc.errors)} lỗi; không có dòng nào được nhập."
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        prefix = "Kiểm tra (không ghi): " if result.dry_run else "Đã nhập: "
        self.stdout.write(
            f"{prefix}{result.created} thêm mới, {result.updated} cập nhật, "
            f"{result.unchanged} không đổi."
        )
