"""Moving the catalogue between installations (test → production): JSON and Excel.

The JSON format is the one of ``data/procedures_demo.json``: ``{"catalogue", "schema_version",
"generated", "procedures": [record, …]}``, one record per procedure version (see
:mod:`congso.catalog.specs` and ``docs/catalog.md``). The Excel workbook holds the same data in
four sheets (procedures, fees, components, process steps) keyed by procedure code and version.

Importing is all or nothing and idempotent: every record is read and checked first, then written
in one transaction, by code and version (a record equal to what is stored changes nothing). The
first problem refuses the whole import with :class:`ImportRefused`, whose message names the
record (JSON) or the sheet, row and column (Excel).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Protocol

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from congso.catalog import services
from congso.catalog.models import ProcedureVersion
from congso.catalog.selectors import procedure_spec, process_spec, version_spec
from congso.catalog.specs import ProcessSpec, RecordSpec, read_record
from congso.core.errors import DomainError
from congso.core.spreadsheet import append_row, as_text

FORMAT_VERSION = 1
CATALOGUE_TITLE = "congso – danh mục thủ tục hành chính"


class ImportRefused(DomainError):
    """The import was refused; nothing was written."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        status: int = 400,
        cause: str | None = None,
    ):
        super().__init__(
            "catalog_import_refused",
            f"{message} Không có dữ liệu nào được nhập.",
            field=field,
            status=status,
        )
        #: The code of the underlying problem (``version_overlap``, ``invalid_number``…).
        self.cause = cause


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    processes: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )
    dry_run: bool = False

    def summary(self) -> str:
        p = self.processes
        prefix = "Kiểm tra (không ghi): " if self.dry_run else ""
        return (
            f"{prefix}{self.created} phiên bản thủ tục mới, {self.updated} cập nhật, "
            f"{self.unchanged} không đổi; quy trình nội bộ: {p['created']} mới, "
            f"{p['updated']} cập nhật, {p['unchanged']} không đổi."
        )


# --- Locating problems ----------------------------------------------------------------------------


class Locator(Protocol):
    def describe(self, index: int | None, path: str | None) -> str: ...


class JsonLocator:
    """'Thủ tục thứ 3 (mã 1.001193), mục «fees.1.amount_vnd»'."""

    def __init__(self, records: Sequence[Any]):
        self.records = records

    def describe(self, index: int | None, path: str | None) -> str:
        if index is None:
            return "Tệp"
        raw = self.records[index] if index < len(self.records) else {}
        label = ""
        if isinstance(raw, Mapping):
            label = str(raw.get("code") or raw.get("local_code") or raw.get("name") or "")[:60]
        where = f"Thủ tục thứ {index + 1}" + (f" ({label})" if label else "")
        return where + (f", mục «{path}»" if path else "")


# --- Export ---------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _process_document(spec: ProcessSpec) -> dict[str, Any]:
    return {
        "agency": spec.agency_code,
        "name": spec.name,
        "active": spec.active,
        "steps": [
            {
                "order": step.order,
                "name": step.name,
                "kind": step.kind,
                "role": step.role,
                "department": step.department,
                "agency": step.agency_code,
                "hours": _number(step.hours),
                "is_lead": step.is_lead,
                "parallel_group": step.parallel_group,
                "allowed_actions": list(step.allowed_actions),
            }
            for step in spec.steps
        ],
    }


