"""``manage.py import_legacy_dossiers FILE [--files-dir DIR] [--batch 1000] [--actor USER]
[--report PROBLEMS.jsonl] [--no-rebuild]``: import another one-stop system's dossiers
(JSON Lines, or CSV by the ``.csv`` extension; the format is in ``docs/legacy-import.md``).

Batches of ``--batch`` records go through :func:`congso.dossiers.services.legacy.import_batch`
(each batch one transaction; codes already present are skipped, so running the same file again
resumes it); bad records are reported with their line number and reason and the rest written.
At the end the figures kept of dossiers are rebuilt (the ``dossiers.after_bulk_write`` hooks:
the indicators, online) unless ``--no-rebuild``.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.dossiers import hooks
from congso.dossiers.services import legacy

#: CSV columns that hold JSON (lists and objects); dotted columns build nested objects.
JSON_COLUMNS = frozenset({"history", "files", "supplements", "rating", "form_data"})


class BadLine(ValueError):
    pass


def _jsonl(handle: TextIO) -> Iterator[tuple[int, Any]]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            yield number, json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, BadLine(f"Dòng không phải JSON hợp lệ: {exc.msg} (cột {exc.colno}).")


def _csv(handle: TextIO) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(handle)
    for row in reader:
        record: dict[str, Any] = {}
        try:
            for column, text in row.items():
                if column is None or text in (None, ""):
                    continue
                value: Any = json.loads(text) if column in JSON_COLUMNS else text.strip()
                target = record
                *path, last = column.split(".")
                for part in path:
                    target = target.setdefault(part, {})
                target[last] = value
        except json.JSONDecodeError as exc:
            yield reader.line_num, BadLine(f"Cột «{column}» không phải JSON hợp lệ: {exc.msg}.")
            continue
        yield reader.line_num, record


class Command(BaseCommand):
    help = (
        "Nhập hồ sơ từ hệ thống một cửa cũ (JSON Lines hoặc CSV, xem docs/legacy-import.md): "
        "kiểm tra theo quy tắc của hồ sơ, giữ nguyên mã số, ghi nhật ký, chạy lại được."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp .jsonl (mỗi dòng một hồ sơ) hoặc .csv.")
        parser.add_argument(
            "--files-dir", help="Thư mục chứa tệp đính kèm (mặc định: thư mục của tệp)."
        )
        parser.add_argument("--batch", type=int, default=1000, help="Số hồ sơ mỗi giao dịch.")
        parser.add_argument(
            "--actor", help="Tên đăng nhập người thực hiện (ghi vào nhật ký, yêu cầu bổ sung)."
        )
        parser.add_argument("--report", help="Ghi các dòng lỗi vào tệp JSON Lines này.")
        parser.add_argument(
            "--no-rebuild", action="store_true", help="Không tính lại số liệu chỉ số sau khi nhập."
        )
        parser.add_argument("--quiet", action="store_true", help="Chỉ in tổng kết.")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không thấy tệp {path}.")
        files_dir = Path(options["files_dir"]) if options["files_dir"] else path.parent
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản «{options['actor']}».")
        size = max(1, options["batch"])
        report = (
            Path(options["report"]).open("w", encoding="utf-8")  # noqa: SIM115 (closed below)
            if options["report"]
            else None
        )
        lookups = legacy.Lookups()
        totals = {"imported": 0, "skipped": 0, "rejected": 0, "audit_events": 0}
        started = time.monotonic()
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = _csv(handle) if path.suffix.lower() == ".csv" else _jsonl(handle)
                batch: list[tuple[int, Any]] = []
                for line, record in reader:
                    if isinstance(record, BadLine):
                        self._problem(
                            report,
                            legacy.Problem(line, "", "invalid_json", "", str(record)),
                            options,
                        )
                        totals["rejected"] += 1
                        continue
                    batch.append((line, record))
                    if len(batch) >= size:
                        self._batch(batch, actor, lookups, files_dir, path, report, totals, options)
                        batch = []
                if batch:
                    self._batch(batch, actor, lookups, files_dir, path, report, totals, options)
        finally:
            if report is not None:
                report.close()
        seconds = time.monotonic() - started
        rate = totals["imported"] / seconds if seconds > 0 else 0.0
        self.stdout.write(
            f"Đã nhập {totals['imported']:,} hồ sơ, bỏ qua {totals['skipped']:,} đã có, "
            f"{totals['rejected']:,} dòng lỗi; {seconds:.1f} s ({rate:,.0f} hồ sơ/giây)."
        )
        if not options["no_rebuild"] and totals["imported"]:
            ran = hooks.bulk_written(reason="import_legacy_dossiers")
            self.stdout.write("Đã tính lại: " + (", ".join(ran) or "không có gì") + ".")

    def _batch(self, batch: list[tuple[int, Any]], actor: Any, lookups: legacy.Lookups,
               files_dir: Path, path: Path, report: TextIO | None, totals: dict[str, int],
               options: dict[str, Any]) -> None:  # fmt: skip
        result = legacy.import_batch(
            actor=actor, records=batch, lookups=lookups, files_dir=files_dir, source=path.name
        )
        totals["imported"] += result.imported
        totals["skipped"] += result.skipped
        totals["rejected"] += len(result.problems)
        totals["audit_events"] += result.audit_events
        for problem in result.problems:
            self._problem(report, problem, options)

    def _problem(
        self, report: TextIO | None, problem: legacy.Problem, options: dict[str, Any]
    ) -> None:
        if not options["quiet"]:
            where = f" ({problem.code})" if problem.code else ""
            self.stderr.write(f"Dòng {problem.line}{where}: {problem.message} [{problem.error}]")
        if report is not None:
            report.write(json.dumps(problem.__dict__, ensure_ascii=False) + "\n")
