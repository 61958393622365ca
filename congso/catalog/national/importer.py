"""Turning export records into catalogue procedures, through the catalogue's write services.

One run (:class:`~.models.ImportRun`) reads the exports, selects the province's share, and
applies each record in its own transaction together with its checkpoint row
(:class:`~.models.ImportItem`): a run stopped half-way (killed, a crash, the machine restarted)
resumes after the last record it finished, and records written before the stop are not written
twice. Per record:

* a code the catalogue already has that the import did not create (the curated demo
  procedures, a province's own) is **kept**: the import never writes it;
* outside the share (ministry-level not received, another province's own procedure, a level
  unknown) → excluded, and retired if an earlier run had imported it;
* the same export record as last time (its fingerprint) → unchanged, not even parsed;
* new → procedure and version 1 (from ``effective_from``), its components, the generic online
  form, the default processes at the province's agencies;
* changed → the differences are computed field by field; none that matter → unchanged;
  otherwise a **new version** from ``effective_from`` (:func:`services.version_publish` closes the
  one in force the day before, so dossiers stay on the version they were born under) with its own
  processes, and the diff kept on the item;
* a version an officer edited since the import wrote it (a flagged time limit set, a component
  corrected) is **not overwritten**: the item says so, with the export's diff.

When a complete run (no code filter, no limit) ends, procedures it imported earlier that the
export no longer has (or that left the share) are **retired**: the version in force is closed
the day before ``effective_from`` and the procedure stops being applied.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from congso.catalog import selectors as catalog_selectors
from congso.catalog import services as catalog_services
from congso.catalog.models import Level, Procedure, ProcedureVersion
from congso.catalog.national import agencies as agency_map
from congso.catalog.national.generic_form import generic_form
from congso.catalog.national.models import (
    ImportedProcedure,
    ImportedStatus,
    ImportItem,
    ImportRun,
    Outcome,
    ProvinceShare,
    RunStatus,
)
from congso.catalog.national.parse import (
    FLAGGED,
    LOCAL,
    MISSING,
    PARSED,
    REPORT_FIELDS,
    Flag,
    ParsedRecord,
    ministry_of,
    parse_levels,
    parse_record,
    short,
)
from congso.catalog.national.records import ExportRecord, Sources, read_sources
from congso.catalog.specs import ProcedureSpec, VersionSpec
from congso.core.errors import DomainError

log = logging.getLogger(__name__)

SOURCE_TITLE = "Cơ sở dữ liệu quốc gia về thủ tục hành chính (Cổng Dịch vụ công quốc gia)"
#: Keys of ``source`` that change with every import and are no content change.
VOLATILE_SOURCE_KEYS = ("imported", "run")


@dataclass(frozen=True)
class ImportOptions:
    """What one run imports (kept as the run's ``params``)."""

    detail: tuple[str, ...] = ()
    crawl: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    #: The province whose share is imported (processes at its agencies); "" = every procedure
    #: of the national database (the national catalogue, no processes).
    province: str = ""
    effective_from: str = ""
    codes: tuple[str, ...] = ()
    limit: int | None = None
    processes: bool = True
    #: Records committed together with their checkpoints.
    batch: int = 25
    #: Parse every record again even when its fingerprint is unchanged (after an upgrade of
    #: the parser); still only real changes make new versions.
    force: bool = False
    label: str = ""
    #: What the sources and the scope were when the run was asked for (:func:`signature`):
    #: ``--once`` finds a run already made of the same sources.
    signature: str = ""

    @property
    def complete(self) -> bool:
        """A run over the whole export (only such a run retires procedures)."""
        return not self.codes and self.limit is None

    @property
    def start(self) -> datetime.date:
        return (
            datetime.date.fromisoformat(self.effective_from)
            if self.effective_from
            else timezone.localdate()
        )

    def as_params(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("detail", "crawl", "lists", "codes"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ImportOptions:
        values = dict(params)
        for key in ("detail", "crawl", "lists", "codes"):
            values[key] = tuple(values.get(key) or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in values.items() if key in known})


#: Where each export sits inside the data folder (``settings.CATALOG_NATIONAL_DATA``).
DETAIL_FILES = ("VIETNAM_AI_INNOVATION_CHALLENGE_2026/procedures_parsed.jsonl.gz",)
CRAWL_FILES = ("chatbot_tthc/procedures_no_rawtext.jsonl.gz",)
LIST_FOLDERS = ("chatbot_tthc/xlsx",)


def default_sources(data: Path) -> dict[str, tuple[str, ...]]:
    """The exports found in the data folder (those missing are left out)."""

    def found(names: Iterable[str]) -> tuple[str, ...]:
        return tuple(str(data / name) for name in names if (data / name).exists())

    return {
        "detail": found(DETAIL_FILES),
        "crawl": found(CRAWL_FILES),
        "lists": found(LIST_FOLDERS),
    }


def signature(options: ImportOptions) -> str:
    """A digest of what a run would read: each source file's path, size and modification time,
    the scope (province and its share, codes, limit, processes) — not the effective date."""
    files = []
    for path in (*options.detail, *options.crawl, *options.lists):
        found = Path(path)
        for item in sorted(found.rglob("*")) if found.is_dir() else [found]:
            stat = item.stat() if item.exists() else None
            files.append([str(item), stat.st_size if stat else -1, stat.st_mtime_ns if stat else 0])
    share = Share.of(options.province)
    scope = {
        "province": options.province,
        "share": [sorted(share.central_ministries), sorted(share.central_codes),
                  sorted(share.local_codes), sorted(share.excluded_codes)],
        "codes": sorted(options.codes),
        "limit": options.limit,
        "processes": options.processes,
        "force": options.force,
    }  # fmt: skip
    text = json.dumps({"files": files, "scope": scope}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def options_for(data: Path, **values: Any) -> ImportOptions:
    """Options reading the exports found in ``data`` (unless given), with ``values``."""
    found = default_sources(data)
    for key, paths in found.items():
        values.setdefault(key, paths)
    return ImportOptions(**values)


# --- The share ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """What a province takes (:class:`~.models.ProvinceShare`, or everything)."""

    province: str
    central_ministries: frozenset[str] = frozenset()
    central_codes: frozenset[str] = frozenset()
    local_codes: frozenset[str] = frozenset()
    excluded_codes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, province: str) -> Share:
        row = ProvinceShare.objects.filter(province_code=province).first() if province else None
        if row is None:
            return cls(province=province)
        return cls(
            province=province,
            central_ministries=frozenset(row.central_ministries or ()),
            central_codes=frozenset(row.central_codes or ()),
            local_codes=frozenset(row.local_codes or ()),
            excluded_codes=frozenset(row.excluded_codes or ()),
        )

    def reason_out(self, record: ExportRecord) -> str:  # noqa: PLR0911 (one reason each)
        """Why a record is not in the share ("" when it is)."""
        levels = parse_levels(record.level)
        if not levels:
            return "level_unknown"
        if not self.province:
            return ""
        if record.code in self.excluded_codes:
            return "excluded_by_province"
        ministry, origin = ministry_of(record)
        if origin == LOCAL and record.code not in self.local_codes:
            return "other_province"
        if levels == (Level.CENTRAL,):
            if record.code in self.central_codes or ministry in self.central_ministries:
                return ""
            return "central_not_received"
        return ""


EXCLUSION_MESSAGES = {
    "level_unknown": "Nguồn dữ liệu không ghi cấp thực hiện.",
    "excluded_by_province": "Tỉnh chọn không áp dụng thủ tục này.",
    "other_province": "Thủ tục do UBND một tỉnh khác công bố (thủ tục riêng của địa phương đó).",
    "central_not_received": "Thủ tục cấp bộ, ngành mà tỉnh không tiếp nhận.",
}


# --- From a parsed record to the catalogue's specs ------------------------------------------------


def _json_digest(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain_spec(content: VersionSpec) -> dict[str, Any]:
    data = asdict(content)
    data.pop("effective_to", None)
    data["source"] = {
        k: v for k, v in dict(content.source).items() if k not in VOLATILE_SOURCE_KEYS
    }
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def written_digest(version: ProcedureVersion) -> str:
    """The fingerprint of a stored version's content (its end date and import stamps aside)."""
    spec = catalog_selectors.version_spec(version)
    return _json_digest({"version": _plain_spec(spec), "from": spec.effective_from.isoformat()})


@dataclass
class Prepared:
    parsed: ParsedRecord
    procedure: ProcedureSpec
    content: VersionSpec
    targets: list[agency_map.Target]
    processes: tuple[Any, ...]
    process_note: str


def _source(record: ExportRecord, parsed: ParsedRecord, run: ImportRun, label: str) -> dict:
    national = {
        "decision": record.decision,
        "procedure_type": record.procedure_type,
        "ministry": parsed.ministry,
        "origin": parsed.origin,
        "level_text": record.level,
        "implementing_agency": record.implementing_agency,
        "authorised_agency": record.authorised_agency,
        "coordinating_agency": record.coordinating_agency,
        "applicant_subjects": list(parsed.applicant_subjects),
        "legal_references": list(parsed.legal_references),
        "cases": [
            {
                "name": case.name,
                "components": list(case.components),
                "notes": list(case.notes),
                "alternative": case.alternative,
                "presented": case.presented,
            }
            for case in parsed.cases
        ],
        "steps": record.steps,
        "conditions": record.conditions,
        "keywords": record.keywords,
        "description": record.description,
        "export": record.origin,
        "file": record.source_file,
    }
    return {
        "title": SOURCE_TITLE,
        "url": record.detail_url,
        "export": label,
        "national": {key: value for key, value in national.items() if value not in ("", [], None)},
        "imported": timezone.localdate().isoformat(),
        "run": run.pk,
    }


def prepare(
    record: ExportRecord,
    *,
    run: ImportRun,
    options: ImportOptions,
    province: agency_map.ProvinceAgencies | None,
    per_day: Decimal,
) -> Prepared:
    parsed = parse_record(record)
    procedure = ProcedureSpec(
        code=record.code,
        name=parsed.name,
        field_name=parsed.field_name,
        levels=parsed.levels,
        applicant_types=parsed.applicant_types,
    )
    schema, beyond = generic_form(
        title=parsed.name,
        applicant_types=parsed.applicant_types,
        components=parsed.components,
        cases=parsed.cases,
    )
    if beyond:
        parsed.flag(
            Flag(
                "components",
                "form_too_large",
                f"Biểu mẫu trực tuyến chỉ có ô tải lên cho {len(parsed.components) - len(beyond)} "
                f"giấy tờ đầu; {len(beyond)} giấy tờ còn lại nộp bản giấy.",
            )
        )
    targets: list[agency_map.Target] = []
    processes: tuple[Any, ...] = ()
    note = "no_province"
    if province is not None:
        competent = record.competent_agency
        targets = province.targets(parsed, competent, record.implementing_agency)
        if options.processes:
            processes, note = agency_map.default_processes(parsed, targets, per_day)
        else:
            note = "disabled"
    limit = parsed.time_limit
    conditions = f"Yêu cầu, điều kiện: {record.conditions}" if record.conditions else ""
    content = VersionSpec(
        effective_from=options.start,
        competent_agency_text=short(record.competent_agency or record.implementing_agency),
        received_at_text=short(record.received_at),
        submission_channels=parsed.channels,
        time_limit_value=limit.value,
        time_limit_unit=limit.unit,
        time_limit_text=limit.text,
        time_limit_cases=limit.cases,
        fees=parsed.fees,
        result_name=short(record.result),
        online_level="" if "online" in parsed.channels or not parsed.channels else "none",
        legal_bases=parsed.legal_bases,
        form_schema=schema,
        source=_source(record, parsed, run, options.label),
        notes=short(conditions, 20_000),
        components=parsed.components,
    )
    return Prepared(parsed, procedure, content, targets, processes, note)


# --- Diffs ----------------------------------------------------------------------------------------


def _component_view(spec: Any) -> dict[str, Any]:
    data = asdict(spec)
    data.pop("code", None)
    data["allowed_types"] = list(data["allowed_types"])
    return data


def diff(
    before_procedure: ProcedureSpec | None,
    before: VersionSpec | None,
    after_procedure: ProcedureSpec,
    after: VersionSpec,
) -> dict[str, Any]:
    """What changed, field by field (components by name: added, removed, changed)."""
    changes: dict[str, Any] = {}
    if before_procedure is not None:
        for name in ("name", "field_name", "levels", "applicant_types"):
            old, new = getattr(before_procedure, name), getattr(after_procedure, name)
            if old != new:
                changes[name] = {"before": _jsonable(old), "after": _jsonable(new)}
    if before is None:
        return changes
    old_plain, new_plain = _plain_spec(before), _plain_spec(after)
    for key in (
        "competent_agency_text",
        "received_at_text",
        "submission_channels",
        "time_limit_value",
        "time_limit_unit",
        "time_limit_text",
        "time_limit_cases",
        "fees",
        "result_name",
        "online_level",
        "legal_bases",
        "notes",
        "source",
    ):
        if old_plain[key] != new_plain[key]:
            changes[key] = {"before": old_plain[key], "after": new_plain[key]}
    old_components = {c.name: _component_view(c) for c in before.components}
    new_components = {c.name: _component_view(c) for c in after.components}
    added = [name for name in new_components if name not in old_components]
    removed = [name for name in old_components if name not in new_components]
    changed = [
        name
        for name in new_components
        if name in old_components and new_components[name] != old_components[name]
    ]
    order_changed = [n for n in new_components if n in old_components] != [
        n for n in old_components if n in new_components
    ]
    if added or removed or changed or order_changed:
        changes["components"] = {
            "added": added,
            "removed": removed,
            "changed": changed,
            "reordered": order_changed,
        }
    if "source" in changes and set(changes) == {"source"}:
        # Only the export's description moved (steps wording, keywords): recorded, not a new
        # version on its own.
        changes["source"] = {"note": "mô tả trong nguồn thay đổi"}
    return changes


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def meaningful(changes: Mapping[str, Any]) -> bool:
    return bool(set(changes) - {"source"})


# --- Applying one record --------------------------------------------------------------------------


@dataclass
class Applied:
    outcome: str
    flags: list[Flag] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    diff: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    level: str = ""
    field_name: str = ""


class Context:
    """What every record of a run shares: options, the share, the province's agencies."""

    def __init__(self, run: ImportRun, options: ImportOptions, actor: Any):
        self.run = run
        self.options = options
        self.actor = actor
        self.share = Share.of(options.province)
        self.province = agency_map.ProvinceAgencies(options.province) if options.province else None
        self.per_day = catalog_selectors.hours_per_day(options.province or None)


def _publish_processes(context: Context, version: ProcedureVersion, prepared: Prepared) -> None:
    if prepared.processes:
        catalog_services.processes_apply(
            actor=context.actor, version=version, specs=prepared.processes
        )


def _remember(
    context: Context,
    imported: ImportedProcedure | None,
    procedure: Procedure,
    version: ProcedureVersion,
    record: ExportRecord,
    flags: list[Flag],
) -> None:
    values = {
        "procedure": procedure,
        "version": version,
        "digest": record.digest(),
        "written": written_digest(version),
        "origin": record.origin,
        "status": ImportedStatus.ACTIVE,
        "flags": [flag.as_dict() for flag in flags],
        "last_run": context.run,
    }
    if imported is None:
        ImportedProcedure.objects.create(code=record.code, first_run=context.run, **values)
    else:
        for key, value in values.items():
            setattr(imported, key, value)
        imported.save()


def _level_label(levels: Iterable[str]) -> str:
    return ",".join(levels) or "unknown"


def apply_record(context: Context, record: ExportRecord) -> Applied:  # noqa: PLR0911
    """Apply one export record (in the caller's transaction); see the module docstring."""
    imported = (
        ImportedProcedure.objects.select_related("version", "procedure")
        .filter(code=record.code)
        .first()
    )
    level = _level_label(parse_levels(record.level))
    field_name = record.field[:255]

    def outcome(state: str, message: str) -> Applied:
        return Applied(state, message=message, level=level, field_name=field_name)

    if imported is None and Procedure.objects.filter(code=record.code).exists():
        return outcome(
            Outcome.CURATED,
            "Thủ tục đã có trong danh mục (biên soạn riêng): giữ nguyên, không nhập.",
        )
    reason = context.share.reason_out(record)
    if reason:
        return outcome(Outcome.EXCLUDED, EXCLUSION_MESSAGES[reason])
    if (
        imported is not None
        and imported.status == ImportedStatus.ACTIVE
        and imported.digest == record.digest()
        and not context.options.force
    ):
        return outcome(Outcome.UNCHANGED, "Bản ghi nguồn không đổi.")
    prepared = prepare(
        record,
        run=context.run,
        options=context.options,
        province=context.province,
        per_day=context.per_day,
    )
    parsed = prepared.parsed
    result = Applied(
        Outcome.CREATED,
        flags=parsed.flags,
        status=dict(parsed.status),
        level=level,
        field_name=field_name,
    )
    result.status["agency"] = FLAGGED if any(f.field == "agency" for f in parsed.flags) else PARSED
    if imported is None:
        version, _ = catalog_services.record_apply(
            actor=context.actor,
            procedure_spec=prepared.procedure,
            number=1,
            content=prepared.content,
        )
        _publish_processes(context, version, prepared)
        _remember(context, None, version.procedure, version, record, parsed.flags)
        result.message = _process_message(prepared)
        return result
    procedure = imported.procedure
    latest = procedure.versions.order_by("-version").first()
    before_procedure = catalog_selectors.procedure_spec(procedure)
    before = catalog_selectors.version_spec(latest) if latest is not None else None
    changes = diff(
        before_procedure, before, replace(prepared.procedure, active=True), prepared.content
    )
    # The latest version is not the one the import wrote (an officer published another), or
    # it was edited since: the province's work wins.
    if latest is not None and (
        imported.version_id != latest.pk or written_digest(latest) != imported.written
    ):
        result.outcome = Outcome.LOCAL_EDIT
        result.diff = changes
        result.message = (
            "Phiên bản hiện hành đã được sửa tại tỉnh sau lần nhập trước: không ghi đè; "
            "cán bộ đối chiếu các thay đổi của nguồn."
        )
        return result
    retired = imported.status == ImportedStatus.RETIRED or not procedure.active
    if not meaningful(changes) and not retired and latest is not None:
        imported.digest = record.digest()
        imported.last_run = context.run
        imported.save(update_fields=["digest", "last_run", "updated_at"])
        result.outcome = Outcome.UNCHANGED
        result.message = "Nội dung không đổi (chỉ mô tả trong nguồn thay đổi)."
        return result
    if before_procedure != replace(prepared.procedure, active=before_procedure.active) or retired:
        catalog_services.procedure_update(
            actor=context.actor,
            procedure=procedure,
            name=prepared.procedure.name,
            field_name=prepared.procedure.field_name,
            levels=prepared.procedure.levels,
            applicant_types=prepared.procedure.applicant_types,
            active=True,
        )
    version = catalog_services.version_publish(
        actor=context.actor, procedure=procedure, content=prepared.content, copy_processes=False
    )
    _publish_processes(context, version, prepared)
    _remember(context, imported, procedure, version, record, parsed.flags)
    result.outcome = Outcome.UPDATED
    result.diff = changes if not retired else {**changes, "reinstated": True}
    result.message = f"Phiên bản {version.version} từ {version.effective_from:%d/%m/%Y}. " + (
        _process_message(prepared)
    )
    return result


def _process_message(prepared: Prepared) -> str:
    if prepared.processes:
        return f"{len(prepared.processes)} quy trình nội bộ mặc định."
    return {
        "no_agency": "Chưa có quy trình nội bộ: chưa xác định được cơ quan giải quyết.",
        "no_limit": "Chưa có quy trình nội bộ: thời hạn chưa tính được, cán bộ nhập thời hạn "
        "trước.",
        "limit_too_short": "Chưa có quy trình nội bộ: thời hạn quá ngắn để chia bước.",
        "disabled": "Không tạo quy trình nội bộ (theo tham số).",
        "no_province": "",
    }.get(prepared.process_note, "")


def retire(context: Context, imported: ImportedProcedure) -> Applied:
    """Close the version in force the day before the run's start and stop applying it."""
    procedure = Procedure.objects.get(pk=imported.procedure_id)
    day_before = context.options.start - datetime.timedelta(days=1)
    current = (
        procedure.versions.filter(effective_to__isnull=True).order_by("-version").first()
        or procedure.versions.filter(effective_to__gt=day_before).order_by("-version").first()
    )
    if current is not None and current.effective_from <= day_before:
        content = replace(catalog_selectors.version_spec(current), effective_to=day_before)
        catalog_services.version_update(actor=context.actor, version=current, content=content)
    catalog_services.procedure_update(actor=context.actor, procedure=procedure, active=False)
    imported.status = ImportedStatus.RETIRED
    imported.last_run = context.run
    if current is not None and imported.version_id == current.pk:
        current.refresh_from_db()
        imported.written = written_digest(current)
    imported.save()
    return Applied(
        Outcome.RETIRED,
        message=f"Không còn trong nguồn (hoặc trong phần của tỉnh): ngừng áp dụng từ "
        f"{context.options.start:%d/%m/%Y}.",
        level=_level_label(procedure.levels or ()),
        field_name=procedure.field.name[:255] if procedure.field_id else "",
    )


# --- A run ----------------------------------------------------------------------------------------


ProgressHook = Callable[[ImportRun], None]


def load_sources(options: ImportOptions) -> Sources:
    return read_sources(
        detail=[Path(p) for p in options.detail],
        crawl=[Path(p) for p in options.crawl],
        lists=[Path(p) for p in options.lists],
    )


def _save_item(run: ImportRun, code: str, applied: Applied) -> None:
    ImportItem.objects.create(
        run=run,
        code=code,
        outcome=applied.outcome,
        level=applied.level[:40],
        field_name=applied.field_name,
        status=applied.status,
        flags=[flag.as_dict() for flag in applied.flags],
        diff=_jsonable(applied.diff),
        message=applied.message[:4000],
    )


#: A running run whose heartbeat is older than this has stopped (killed, machine restarted).
STALE = datetime.timedelta(minutes=2)


def resumable(run: ImportRun) -> bool:
    """Whether ``run`` stopped before its end: failed, or running without a live process (its
    heartbeat older than :data:`STALE`); a pending run waits for the worker, a done one is done."""
    if run.status == RunStatus.FAILED:
        return True
    if run.status != RunStatus.RUNNING:
        return False
    return run.heartbeat_at is None or run.heartbeat_at < timezone.now() - STALE


def _progress(run: ImportRun, total: int) -> None:
    run.progress = min(99, int(run.done * 100 / max(total, 1)))
    ImportRun.objects.filter(pk=run.pk).update(
        done=run.done, progress=run.progress, heartbeat_at=timezone.now()
    )


def claim(run: ImportRun) -> bool:
    """Take the run for this process: pending or stopped, or running with a stale heartbeat
    (its process died). False when another process is running it."""
    now = timezone.now()
    taken = (
        ImportRun.objects.filter(pk=run.pk)
        .filter(
            Q(status__in=(RunStatus.PENDING, RunStatus.FAILED))
            | Q(status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE)
            | Q(status=RunStatus.RUNNING, heartbeat_at__isnull=True)
        )
        .update(status=RunStatus.RUNNING, heartbeat_at=now, error="")
    )
    return bool(taken)


def _refused(record: ExportRecord, exc: DomainError) -> Applied:
    return Applied(
        Outcome.REFUSED,
        message=f"{exc.message} (mã lỗi {exc.code}"
        + (f", mục {exc.field}" if exc.field else "")
        + ")",
        level=_level_label(parse_levels(record.level)),
        field_name=record.field[:255],
    )


@dataclass
class Plan:
    """What a run goes through: the records (in code order) and the procedures to retire."""

    sources: Sources
    codes: list[str]
    to_retire: list[ImportedProcedure]

    @property
    def total(self) -> int:
        retiring = {imported.code for imported in self.to_retire}
        return len([c for c in self.codes if c not in retiring]) + len(self.to_retire)


def plan(options: ImportOptions, share: Share) -> Plan:
    sources = load_sources(options)
    codes = sorted(sources.records)
    if options.codes:
        wanted = set(options.codes)
        codes = [code for code in codes if code in wanted]
    if options.limit is not None:
        codes = codes[: options.limit]
    to_retire: list[ImportedProcedure] = []
    if options.complete:
        in_export = {c for c in codes if not share.reason_out(sources.records[c])}
        to_retire = list(
            ImportedProcedure.objects.filter(status=ImportedStatus.ACTIVE).exclude(
                code__in=in_export
            )
        )
    return Plan(sources, codes, to_retire)


def _apply_batches(
    context: Context, work: Plan, done: set[str], on_record: ProgressHook | None
) -> None:
    run, batch = context.run, max(context.options.batch, 1)
    retiring = {imported.code for imported in work.to_retire}
    pending = [code for code in work.codes if code not in done and code not in retiring]
    for offset in range(0, len(pending), batch):
        # A batch of records and their checkpoints commit together (one commit, not one per
        # record); a record the catalogue refuses is rolled back alone.
        with transaction.atomic():
            for code in pending[offset : offset + batch]:
                record = work.sources.records[code]
                try:
                    with transaction.atomic():
                        applied = apply_record(context, record)
                except DomainError as exc:
                    applied = _refused(record, exc)
                _save_item(run, code, applied)
                run.done += 1
            _progress(run, work.total)
        if on_record is not None:
            on_record(run)
    for imported in work.to_retire:
        if imported.code in done:
            continue
        with transaction.atomic():
            _save_item(run, imported.code, retire(context, imported))
            run.done += 1
            _progress(run, work.total)
        if on_record is not None:
            on_record(run)


def execute(
    run: ImportRun,
    *,
    actor: Any = None,
    on_record: ProgressHook | None = None,
) -> ImportRun:
    """Run (or resume) ``run`` to the end. Each batch of records commits with its checkpoints;
    an exception stops the run (status failed, resumable) after the batches already committed.
    A run another live process holds is left alone."""
    options = ImportOptions.from_params(run.params)
    if not claim(run):
        run.refresh_from_db()
        return run
    if run.started_at is None:
        ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
    run.refresh_from_db()
    try:
        context = Context(run, options, actor)
        work = plan(options, context.share)
        ImportRun.objects.filter(pk=run.pk).update(total=work.total)
        run.total = work.total
        _apply_batches(context, work, set(run.items.values_list("code", flat=True)), on_record)
        report = build_report(run, work.sources)
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, progress=100, report=report, finished_at=timezone.now()
        )
    except Exception:
        log.exception("national catalogue import %s stopped", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error=traceback.format_exc(limit=4)[-3000:],
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        raise
    run.refresh_from_db()
    return run


# --- The report -----------------------------------------------------------------------------------


def build_report(run: ImportRun, sources: Sources) -> dict[str, Any]:
    """Counts by outcome, level, field; parsed / flagged / missing per field; flags by code."""
    items = list(run.items.values("outcome", "level", "field_name", "status", "flags"))
    outcomes = Counter(item["outcome"] for item in items)
    imported = [i for i in items if i["outcome"] in (Outcome.CREATED, Outcome.UPDATED)]
    by_level: dict[str, Counter[str]] = {}
    for item in items:
        by_level.setdefault(item["level"] or "unknown", Counter())[item["outcome"]] += 1
    fields = Counter(item["field_name"] for item in imported)
    per_field: dict[str, Counter[str]] = {name: Counter() for name in REPORT_FIELDS}
    for item in imported:
        for name, state in (item["status"] or {}).items():
            per_field.setdefault(name, Counter())[state] += 1
    flag_codes = Counter(flag["code"] for item in imported for flag in item["flags"] or ())
    flagged_records = sum(1 for item in imported if item["flags"])
    return {
        "sources": {
            "detail_records": sources.detail_count,
            "crawl_records": sources.crawl_count,
            "crawl_only": sources.crawl_only,
            "list_rows": sources.list_count,
            "listed_without_detail": len(sources.listed_only),
            "merged": len(sources.records),
            "duplicates": len(sources.duplicates),
            "unreadable": len(sources.unreadable),
        },
        "outcomes": dict(sorted(outcomes.items())),
        "by_level": {level: dict(sorted(c.items())) for level, c in sorted(by_level.items())},
        "fields": len(fields),
        "top_fields": dict(fields.most_common(20)),
        "per_field": {
            name: {state: counter.get(state, 0) for state in (PARSED, FLAGGED, MISSING)}
            for name, counter in per_field.items()
        },
        "flags": dict(flag_codes.most_common()),
        "records_flagged": flagged_records,
        "records_imported": len(imported),
    }


LEVEL_LABELS = {
    "central": "Cấp trung ương",
    "province": "Cấp tỉnh",
    "commune": "Cấp xã",
    "unknown": "Không rõ cấp",
}
FIELD_LABELS = {
    "level": "Cấp thực hiện",
    "applicant_types": "Đối tượng thực hiện",
    "time_limit": "Thời hạn giải quyết",
    "fees": "Phí, lệ phí",
    "components": "Thành phần hồ sơ",
    "legal_bases": "Căn cứ pháp lý",
    "agency": "Cơ quan giải quyết",
}
FLAG_LABELS = {
    "limit_other": "Thời hạn đơn vị «khác» (OTHER)",
    "limit_text": "Thời hạn là văn bản tự do",
    "limit_unit": "Thời hạn theo tháng, năm hoặc đơn vị lạ",
    "limit_zero": "Thời hạn bằng 0",
    "limit_missing": "Không ghi thời hạn",
    "fee_in_text": "Mức phí chỉ có trong ghi chú",
    "fee_text": "Phí, lệ phí là văn bản tự do",
    "components_missing": "Không ghi thành phần hồ sơ",
    "component_truncated": "Tên giấy tờ bị cắt cụt",
    "form_too_large": "Quá nhiều giấy tờ cho biểu mẫu",
    "applicants_unknown": "Không ghi đối tượng thực hiện",
    "level_unknown": "Không ghi cấp thực hiện",
    "agency_unmatched": "Không xác định được cơ quan của tỉnh",
}


def level_label(levels: str) -> str:
    """ "commune" → "Cấp xã"; "central,province" → "Cấp trung ương, Cấp tỉnh"."""
    return ", ".join(LEVEL_LABELS.get(part, part) for part in (levels or "unknown").split(","))


def report_tables(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report as labelled rows for the progress page."""
    labels = dict(Outcome.choices)
    outcomes = list(report.get("outcomes", {}))
    return {
        "outcomes": [(labels.get(k, k), v) for k, v in report.get("outcomes", {}).items()],
        "outcome_labels": [labels.get(k, k) for k in outcomes],
        "levels": [
            (level_label(level), [counts.get(k, 0) for k in outcomes])
            for level, counts in report.get("by_level", {}).items()
        ],
        "fields": [
            (
                FIELD_LABELS.get(name, name),
                counts.get(PARSED, 0),
                counts.get(FLAGGED, 0),
                counts.get(MISSING, 0),
            )
            for name, counts in report.get("per_field", {}).items()
        ],
        "flags": [(FLAG_LABELS.get(k, k), v) for k, v in report.get("flags", {}).items()],
        "top_fields": list(report.get("top_fields", {}).items()),
        "field_count": report.get("fields", 0),
        "records_flagged": report.get("records_flagged", 0),
    }


def summary(report: Mapping[str, Any]) -> str:
    """The report in a few Vietnamese lines (the command's output)."""
    outcomes = report.get("outcomes", {})
    labels = dict(Outcome.choices)
    lines = [
        "Kết quả: "
        + ", ".join(f"{labels.get(k, k)} {v}" for k, v in outcomes.items())
        + f" (bản ghi có mục cần cán bộ xem: {report.get('records_flagged', 0)})."
    ]
    levels = report.get("by_level", {})
    lines.append(
        "Theo cấp: "
        + "; ".join(
            f"{level_label(level)}: "
            + ", ".join(f"{labels.get(k, k)} {v}" for k, v in counts.items())
            for level, counts in levels.items()
        )
    )
    lines.append(f"Số lĩnh vực có thủ tục được nhập: {report.get('fields', 0)}.")
    for name, counts in report.get("per_field", {}).items():
        lines.append(
            f"  {FIELD_LABELS.get(name, name)} ({name}): đọc được {counts.get(PARSED, 0)}, "
            f"cần xem {counts.get(FLAGGED, 0)}, nguồn không có {counts.get(MISSING, 0)}"
        )
    flags = report.get("flags", {})
    if flags:
        lines.append(
            "Cần xem: " + "; ".join(f"{FLAG_LABELS.get(c, c)} ({c}) {n}" for c, n in flags.items())
        )
    return "\n".join(lines)