def record_document(version: ProcedureVersion) -> dict[str, Any]:
    """One record of the interchange format for a stored version (with its processes)."""
    procedure = procedure_spec(version.procedure)
    content = version_spec(version)
    return {
        "code": procedure.code if procedure.national_code else None,
        **({} if procedure.national_code else {"local_code": procedure.code}),
        "name": procedure.name,
        "field": {"name": procedure.field_name, "code": procedure.field_sector_code or None},
        "levels": list(procedure.levels),
        "applicant_types": list(procedure.applicant_types),
        "active": procedure.active,
        "version": version.version,
        "effective_from": content.effective_from.isoformat(),
        "effective_to": content.effective_to.isoformat() if content.effective_to else None,
        "competent_agency": content.competent_agency_text,
        "received_at": content.received_at_text or None,
        "submission_channels": list(content.submission_channels),
        "time_limit": {
            "value": _number(content.time_limit_value),
            "unit": content.time_limit_unit or None,
            "text": content.time_limit_text,
            **({"cases": list(content.time_limit_cases)} if content.time_limit_cases else {}),
            **(
                {"same_day_cutoff": f"{content.same_day_cutoff:%H:%M}"}
                if content.same_day_cutoff
                else {}
            ),
        },
        "fees": [fee.as_dict() for fee in content.fees],
        "components": [
            {
                "code": c.code,
                "name": c.name,
                "original_or_copy": c.original_or_copy,
                "quantity": c.quantity,
                "mandatory": c.mandatory,
                "condition": c.condition or None,
                "template": c.template_name or None,
                "allowed_types": list(c.allowed_types),
                "max_size_bytes": c.max_size_bytes,
            }
            for c in content.components
        ],
        "result": {"type": content.result_type or None, "name": content.result_name},
        "online_level": content.online_level or None,
        "partial_reason": content.partial_reason or None,
        "legal_bases": list(content.legal_bases),
        "form_schema": dict(content.form_schema),
        "prefill": dict(version.prefill or {}),
        "source": dict(content.source),
        "notes": content.notes,
        "processes": [
            _process_document(process_spec(process))
            for process in version.processes.select_related("agency").order_by("agency__code")
        ],
    }


def export_document(*, codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The whole catalogue (or the procedures ``codes``), every version, as one document."""
    versions = ProcedureVersion.objects.select_related("procedure", "procedure__field")
    if codes is not None:
        versions = versions.filter(procedure__code__in=list(codes))
    versions = versions.prefetch_related("components").order_by("procedure__code", "version")
    return {
        "catalogue": CATALOGUE_TITLE,
        "schema_version": FORMAT_VERSION,
        "generated": timezone.localdate().isoformat(),
        "procedures": [record_document(version) for version in versions],
    }


def dump_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- Import ---------------------------------------------------------------------------------------


class _DryRun(Exception):
    pass


def _refused(locator: Locator, index: int | None, exc: DomainError) -> ImportRefused:
    where = locator.describe(index, exc.field)
    return ImportRefused(
        f"{where}: {exc.message}", field=exc.field, status=exc.status, cause=exc.code
    )


def _read_all(
    records: Sequence[Any], locator: Locator, default_effective_from: datetime.date | None
) -> list[tuple[int, RecordSpec]]:
    specs: list[tuple[int, RecordSpec]] = []
    seen: dict[tuple[str, int], int] = {}
    for index, raw in enumerate(records):
        try:
            spec = read_record(raw, default_effective_from=default_effective_from)
        except DomainError as exc:
            raise _refused(locator, index, exc) from None
        key = (spec.procedure.code, spec.version)
        if key in seen:
            raise _refused(
                locator,
                index,
                DomainError(
                    "duplicate",
                    f"Thủ tục {key[0]} phiên bản {key[1]} đã có ở thủ tục thứ {seen[key] + 1}.",
                    field="version",
                ),
            )
        seen[key] = index
        specs.append((index, spec))
    return specs


def import_document(
    *,
    actor: Any,
    document: Any,
    locator: Locator | None = None,
    default_effective_from: datetime.date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a document (decoded JSON, or built from a workbook by :func:`read_workbook`).

    ``default_effective_from`` is used for records without ``effective_from`` (the demo research
    file has none). ``dry_run`` checks and counts everything, then rolls back.
    """
    records = document.get("procedures") if isinstance(document, Mapping) else None
    if not isinstance(records, list):
        raise ImportRefused("Tệp phải là một đối tượng JSON có danh sách «procedures».")
    locator = locator or JsonLocator(records)
    specs = _read_all(records, locator, default_effective_from)
    # By code then version, so a record closing version 1 comes before version 2 starts.
    specs.sort(key=lambda item: (item[1].procedure.code, item[1].version))
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            for index, spec in specs:
                _apply(actor, spec, result, locator, index)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _apply(
    actor: Any, spec: RecordSpec, result: ImportResult, locator: Locator, index: int
) -> None:
    try:
        version, state = services.record_apply(
            actor=actor, procedure_spec=spec.procedure, number=spec.version, content=spec.content
        )
        if spec.processes is not None:
            for _, process_state in services.processes_apply(
                actor=actor, version=version, specs=spec.processes
            ):
                result.processes[process_state] += 1
    except DomainError as exc:
        raise _refused(locator, index, exc) from None
    setattr(result, state, getattr(result, state) + 1)


def load_json(source: Path | IO[bytes] | IO[str]) -> Any:
    """Decode a JSON file; a syntax error is refused with its line and column."""
    try:
        if isinstance(source, Path):
            return json.loads(source.read_text(encoding="utf-8"))
        return json.load(source)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"Tệp JSON không hợp lệ (dòng {exc.lineno}, cột {exc.colno}): {exc.msg}."
        ) from None
    except UnicodeDecodeError:
        raise ImportRefused("Tệp JSON phải được mã hóa UTF-8.") from None


