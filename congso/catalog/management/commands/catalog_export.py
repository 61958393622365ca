"""``manage.py catalog_export --format json|xlsx <file>``: write the whole catalogue (every
procedure, version, component, form and internal process) to a file that ``catalog_import``
reads back on another installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.catalog.importexport import dump_json, export_document, write_workbook
from congso.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Xuất danh mục thủ tục hành chính ra tệp JSON hoặc Excel (.xlsx). "
        "Export the procedure catalogue as JSON or Excel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp đích (.json hoặc .xlsx)")
        parser.add_argument(
            "--format", choices=["json", "xlsx"], help="Định dạng, nếu đuôi tệp không cho biết."
        )
        parser.add_argument(
            "--code",
            action="append",
            dest="codes",
            metavar="CODE",
            help="Chỉ xuất thủ tục có mã này (lặp lại để xuất nhiều thủ tục).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        fmt = options["format"] or path.suffix.lower().lstrip(".")
        if fmt not in ("json", "xlsx"):
            raise CommandError("Chọn --format json hoặc xlsx (hoặc đặt đuôi tệp .json/.xlsx).")
        document = export_document(codes=options["codes"])
        try:
            if fmt == "json":
                path.write_text(dump_json(document), encoding="utf-8")
            else:
                write_workbook(document, path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã xuất {len(document['procedures'])} phiên bản thủ tục vào {path}.")
