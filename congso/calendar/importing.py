"""Reading calendar override files (JSON or CSV) into plain rows, with every error at once.

Pure: no database. :mod:`congso.calendar.services` writes the rows; the data migration and
``manage.py import_calendar`` both read files through here (the migration only the shipped file).

JSON::

    {"format": "congso.calendar.overrides/1",
     "overrides": [
        {"date": "2025-04-26", "kind": "working_day", "name": "…", "legal_source": "…",
         "province_code": "", "note": "free text, not imported"}]}

(a bare list of entries is accepted too). CSV: a header line with ``date,kind,name,legal_source``
and optionally ``province_code``, UTF-8 (a BOM from spreadsheet software is fine), comma or
semicolon separated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congso.core.errors import DomainError

DAY_OFF = "day_off"
WORKING_DAY = "working_day"
KINDS = (DAY_OFF, WORKING_DAY)
KIND_LABELS = {DAY_OFF: "ngày nghỉ", WORKING_DAY: "ngày làm việc (làm bù)"}

FORMAT_ID = "congso.calendar.overrides/1"
FIELDS = ("date", "kind", "name", "legal_source", "province_code")
JSON_KEYS = frozenset({*FIELDS, "note"})
NAME_MAX = 200
LEGAL_SOURCE_MAX = 500

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PROVINCE_CODE_RE = re.compile(r"^\d{2}$")


@dataclass(frozen=True)
class OverrideRow:
    """One announced exception to the default calendar."""

    date: dt.date
    kind: str
    name: str
    legal_source: str
    province_code: str = ""

    @property
    def key(self) -> tuple[dt.date, str]:
        return (self.date, self.province_code)


class CalendarDataError(DomainError):
    """A calendar file (or a batch of rows) has errors; ``errors`` lists every one of them."""

    def __init__(self, errors: list[str], *, code: str = "calendar_file_invalid") -> None:
        count = len(errors)
        super().__init__(
            code,
            f"Dữ liệu lịch có {count} lỗi; không có dòng nào được nhập. " + " ".join(errors[:5]),
            field="file",
        )
        self.errors = errors


def scope_label(province_code: str, agency_code: str = "") -> str:
    if agency_code:
        return f"cơ quan mã {agency_code}"
    return f"tỉnh mã {province_code}" if province_code else "toàn quốc"


def _row(raw: dict[str, Any], where: str, errors: list[str]) -> OverrideRow | None:
    problems: list[str] = []
    text = {key: str(raw.get(key) if raw.get(key) is not None else "").strip() for key in FIELDS}
    parsed_date: dt.date | None = None
    if not _DATE_RE.match(text["date"]):
        problems.append(f"ngày «{text['date']}» phải có dạng YYYY-MM-DD")
    else:
        try:
            parsed_date = dt.date.fromisoformat(text["date"])
        except ValueError:
            problems.append(f"ngày «{text['date']}» không tồn tại")
    if text["kind"] not in KINDS:
        problems.append(f"loại «{text['kind']}» phải là day_off hoặc working_day")
    if not text["name"]:
        problems.append("thiếu tên ngày")
    elif len(text["name"]) > NAME_MAX:
        problems.append(f"tên dài quá {NAME_MAX} ký tự")
    if not text["legal_source"]:
        problems.append("thiếu căn cứ pháp lý (legal_source)")
    elif len(text["legal_source"]) > LEGAL_SOURCE_MAX:
        problems.append(f"căn cứ pháp lý dài quá {LEGAL_SOURCE_MAX} ký tự")
    if text["province_code"] and not PROVINCE_CODE_RE.match(text["province_code"]):
        problems.append(f"mã tỉnh «{text['province_code']}» phải gồm 2 chữ số hoặc để trống")
    if problems:
        errors.append(f"{where}: " + "; ".join(problems) + ".")
        return None
    assert parsed_date is not None
    return OverrideRow(
        date=parsed_date,
        kind=text["kind"],
        name=text["name"],
        legal_source=text["legal_source"],
        province_code=text["province_code"],
    )


def check_unique(rows: Iterable[tuple[str, OverrideRow]], errors: list[str]) -> None:
    """Refuse two rows for the same day and scope (whatever their kinds)."""
    seen: dict[tuple[dt.date, str], str] = {}
    for where, row in rows:
        if row.key in seen:
            errors.append(
                f"{where}: ngày {row.date:%d/%m/%Y} ({scope_label(row.province_code)}) "
                f"đã có ở {seen[row.key]}; mỗi ngày chỉ được khai báo một lần."
            )
        else:
            seen[row.key] = where


def parse_json(text: str) -> list[OverrideRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarDataError([f"JSON không hợp lệ (dòng {exc.lineno}): {exc.msg}."]) from None
    if isinstance(data, dict):
        if data.get("format", FORMAT_ID) != FORMAT_ID:
            raise CalendarDataError([f"Định dạng «{data.get('format')}» không được hỗ trợ."])
        entries = data.get("overrides")
    else:
        entries = data
    if not isinstance(entries, list):
        raise CalendarDataError(['JSON phải là một danh sách hoặc có khóa "overrides".'])
    errors: list[str] = []
    located: list[tuple[str, OverrideRow]] = []
    for index, entry in enumerate(entries, start=1):
        where = f"Mục {index}"
        if not isinstance(entry, dict):
            errors.append(f"{where}: phải là một đối tượng JSON.")
            continue
        unknown = sorted(set(entry) - JSON_KEYS)
        if unknown:
            errors.append(f"{where}: khóa không được hỗ trợ: {', '.join(unknown)}.")
            continue
        row = _row(entry, where, errors)
        if row is not None:
            located.append((where, row))
    check_unique(located, errors)
    if errors:
        raise CalendarDataError(errors)
    return [row for _, row in located]


def parse_csv(text: str) -> list[OverrideRow]:
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in FIELDS[:4] if name not in header]
    if missing:
        raise CalendarDataError(
            [f"Dòng tiêu đề thiếu cột: {', '.join(missing)} (cần date,kind,name,legal_source)."]
        )
    unknown = sorted(set(header) - set(FIELDS))
    if unknown:
        raise CalendarDataError([f"Cột không được hỗ trợ: {', '.join(unknown)}."])
    errors: list[str] = []
    located: list[tuple[str, OverrideRow]] = []
    for raw in reader:
        where = f"Dòng {reader.line_num}"
        cleaned = {(key or "").strip(): value for key, value in raw.items()}
        if None in raw:
            errors.append(f"{where}: nhiều cột hơn dòng tiêu đề.")
            continue
        if not any((value or "").strip() for value in cleaned.values()):
            continue
        row = _row(cleaned, where, errors)
        if row is not None:
            located.append((where, row))
    check_unique(located, errors)
    if errors:
        raise CalendarDataError(errors)
    return [row for _, row in located]


def parse(text: str, *, fmt: str) -> list[OverrideRow]:
    """Rows from ``text`` in format ``fmt`` (``"json"`` or ``"csv"``)."""
    if fmt == "json":
        return parse_json(text)
    if fmt == "csv":
        return parse_csv(text)
    raise CalendarDataError([f"Định dạng «{fmt}» không được hỗ trợ (json hoặc csv)."])


def format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("json", "csv"):
        raise CalendarDataError(
            [f"Không nhận ra định dạng của tệp «{path.name}»: cần đuôi .json hoặc .csv."]
        )
    return suffix


def load(path: Path, *, fmt: str | None = None) -> list[OverrideRow]:
    """Rows from the file at ``path`` (format from ``fmt`` or the file extension)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CalendarDataError([f"Tệp «{path.name}» phải được mã hóa UTF-8."]) from None
    return parse(text, fmt=fmt or format_of(path))