# --- Excel ----------------------------------------------------------------------------------------

SHEET_PROCEDURES = "Thủ tục"
SHEET_FEES = "Phí, lệ phí"
SHEET_COMPONENTS = "Thành phần hồ sơ"
SHEET_PROCESSES = "Quy trình nội bộ"
SHEET_HELP = "Hướng dẫn"

PROCEDURE_COLUMNS = (
    "code",
    "local_code",
    "version",
    "effective_from",
    "effective_to",
    "name",
    "field_name",
    "field_code",
    "levels",
    "applicant_types",
    "active",
    "competent_agency",
    "received_at",
    "submission_channels",
    "time_limit_value",
    "time_limit_unit",
    "time_limit_text",
    "time_limit_cases",
    "same_day_cutoff",
    "result_type",
    "result_name",
    "online_level",
    "partial_reason",
    "legal_bases",
    "source",
    "notes",
    "form_schema",
)
FEE_COLUMNS = ("code", "version", "name", "amount_vnd", "condition", "legal_basis")
COMPONENT_COLUMNS = (
    "code",
    "version",
    "component_code",
    "name",
    "original_or_copy",
    "quantity",
    "mandatory",
    "condition",
    "template",
    "allowed_types",
    "max_size_bytes",
)
PROCESS_COLUMNS = (
    "code",
    "version",
    "agency",
    "process_name",
    "process_active",
    "step_order",
    "step_name",
    "kind",
    "role",
    "department",
    "step_agency",
    "hours",
    "is_lead",
    "parallel_group",
    "allowed_actions",
)
SHEETS: dict[str, tuple[str, ...]] = {
    SHEET_PROCEDURES: PROCEDURE_COLUMNS,
    SHEET_FEES: FEE_COLUMNS,
    SHEET_COMPONENTS: COMPONENT_COLUMNS,
    SHEET_PROCESSES: PROCESS_COLUMNS,
}
#: Columns holding a list: comma-separated, or one item per line for legal bases.
COMMA_LISTS = frozenset(
    {"levels", "applicant_types", "submission_channels", "allowed_types", "allowed_actions"}
)
LINE_LISTS = frozenset({"legal_bases"})
JSON_COLUMNS = frozenset({"time_limit_cases", "source", "form_schema"})
#: Excel refuses longer cell texts.
MAX_CELL = 32_767

HELP_ROWS = (
    ("Danh mục thủ tục hành chính – tệp nhập/xuất của congso.", ""),
    ("", ""),
    ("Trang", "Nội dung"),
    (SHEET_PROCEDURES, "Mỗi dòng là một phiên bản của một thủ tục (mã + phiên bản)."),
    (SHEET_FEES, "Mỗi dòng là một mức phí, lệ phí; cột code và version chỉ thủ tục."),
    (SHEET_COMPONENTS, "Mỗi dòng là một thành phần hồ sơ, theo thứ tự."),
    (SHEET_PROCESSES, "Mỗi dòng là một bước của quy trình nội bộ tại một cơ quan (mã agency)."),
    ("", ""),
    ("Quy ước", ""),
    ("code", "Mã TTHC quốc gia, nhập dạng văn bản (Text) để không mất số 0 cuối."),
    ("local_code", "Mã tạm của địa phương khi chưa có mã quốc gia (để trống cột code)."),
    (
        "Danh sách",
        "levels, applicant_types, submission_channels, allowed_types, "
        "allowed_actions: cách nhau bởi dấu phẩy; legal_bases: mỗi căn cứ một dòng trong ô.",
    ),
    ("JSON", "time_limit_cases, source, form_schema: nội dung JSON."),
    ("Đúng/sai", "TRUE/FALSE, 1/0, có/không."),
    ("Ngày", "Ô ngày của Excel hoặc YYYY-MM-DD."),
    ("", ""),
    ("Chi tiết", "docs/catalog.md của congso."),
)


