"""``manage.py catalog_national_import``: import the national procedure database (CSDL quốc
gia về TTHC) into the catalogue — a province's share (``--province``) or all of it (``--all``).

Resumable (``--resume``), idempotent (an unchanged export changes nothing); a newer export makes
new versions where something changed and retires what it no longer has. See docs/catalog.md §10.

The demo province's share, in one line (after ``load_demo`` and ``load_catalog_demo``)::

    manage.py catalog_national_import --province 51 --receive-ministry BCA --receive-ministry BTP
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.catalog.national import importer, services
from congso.catalog.national.models import ImportRun, Outcome, ProvinceShare, RunStatus
from congso.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính từ CSDL quốc gia về TTHC (phần của một tỉnh hoặc toàn "
        "bộ); tiếp tục được khi bị dừng, nhập lại không đổi gì. Import the national procedure "
        "database into the catalogue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            "--province", metavar="CODE", help="Mã tỉnh 2 số: nhập phần danh mục của tỉnh đó."
        )
        scope.add_argument(
            "--all", action="store_true", help="Nhập toàn bộ danh mục quốc gia (không quy trình)."
        )
        parser.add_argument(
            "--data",
            type=Path,
            default=settings.CATALOG_NATIONAL_DATA,
            help="Thư mục chứa các bản xuất (mặc định CONGSO_CATALOG_NATIONAL_DATA).",
        )
        parser.add_argument("--detail", action="append", type=Path, help="Tệp bản xuất chi tiết.")
        parser.add_argument("--crawl", action="append", type=Path, help="Tệp bản thu thập từ Cổng.")
        parser.add_argument("--lists", action="append", type=Path, help="Danh sách TTHC (.xlsx).")
        parser.add_argument(
            "--effective-from",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Ngày hiệu lực của các phiên bản mới (mặc định hôm nay).",
        )
        parser.add_argument("--code", action="append", dest="codes", help="Chỉ nhập mã này.")
        parser.add_argument("--limit", type=int, help="Chỉ nhập N bản ghi đầu (thử nghiệm).")
        parser.add_argument(
            "--no-processes", action="store_true", help="Không tạo quy trình nội bộ mặc định."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Đọc lại mọi bản ghi kể cả bản ghi nguồn không đổi (sau khi nâng cấp bộ đọc).",
        )
        parser.add_argument(
            "--receive-ministry",
            action="append",
            default=[],
            metavar="CODE",
            help="Tỉnh tiếp nhận thủ tục cấp bộ của bộ này (BCA, BTP…); ghi vào phần của tỉnh.",
        )
        parser.add_argument(
            "--receive-code",
            action="append",
            default=[],
            metavar="CODE",
            help="Tỉnh tiếp nhận thủ tục cấp bộ mã này; ghi vào phần của tỉnh.",
        )
        parser.add_argument(
            "--resume",
            nargs="?",
            const=0,
            type=int,
            metavar="RUN",
            help="Tiếp tục lần nhập bị dừng (mặc định: lần gần nhất chưa xong).",
        )
        parser.add_argument("--background", action="store_true", help="Giao cho tiến trình nền.")
        parser.add_argument(
            "--once",
            action="store_true",
            help="Không làm gì nếu đã có lần nhập (xong hoặc đang chạy) từ đúng các tệp nguồn và "
            "phạm vi này; tiếp tục lần đó nếu nó đã dừng giữa chừng (bản demo).",
        )
        parser.add_argument("--report", type=Path, help="Ghi báo cáo JSON (kèm từng bản ghi).")
        parser.add_argument("--label", default="", help="Tên bản xuất (ghi vào nguồn dữ liệu).")
        parser.add_argument("--actor", help="Tên đăng nhập người nhập; mặc định: hệ thống.")

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        model = get_user_model()
        actor = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
        if actor is None:
            raise CommandError(f"Không có người dùng «{username}».")
        return actor

    def _options(self, options: dict[str, Any]) -> importer.ImportOptions:
        if not options["all"] and not options["province"]:
            raise CommandError("Chọn --province CODE (phần của một tỉnh) hoặc --all.")
        province = "" if options["all"] else str(options["province"]).strip().zfill(2)
        effective = options["effective_from"]
        given = {
            key: tuple(str(path) for path in options[key])
            for key in ("detail", "crawl", "lists")
            if options[key]
        }
        return importer.options_for(
            options["data"],
            **given,
            province=province,
            effective_from=effective.isoformat() if effective else "",
            codes=tuple(options["codes"] or ()),
            limit=options["limit"],
            processes=not options["no_processes"] and bool(province),
            label=options["label"] or "CSDL quốc gia về TTHC",
            force=options["force"],
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["actor"])
        started = time.monotonic()
        try:
            if options["resume"] is not None:
                run = self._resumable(options["resume"])
                services.run_resume(actor=actor, run=run, background=options["background"])
            else:
                import_options = self._options(options)
                if import_options.province and (
                    options["receive_ministry"] or options["receive_code"]
                ):
                    share = ProvinceShare.objects.filter(
                        province_code=import_options.province
                    ).first()
                    services.share_set(
                        actor=actor,
                        province_code=import_options.province,
                        central_ministries=[
                            *(share.central_ministries if share else []),
                            *options["receive_ministry"],
                        ],
                        central_codes=[
                            *(share.central_codes if share else []),
                            *options["receive_code"],
                        ],
                        local_codes=share.local_codes if share else [],
                        excluded_codes=share.excluded_codes if share else [],
                    )
                if options["once"]:
                    import_options = replace(
                        import_options, signature=importer.signature(import_options)
                    )
                    earlier = (
                        ImportRun.objects.filter(params__signature=import_options.signature)
                        .order_by("-pk")
                        .first()
                    )
                    if earlier is not None and not importer.resumable(earlier):
                        self.stdout.write(
                            f"Đã có lần nhập #{earlier.pk} ({earlier.get_status_display()}) "
                            "từ đúng các tệp nguồn này: không nhập lại."
                        )
                        return
                    if earlier is not None:
                        services.run_resume(
                            actor=actor, run=earlier, background=options["background"]
                        )
                        if options["background"]:
                            self.stdout.write(f"Đã giao lần nhập #{earlier.pk} cho tiến trình nền.")
                            return
                        run = services.run_execute(earlier.pk, actor=actor)
                        self.stdout.write(importer.summary(run.report))
                        return
                create = services.run_request if options["background"] else services.run_create
                run = create(actor=actor, options=import_options)
            if options["background"]:
                self.stdout.write(f"Đã giao lần nhập #{run.pk} cho tiến trình nền.")
                return
            run = services.run_execute(run.pk, actor=actor, on_record=self._progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        seconds = time.monotonic() - started
        self.stdout.write("")
        self.stdout.write(f"Lần nhập #{run.pk}: {run.get_status_display()} sau {seconds:.0f} giây.")
        self.stdout.write(importer.summary(run.report))
        if options["report"]:
            self._write_report(run, options["report"])

    def _resumable(self, number: int) -> ImportRun:
        runs = ImportRun.objects.exclude(status=RunStatus.DONE)
        run = runs.filter(pk=number).first() if number else runs.order_by("-pk").first()
        if run is None:
            raise CommandError("Không có lần nhập nào đang dở để tiếp tục.")
        return run

    def _progress(self, run: ImportRun) -> None:
        if run.done % 250 == 0 and self.stdout.isatty():
            self.stdout.write(f"\r{run.done}/{run.total} ({run.progress} %)", ending="")
            self.stdout.flush()

    def _write_report(self, run: ImportRun, path: Path) -> None:
        items = [
            {
                "code": item.code,
                "outcome": item.outcome,
                "level": item.level,
                "field": item.field_name,
                "flags": item.flags,
                "diff": item.diff,
                "message": item.message,
            }
            for item in run.items.exclude(outcome__in=(Outcome.UNCHANGED,)).order_by("code")
        ]
        document = {"run": run.pk, "params": run.params, "report": run.report, "items": items}
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(f"Báo cáo: {path}")
