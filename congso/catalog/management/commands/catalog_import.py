"""``manage.py catalog_import <file>``: import a catalogue file (JSON or Excel) written by
``catalog_export`` or by hand (format: docs/catalog.md). All or nothing, idempotent by procedure
code and version."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.catalog.importexport import (
    JsonLocator,
    Locator,
    import_document,
    load_json,
    read_workbook,
)
from congso.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính từ tệp JSON hoặc Excel (.xlsx); tất cả hoặc không, "
        "theo mã thủ tục và số phiên bản. Import a procedure catalogue (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp .json hoặc .xlsx")
        parser.add_argument(
            "--format", choices=["json", "xlsx"], help="Định dạng, nếu đuôi tệp không cho biết."
        )
        parser.add_argument(
            "--effective-from",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Ngày hiệu lực cho các bản ghi không có effective_from.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        parser.add_argument(
            "--actor", help="Tên đăng nhập của người nhập (ghi vào nhật ký); mặc định: hệ thống."
        )

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        user_model = get_user_model()
        actor = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if actor is None:
            raise CommandError(f"Không có người dùng «{username}».")
        return actor

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        fmt = options["format"] or path.suffix.lower().lstrip(".")
        if fmt not in ("json", "xlsx"):
            raise CommandError("Chọn --format json hoặc xlsx (hoặc đặt đuôi tệp .json/.xlsx).")
        actor = self._actor(options["actor"])
        try:
            locator: Locator
            if fmt == "json":
                document = load_json(path)
                records = document.get("procedures") if isinstance(document, dict) else None
                locator = JsonLocator(records if isinstance(records, list) else [])
            else:
                document, locator = read_workbook(path)
            result = import_document(
                actor=actor,
                document=document,
                locator=locator,
                default_effective_from=options["effective_from"],
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(result.summary())