class WorkbookLocator:
    """'Trang «Phí, lệ phí», dòng 7, cột D (amount_vnd)'."""

    _PROCEDURE_COLUMN = {
        "field.name": "field_name",
        "field.code": "field_code",
        "time_limit.value": "time_limit_value",
        "time_limit.unit": "time_limit_unit",
        "time_limit.text": "time_limit_text",
        "time_limit.cases": "time_limit_cases",
        "time_limit.same_day_cutoff": "same_day_cutoff",
        "result.type": "result_type",
        "result.name": "result_name",
    }

    def __init__(self) -> None:
        self.procedure_rows: list[int] = []
        self.rows: dict[tuple[Any, ...], int] = {}

    @staticmethod
    def _cell(sheet: str, row: int, column: str | None) -> str:
        text = f"Trang «{sheet}», dòng {row}"
        if column in SHEETS[sheet]:
            letter = get_column_letter(SHEETS[sheet].index(column) + 1)
            text += f", cột {letter} ({column})"
        return text

    def describe(self, index: int | None, path: str | None) -> str:
        if index is None or index >= len(self.procedure_rows):
            return "Tệp Excel"
        parts = (path or "").split(".")
        head = parts[0]
        if head in ("fees", "components") and len(parts) >= 2 and parts[1].isdigit():
            sheet = SHEET_FEES if head == "fees" else SHEET_COMPONENTS
            row = self.rows.get((index, head, int(parts[1])))
            column = parts[2] if len(parts) > 2 else None
            if head == "components" and column == "code":
                column = "component_code"
            if row is not None:
                return self._cell(sheet, row, column)
        if head == "processes" and len(parts) >= 2 and parts[1].isdigit():
            return self._process_cell(index, parts)
        key = ".".join(parts[:2])
        column = self._PROCEDURE_COLUMN.get(key, head)
        return self._cell(SHEET_PROCEDURES, self.procedure_rows[index], column)

    def _process_cell(self, index: int, parts: list[str]) -> str:
        process = int(parts[1])
        if len(parts) >= 4 and parts[2] == "steps" and parts[3].isdigit():
            row = self.rows.get((index, "steps", process, int(parts[3])))
            column = {
                "order": "step_order",
                "name": "step_name",
                "agency": "step_agency",
            }.get(parts[4] if len(parts) > 4 else "", parts[4] if len(parts) > 4 else None)
        else:
            row = self.rows.get((index, "processes", process))
            tail = parts[2] if len(parts) > 2 else None
            column = {
                "name": "process_name",
                "active": "process_active",
                "steps": "step_order",
            }.get(tail or "", tail)
        if row is None:
            return self._cell(SHEET_PROCEDURES, self.procedure_rows[index], None)
        return self._cell(SHEET_PROCESSES, row, column)


def _cell_value(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) if value else None
    return value


def _json_cell(value: Any) -> str | None:
    if value in (None, {}, []):
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _procedure_row(record: Mapping[str, Any]) -> list[Any]:
    limit, result, field_ = record["time_limit"], record["result"], record["field"]
    values = {
        **record,
        "local_code": record.get("local_code"),
        "field_name": field_["name"],
        "field_code": field_["code"],
        "time_limit_value": limit["value"],
        "time_limit_unit": limit["unit"],
        "time_limit_text": limit["text"],
        "time_limit_cases": _json_cell(limit.get("cases")),
        "same_day_cutoff": limit.get("same_day_cutoff"),
        "result_type": result["type"],
        "result_name": result["name"],
        "legal_bases": "\n".join(record["legal_bases"]) or None,
        "source": _json_cell(record["source"]),
        "form_schema": _json_cell(record["form_schema"]),
    }
    return [_cell_value(values.get(column)) for column in PROCEDURE_COLUMNS]


def _child_rows(record: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    key = [record["code"] or record.get("local_code"), record["version"]]
    fees = [key + [fee[c] for c in FEE_COLUMNS[2:]] for fee in record["fees"]]
    components = [
        key
        + [
            _cell_value({**component, "component_code": component["code"]}[c])
            for c in COMPONENT_COLUMNS[2:]
        ]
        for component in record["components"]
    ]
    steps = []
    for process in record["processes"]:
        for step in process["steps"]:
            values = {
                "agency": process["agency"],
                "process_name": process["name"],
                "process_active": process["active"],
                "step_order": step["order"],
                "step_name": step["name"],
                "step_agency": step["agency"],
                **{k: step[k] for k in ("kind", "role", "department", "hours", "is_lead")},
                "parallel_group": step["parallel_group"],
                "allowed_actions": step["allowed_actions"],
            }
            steps.append(key + [_cell_value(values[c]) for c in PROCESS_COLUMNS[2:]])
    return {SHEET_FEES: fees, SHEET_COMPONENTS: components, SHEET_PROCESSES: steps}


def _write_row(sheet: Any, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            if len(cell.value) > MAX_CELL:
                raise DomainError(
                    "cell_too_long",
                    f"Ô {cell.coordinate} của trang «{sheet.title}» dài quá {MAX_CELL} ký tự; "
                    "hãy xuất JSON.",
                )
            cell.number_format = "@"
    as_text(sheet[sheet.max_row])


def write_workbook(document: Mapping[str, Any], target: Path | IO[bytes]) -> None:
    """Write ``document`` (as from :func:`export_document`) as an Excel workbook."""
    book = Workbook()
    help_sheet = book.active
    help_sheet.title = SHEET_HELP
    for row in HELP_ROWS:
        append_row(help_sheet, row)
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["B"].width = 100
    sheets = {}
    for title, columns in SHEETS.items():
        sheet = book.create_sheet(title)
        append_row(sheet, columns)
        sheet.freeze_panes = "A2"
        sheets[title] = sheet
    for record in document["procedures"]:
        _write_row(sheets[SHEET_PROCEDURES], _procedure_row(record))
        for title, rows in _child_rows(record).items():
            for values in rows:
                _write_row(sheets[title], values)
    book.save(target)


def _split(column: str, value: Any) -> Any:
    if column in COMMA_LISTS:
        return [item.strip() for item in str(value or "").split(",") if item.strip()]
    if column in LINE_LISTS:
        return [item.strip() for item in str(value or "").splitlines() if item.strip()]
    return value


class _SheetReader:
    def __init__(self, book: Any, title: str, locator: WorkbookLocator):
        self.title = title
        self.locator = locator
        self.columns = SHEETS[title]
        if title not in book.sheetnames:
            raise ImportRefused(f"Tệp Excel thiếu trang «{title}».")
        self.sheet = book[title]

    def refuse(self, row: int, column: str | None, message: str) -> ImportRefused:
        return ImportRefused(f"{self.locator._cell(self.title, row, column)}: {message}")

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        iterator = self.sheet.iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(iterator, ())]
        while header and not header[-1]:
            header.pop()
        unknown = [name for name in header if name not in self.columns]
        missing = [name for name in self.columns if name not in header]
        if unknown or missing:
            problem = (
                f"cột không nhận biết: {', '.join(unknown)}"
                if unknown
                else f"thiếu cột: {', '.join(missing)}"
            )
            raise ImportRefused(f"Trang «{self.title}», dòng 1 (tiêu đề): {problem}.")
        result = []
        for number, cells in enumerate(iterator, start=2):
            values = dict(zip(header, cells, strict=False))
            if all(value in (None, "") for value in values.values()):
                continue
            result.append((number, self._convert(number, values)))
        return result

    def _convert(self, number: int, values: dict[str, Any]) -> dict[str, Any]:
        converted: dict[str, Any] = {}
        for column, raw in values.items():
            value = (raw.strip() or None) if isinstance(raw, str) else raw
            if (
                column in ("code", "local_code")
                and value is not None
                and not isinstance(value, str)
            ):
                raise self.refuse(
                    number, column, "mã thủ tục phải nhập dạng văn bản (Text), ví dụ 1.001193."
                )
            if column in JSON_COLUMNS and value is not None:
                try:
                    value = json.loads(str(value))
                except json.JSONDecodeError as exc:
                    raise self.refuse(number, column, f"JSON không hợp lệ ({exc.msg}).") from None
            converted[column] = _split(column, value)
        return converted

    def key(self, number: int, values: Mapping[str, Any]) -> tuple[str, int]:
        code = values.get("code")
        version = values.get("version")
        if not code:
            raise self.refuse(number, "code", "thiếu mã thủ tục.")
        if version in (None, ""):
            version = 1
        if isinstance(version, float) and version.is_integer():
            version = int(version)
        if isinstance(version, str) and version.isdigit():
            version = int(version)
        if not isinstance(version, int) or isinstance(version, bool):
            raise self.refuse(number, "version", "số phiên bản phải là số nguyên.")
        return str(code), version


def _procedure_record(values: Mapping[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        key: values.get(key)
        for key in (
            "code",
            "local_code",
            "version",
            "effective_from",
            "effective_to",
            "name",
            "levels",
            "applicant_types",
            "active",
            "competent_agency",
            "received_at",
            "submission_channels",
            "online_level",
            "partial_reason",
            "legal_bases",
            "source",
            "notes",
            "form_schema",
        )
    }
    record["field"] = {"name": values.get("field_name"), "code": values.get("field_code")}
    record["time_limit"] = {
        "value": values.get("time_limit_value"),
        "unit": values.get("time_limit_unit"),
        "text": values.get("time_limit_text"),
        "cases": values.get("time_limit_cases"),
        "same_day_cutoff": values.get("same_day_cutoff"),
    }
    record["result"] = {"type": values.get("result_type"), "name": values.get("result_name")}
    record["fees"], record["components"] = [], []
    return record


def _step(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "order": values.get("step_order"),
        "name": values.get("step_name"),
        "kind": values.get("kind"),
        "role": values.get("role"),
        "department": values.get("department"),
        "agency": values.get("step_agency"),
        "hours": values.get("hours"),
        "is_lead": values.get("is_lead"),
        "parallel_group": values.get("parallel_group"),
        "allowed_actions": values.get("allowed_actions"),
    }


def read_workbook(source: Path | IO[bytes]) -> tuple[dict[str, Any], WorkbookLocator]:
    """A workbook as a document for :func:`import_document`, and the locator of its cells."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused(f"Không đọc được tệp Excel (.xlsx): {exc}.") from None
    locator = WorkbookLocator()
    records: list[dict[str, Any]] = []
    by_key: dict[tuple[str, int], int] = {}
    reader = _SheetReader(book, SHEET_PROCEDURES, locator)
    for number, values in reader.rows():
        key = reader.key(number, {**values, "code": values.get("code") or values.get("local_code")})
        if key in by_key:
            raise reader.refuse(number, "version", f"thủ tục {key[0]} phiên bản {key[1]} bị lặp.")
        by_key[key] = len(records)
        locator.procedure_rows.append(number)
        records.append(_procedure_record(values))
    for title, part in ((SHEET_FEES, "fees"), (SHEET_COMPONENTS, "components")):
        child = _SheetReader(book, title, locator)
        for number, values in child.rows():
            index = _owner(child, number, values, by_key)
            item = {k: v for k, v in values.items() if k not in ("code", "version")}
            if part == "components":
                item["code"] = item.pop("component_code")
            locator.rows[(index, part, len(records[index][part]))] = number
            records[index][part].append(item)
    _read_processes(book, locator, records, by_key)
    book.close()
    return {"procedures": records}, locator


def _owner(
    reader: _SheetReader,
    number: int,
    values: Mapping[str, Any],
    by_key: Mapping[tuple[str, int], int],
) -> int:
    key = reader.key(number, values)
    if key not in by_key:
        raise reader.refuse(
            number,
            "code",
            f"không có thủ tục {key[0]} phiên bản {key[1]} ở trang «{SHEET_PROCEDURES}».",
        )
    return by_key[key]


def _read_processes(
    book: Any,
    locator: WorkbookLocator,
    records: list[dict[str, Any]],
    by_key: Mapping[tuple[str, int], int],
) -> None:
    reader = _SheetReader(book, SHEET_PROCESSES, locator)
    positions: dict[tuple[int, str], int] = {}
    for number, values in reader.rows():
        index = _owner(reader, number, values, by_key)
        agency = str(values.get("agency") or "").upper()
        processes = records[index].setdefault("processes", [])
        position = positions.get((index, agency))
        if position is None:
            position = len(processes)
            positions[(index, agency)] = position
            processes.append(
                {
                    "agency": values.get("agency"),
                    "name": values.get("process_name"),
                    "active": values.get("process_active"),
                    "steps": [],
                }
            )
            locator.rows[(index, "processes", position)] = number
        steps = processes[position]["steps"]
        locator.rows[(index, "steps", position, len(steps))] = number
        steps.append(_step(values))
