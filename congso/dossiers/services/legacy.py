"""Bulk import of another one-stop system's dossiers (issue 22, ``docs/legacy-import.md``).

The bulk write path of the dossiers domain: ``manage.py import_legacy_dossiers`` reads the
file and hands it over in batches to :func:`import_batch`, which

1. skips the codes already in the database (the import is idempotent by code, so a run that
   stopped is simply run again);
2. checks every record by the domain's rules (:func:`prepare`): the procedure, its version and
   the agency's desk from the catalogue and the organisation, the channel the version accepts,
   the applicant's personal ID or tax code, the code (kept as given), the order of the dates,
   and the history as a chain of the workflow's transitions ending in the dossier's status;
   files are read, typed by their content and checked against their slot like an upload
   (active PDF content refused); a bad record is reported with its line and a stable code and
   written not at all;
3. writes the batch's good records in **one transaction** with multi-row inserts: the
   applicants it does not know (org's bulk path), the dossiers with their component slots,
   attachments, history, supplement requests, rating and, for a dossier still open, its
   current step; the code counters moved past the numbers the codes carry
   (:func:`congso.dossiers.codes.advance_past`); one audit event per dossier
   (``dossiers.import``, :func:`congso.audit.services.record_many`, the same chain). A failure
   rolls the whole batch back and deletes the files it stored.

The in-transaction hooks (indicators, the national-portal sync, fees) do not run per dossier:
after the import the command calls :data:`congso.dossiers.hooks.after_bulk_write`, on which
the indicators rebuild their aggregates (without stopping other writes). No outbox event is
written: an imported dossier was already reported by the system it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from congso.audit.services import Entry, record_many
from congso.catalog.models import Component, Procedure, ProcedureVersion, Process
from congso.core.errors import DomainError
from congso.core.types import Actor
from congso.dossiers import attachments, codes, deadlines
from congso.dossiers.models import (
    Attachment,
    Channel,
    CodeRule,
    Dossier,
    DossierComponent,
    DossierHistory,
    DossierStep,
    Rating,
    ReturnMethod,
    StepStatus,
    SupplementRequest,
)
from congso.dossiers.services._kernel import MAX_TEXT, calendar_for
from congso.dossiers.services.intake import _check_channel, default_desk
from congso.dossiers.services.plan import _processing_bounds, plan_of
from congso.dossiers.workflow import TRANSITIONS, Status
from congso.org import services as org_services
from congso.org.identity import validate_personal_id, validate_tax_code
from congso.org.models import Agency, Desk

#: History actions an imported dossier may carry besides the workflow's transitions.
CREATING_ACTIONS = frozenset({"submit", "receive"})
OTHER_ACTIONS = frozenset({"mark_component", "reassign"})
#: Statuses that end the dossier's processing (``ended_at`` required).
ENDED_STATUSES = frozenset({Status.PROCESSED, Status.RETURNED, Status.STOPPED})
#: Open statuses whose dossier is at a processing step (one active step is made for it).
AT_STEP_STATUSES = frozenset(
    {Status.PROCESSING, Status.PAYMENT_REQUESTED, Status.WITHDRAWAL_REQUESTED}
)
IMPORT_ACTION = "dossiers.import"


class RecordError(DomainError):
    """A record that cannot be imported: its ``code`` (stable), ``field`` and message."""


def _fail(code: str, message: str, field: str = "") -> RecordError:
    return RecordError(code, message, field=field or None)


# --- Reading one record ---------------------------------------------------------------------------


def _str(raw: Mapping[str, Any], name: str, *, required: bool = False, limit: int = 255) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail("invalid_value", f"«{name}» phải là chuỗi ký tự.", name)
    value = value.strip()
    if required and not value:
        raise _fail("required", f"Thiếu «{name}».", name)
    if len(value) > limit:
        raise _fail("too_long", f"«{name}» dài quá {limit} ký tự.", name)
    return value


def _when(raw: Mapping[str, Any], name: str, *, required: bool = False) -> datetime | None:
    value = raw.get(name)
    if value in (None, ""):
        if required:
            raise _fail("required", f"Thiếu thời điểm «{name}».", name)
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise _fail(
            "invalid_datetime",
            f"«{name}» không phải thời điểm ISO 8601 (ví dụ 2025-03-14T08:30:00+07:00): "
            f"{str(value)[:40]!r}.",
            name,
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _must(raw: Mapping[str, Any], name: str) -> datetime:
    value = _when(raw, name, required=True)
    assert value is not None
    return value


@dataclass
class _File:
    component: str
    name: str
    path: Path
    checked: attachments.Checked
    uploaded_at: datetime


@dataclass
class Prepared:
    """One record checked and turned into the rows it will write (not yet saved)."""

    line: int
    dossier: Dossier
    applicant: dict[str, Any]
    slots: list[Component]
    history: list[DossierHistory]
    supplements: list[SupplementRequest]
    rating: Rating | None
    files: list[_File]
    step: DossierStep | None
    parsed_code: codes.Parsed | None


@dataclass
class Problem:
    line: int
    code: str
    error: str
    field: str
    message: str


@dataclass
class BatchResult:
    imported: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    audit_events: int = 0


class Lookups:
    """What every record reads from the catalogue and the organisation, read once per import."""

    def __init__(self) -> None:
        self.procedures: dict[str, tuple[Procedure, list[ProcedureVersion]] | None] = {}
        self.agencies: dict[str, Agency | None] = {}
        self.desks: dict[tuple[int, int | None], Desk] = {}
        self.processes: dict[tuple[int, int], Process | None] = {}
        self.slots: dict[int, list[Component]] = {}
        self.rules = list(CodeRule.objects.order_by("effective_from"))
        self.first_steps: dict[tuple[int | None, int], Any] = {}
        self.calendars: dict[int, Any] = {}

    def calendar(self, agency: Agency) -> Any:
        if agency.pk not in self.calendars:
            self.calendars[agency.pk] = calendar_for(agency)
        return self.calendars[agency.pk]

    def procedure(self, code: str) -> tuple[Procedure, list[ProcedureVersion]]:
        if code not in self.procedures:
            procedure = Procedure.objects.filter(code=code).select_related("field").first()
            self.procedures[code] = (
                (procedure, list(procedure.versions.order_by("effective_from", "version")))
                if procedure is not None
                else None
            )
        found = self.procedures[code]
        if found is None:
            raise _fail("unknown_procedure", f"Không có thủ tục mã «{code}».", "procedure")
        return found

    def agency(self, code: str, field_name: str) -> Agency:
        if code not in self.agencies:
            self.agencies[code] = (
                Agency.objects.filter(code=code).select_related("province").first()
            )
        agency = self.agencies[code]
        if agency is None:
            raise _fail("unknown_agency", f"Không có cơ quan mã «{code}».", field_name)
        return agency

    def desk(self, competent: Agency, receiving: Agency | None) -> Desk:
        key = (competent.pk, receiving.pk if receiving else None)
        if key not in self.desks:
            desk = None
            if receiving is not None:
                desk = (
                    Desk.objects.filter(agency=receiving, serves=competent)
                    .select_related("agency")
                    .order_by("-active", "pk")
                    .first()
                )
                if desk is None:
                    raise _fail(
                        "desk_not_serving",
                        f"{receiving.name} không có Bộ phận Một cửa tiếp nhận hồ sơ cho "
                        f"{competent.name}.",
                        "receiving_agency",
                    )
            self.desks[key] = desk or default_desk(competent)
        return self.desks[key]

    def process(self, version: ProcedureVersion, agency: Agency) -> Process | None:
        key = (version.pk, agency.pk)
        if key not in self.processes:
            self.processes[key] = (
                Process.objects.filter(version=version, agency=agency, active=True)
                .order_by("pk")
                .first()
            )
        return self.processes[key]

    def components(self, version: ProcedureVersion) -> list[Component]:
        if version.pk not in self.slots:
            self.slots[version.pk] = list(version.components.order_by("order"))
        return self.slots[version.pk]

    def rule(self, day: date) -> CodeRule:
        if not self.rules:
            raise _fail("no_code_rule", "Chưa có quy định mã số hồ sơ nào.")
        chosen = self.rules[0]
        for rule in self.rules:
            if rule.effective_from <= day:
                chosen = rule
        return chosen

    def first_step(self, dossier: Dossier) -> Any:
        """The first processing step of the dossier's plan (its agency's process or the
        fallback step), where an open imported dossier is put."""
        key = (dossier.process_id, dossier.competent_agency_id)
        if key not in self.first_steps:
            plan = plan_of(dossier, self.calendar(dossier.competent_agency))
            start, _end = _processing_bounds(plan)
            self.first_steps[key] = plan[start][0]
        return self.first_steps[key]


def _version(procedure: Procedure, versions: list[ProcedureVersion], raw: Mapping[str, Any],
             day: date) -> ProcedureVersion:  # fmt: skip
    wanted = raw.get("procedure_version")
    if wanted not in (None, ""):
        for version in versions:
            if str(version.version) == str(wanted):
                return version
        raise _fail(
            "unknown_procedure_version",
            f"Thủ tục {procedure.code} không có phiên bản {wanted}.",
            "procedure_version",
        )
    if not versions:
        raise _fail(
            "procedure_not_in_force",
            f"Thủ tục {procedure.code} chưa có phiên bản nào.",
            "procedure",
        )

    def covers(v: ProcedureVersion) -> bool:
        return v.effective_from <= day and (v.effective_to is None or v.effective_to >= day)

    in_force = [v for v in versions if covers(v)]
    if in_force:
        return in_force[-1]
    # A dossier older than the catalogue's first version: the latest version begun by then,
    # else that first version.
    begun = [v for v in versions if v.effective_from <= day]
    return begun[-1] if begun else versions[0]


def _applicant(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail("applicant_required", "Thiếu người nộp («applicant»).", "applicant")
    kind = raw.get("kind", "citizen")
    name = _str(raw, "name", required=True)
    email = _str(raw, "email", limit=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _fail(
                "invalid_email", f"Địa chỉ thư điện tử «{email}» không hợp lệ.", "applicant.email"
            ) from None
    common = {
        "name": name,
        "address": _str(raw, "address"),
        "phone": _str(raw, "phone", limit=20),
        "email": email,
    }
    try:
        if kind == "citizen":
            number = validate_personal_id(_str(raw, "personal_id", required=True)).number
            return {"kind": "citizen", "id_number": number, **common}
        if kind == "organisation":
            number = validate_tax_code(_str(raw, "tax_code", required=True))
            return {"kind": "organisation", "id_number": number, **common}
    except DomainError as exc:
        raise _fail(exc.code, str(exc.message), f"applicant.{exc.field or 'id'}") from None
    raise _fail(
        "invalid_value", "«applicant.kind» là «citizen» hoặc «organisation».", "applicant.kind"
    )


def _history(
    raw: Any, *, status: Status, submitted_at: datetime, actor_label: str
) -> list[DossierHistory]:
    if not isinstance(raw, list) or not raw:
        raise _fail("history_required", "Thiếu lịch sử xử lý («history»).", "history")
    rows: list[DossierHistory] = []
    state = ""
    last_at = submitted_at
    for index, item in enumerate(raw):
        where = f"history[{index}]"
        if not isinstance(item, Mapping):
            raise _fail("invalid_value", f"«{where}» phải là một đối tượng.", where)
        action = _str(item, "action", required=True, limit=30)
        at = _when(item, "at", required=True)
        assert at is not None
        if at < last_at:
            raise _fail(
                "history_out_of_order",
                f"«{where}»: thời điểm {at:%d/%m/%Y %H:%M} trước bước trước đó.",
                where,
            )
        target_raw = _str(item, "to_status", limit=25) or state
        try:
            target = Status(target_raw)
        except ValueError:
            raise _fail(
                "invalid_status", f"«{where}.to_status»: không có trạng thái «{target_raw}».", where
            ) from None
        if index == 0:
            if action not in CREATING_ACTIONS:
                raise _fail(
                    "invalid_transition",
                    "Dòng lịch sử đầu tiên phải là «submit» (nộp) hoặc «receive» (tiếp nhận).",
                    where,
                )
        elif action in TRANSITIONS:
            rule = TRANSITIONS[action]
            lands = rule.target if rule.target is not None else Status(state)
            if Status(state) not in rule.sources or target != lands:
                raise _fail(
                    "invalid_transition",
                    f"«{where}»: không thể «{rule.label_vi}» từ trạng thái «{state}» sang "
                    f"«{target.value}».",
                    where,
                )
        elif action not in OTHER_ACTIONS:
            raise _fail("unknown_action", f"«{where}»: không có thao tác «{action}».", where)
        rows.append(
            DossierHistory(
                action=action,
                from_status=state,
                to_status=target.value,
                actor_label=_str(item, "actor") or actor_label,
                step_name=_str(item, "step_name"),
                at=at,
                due_at=_when(item, "due_at"),
                outcome=_str(item, "outcome", limit=30),
                note=_str(item, "note", limit=MAX_TEXT),
                data={"legacy": True},
            )
        )
        state, last_at = target.value, at
    if state != status.value:
        raise _fail(
            "history_status_mismatch",
            f"Lịch sử kết thúc ở trạng thái «{state}» nhưng hồ sơ ở trạng thái «{status.value}».",
            "history",
        )
    return rows


def _files(raw: Any, slots: list[Component], files_dir: Path | None) -> list[_File]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise _fail("invalid_value", "«files» phải là một danh sách.", "files")
    by_code = {slot.code: slot for slot in slots}
    out: list[_File] = []
    for index, item in enumerate(raw):
        where = f"files[{index}]"
        if not isinstance(item, Mapping):
            raise _fail("invalid_value", f"«{where}» phải là một đối tượng.", where)
        component = _str(item, "component", required=True, limit=60)
        slot = by_code.get(component)
        if slot is None:
            raise _fail(
                "unknown_component",
                f"Thủ tục không có thành phần hồ sơ mã «{component}».",
                f"{where}.component",
            )
        relative = _str(item, "path", required=True, limit=1000)
        if files_dir is None:
            raise _fail("files_dir_required", "Hồ sơ có tệp nhưng không có thư mục tệp.", where)
        path = (files_dir / relative).resolve()
        if files_dir.resolve() not in path.parents or not path.is_file():
            raise _fail("file_not_found", f"Không thấy tệp «{relative}».", f"{where}.path")
        name = _str(item, "name") or path.name
        with path.open("rb") as handle:
            checked = attachments.check(
                handle,
                name=name,
                slot_code=slot.code,
                slot_name=slot.name,
                allowed_types=slot.allowed_types,
                max_size_bytes=slot.max_size_bytes,
            )
        expected = _str(item, "sha256", limit=64).lower()
        if expected and expected != checked.sha256:
            raise _fail(
                "file_checksum_mismatch",
                f"Tệp «{relative}» không khớp mã SHA-256 đã khai.",
                f"{where}.sha256",
            )
        out.append(
            _File(
                component=component,
                name=checked.name,
                path=path,
                checked=checked,
                uploaded_at=_when(item, "uploaded_at") or timezone.now(),
            )
        )
    return out


def _supplements(raw: Any, actor: Any) -> list[SupplementRequest]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise _fail("invalid_value", "«supplements» phải là một danh sách.", "supplements")
    if actor is None:
        raise _fail(
            "actor_required",
            "Hồ sơ có yêu cầu bổ sung: cần chọn người thực hiện việc nhập (--actor).",
            "supplements",
        )
    out = []
    for index, item in enumerate(raw):
        where = f"supplements[{index}]"
        if not isinstance(item, Mapping):
            raise _fail("invalid_value", f"«{where}» phải là một đối tượng.", where)
        phase = _str(item, "phase") or SupplementRequest.Phase.RECEPTION
        if phase not in SupplementRequest.Phase.values:
            raise _fail("invalid_value", f"«{where}.phase» là «reception» hoặc «appraisal».", where)
        items = item.get("items") or []
        if not isinstance(items, list):
            raise _fail("invalid_value", f"«{where}.items» phải là một danh sách.", where)
        out.append(
            SupplementRequest(
                phase=phase,
                reason=_str(item, "reason", required=True, limit=MAX_TEXT),
                items=items,
                counts=bool(item.get("counts", True)),
                requested_at=_must(item, "requested_at"),
                requested_by=actor,
                fulfilled_at=_when(item, "fulfilled_at"),
            )
        )
    return out


def _rating(raw: Any, status: Status) -> Rating | None:
    if raw in (None, {}):
        return None
    if not isinstance(raw, Mapping):
        raise _fail("invalid_value", "«rating» phải là một đối tượng.", "rating")
    if status != Status.RETURNED:
        raise _fail("invalid_transition", "Chỉ hồ sơ đã trả kết quả mới có đánh giá.", "rating")
    score = raw.get("score")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise _fail("invalid_value", "«rating.score» là số nguyên từ 1 đến 5.", "rating.score")
    return Rating(
        score=score,
        comment=_str(raw, "comment", limit=MAX_TEXT),
        created_at=_must(raw, "at"),
    )


def _check_dates(d: Dossier) -> None:
    order: list[tuple[str, datetime | None]] = [
        ("submitted_at", d.submitted_at),
        ("received_at", d.received_at),
        ("ended_at", d.ended_at),
        ("returned_at", d.returned_at),
    ]
    previous_name, previous = "submitted_at", d.submitted_at
    for name, value in order[1:]:
        if value is None:
            continue
        if value < previous:
            raise _fail("dates_out_of_order", f"«{name}» trước «{previous_name}».", name)
        previous_name, previous = name, value
    state = d.state
    if state not in (Status.SUBMITTED, Status.NOT_ACCEPTED, Status.WITHDRAWN) and (
        d.received_at is None and state != Status.SUPPLEMENT_REQUESTED
    ):
        raise _fail(
            "required", f"Hồ sơ ở trạng thái «{state.value}» cần «received_at».", "received_at"
        )
    if state in ENDED_STATUSES and d.ended_at is None:
        raise _fail("required", f"Hồ sơ ở trạng thái «{state.value}» cần «ended_at».", "ended_at")
    if state == Status.RETURNED and d.returned_at is None:
        raise _fail("required", "Hồ sơ đã trả kết quả cần «returned_at».", "returned_at")


def prepare(  # noqa: PLR0915 (one record's checks, in reading order)
    raw: Any, *, line: int, lookups: Lookups, actor: Any, files_dir: Path | None
) -> Prepared:
    """Check one record by the domain's rules and build its rows (raises :class:`RecordError`,
    or the domain's :class:`DomainError` with its own code)."""
    if not isinstance(raw, Mapping):
        raise _fail("invalid_record", "Mỗi dòng phải là một đối tượng JSON.")
    code = _str(raw, "code", required=True, limit=60)
    if codes.is_provisional(code):
        raise _fail(
            "invalid_code",
            f"Mã số hồ sơ không được bắt đầu bằng «{codes.PROVISIONAL_PREFIX}».",
            "code",
        )
    procedure, versions = lookups.procedure(_str(raw, "procedure", required=True, limit=60))
    competent = lookups.agency(_str(raw, "agency", required=True, limit=13), "agency")
    receiving_code = _str(raw, "receiving_agency", limit=13)
    receiving = lookups.agency(receiving_code, "receiving_agency") if receiving_code else None
    desk = lookups.desk(competent, receiving)
    channel = _str(raw, "channel", required=True, limit=10)
    if channel not in Channel.values:
        raise _fail("invalid_value", "«channel» là «online», «in_person» hoặc «postal».", "channel")
    status_raw = _str(raw, "status", required=True, limit=25)
    try:
        status = Status(status_raw)
    except ValueError:
        raise _fail("invalid_status", f"Không có trạng thái «{status_raw}».", "status") from None
    submitted_at = _when(raw, "submitted_at", required=True)
    assert submitted_at is not None
    day = timezone.localdate(submitted_at)
    version = _version(procedure, versions, raw, day)
    _check_channel(version, channel)
    applicant = _applicant(raw.get("applicant"))
    form_data = raw.get("form_data") or {}
    if not isinstance(form_data, Mapping):
        raise _fail("invalid_value", "«form_data» phải là một đối tượng.", "form_data")
    return_method = _str(raw, "return_method", limit=10)
    if return_method and return_method not in ReturnMethod.values:
        raise _fail(
            "invalid_value", "«return_method» là «desk», «post» hoặc «online».", "return_method"
        )
    rule = lookups.rule(timezone.localdate(_when(raw, "received_at") or submitted_at))
    dossier = Dossier(
        code=code,
        code_rule=rule,
        procedure_version=version,
        process=lookups.process(version, competent),
        channel=channel,
        status=status.value,
        applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"],
        applicant_address=applicant["address"],
        applicant_phone=applicant["phone"],
        applicant_email=applicant["email"],
        desk=desk,
        receiving_agency=desk.agency,
        competent_agency=competent,
        form_data=dict(form_data),
        submitted_at=submitted_at,
        received_at=_when(raw, "received_at"),
        clock_started_at=_when(raw, "received_at"),
        due_at=_when(raw, "due_at"),
        appointment_at=_when(raw, "appointment_at") or _when(raw, "due_at"),
        initial_appointment_at=_when(raw, "appointment_at") or _when(raw, "due_at"),
        ended_at=_when(raw, "ended_at"),
        processed_at=_when(raw, "processed_at"),
        returned_at=_when(raw, "returned_at"),
        return_method=return_method,
        result_summary=_str(raw, "result_summary", limit=MAX_TEXT),
        outcome_reason=_str(raw, "outcome_reason", limit=MAX_TEXT),
    )
    _check_dates(dossier)
    supplements = _supplements(raw.get("supplements"), actor)
    dossier.supplement_count = sum(1 for s in supplements if s.counts)
    if dossier.ended_at is not None and status in ENDED_STATUSES:
        given = _str(raw, "timeliness", limit=10)
        if given and given not in ("early", "on_time", "late"):
            raise _fail(
                "invalid_value", "«timeliness» là «early», «on_time» hoặc «late».", "timeliness"
            )
        dossier.timeliness = (
            given
            or deadlines.classify(
                lookups.calendar(competent),
                ended_at=dossier.ended_at,
                due_at=dossier.due_at,
                supplement_requests=dossier.supplement_count,
            ).value
        )
        if status != Status.STOPPED and dossier.processed_at is None:
            dossier.processed_at = dossier.ended_at
    history = _history(
        raw.get("history"), status=status, submitted_at=submitted_at, actor_label="Hệ thống cũ"
    )
    slots = lookups.components(version)
    prepared = Prepared(
        line=line,
        dossier=dossier,
        applicant=applicant,
        slots=slots,
        history=history,
        supplements=supplements,
        rating=_rating(raw.get("rating"), status),
        files=_files(raw.get("files"), slots, files_dir),
        step=None,
        parsed_code=codes.parse(code, rule.pattern),
    )
    if status in AT_STEP_STATUSES:
        plan_step = lookups.first_step(dossier)
        dossier.plan_index = 0
        dossier.stage = 1
        prepared.step = DossierStep(
            stage=1,
            plan_index=0,
            process_step_id=plan_step.process_step_id,
            kind=plan_step.kind,
            name=plan_step.name[:255],
            role=plan_step.role,
            agency_id=plan_step.agency_id,
            department_id=plan_step.department_id,
            is_lead=plan_step.is_lead,
            allowed_actions=list(plan_step.allowed_actions),
            hours=plan_step.hours,
            status=StepStatus.ACTIVE,
            started_at=history[-1].at,
            due_at=dossier.due_at,
        )
    return prepared


# --- Writing a batch ------------------------------------------------------------------------------


def _audit_after(dossier: Dossier, line: int, source: str) -> dict[str, Any]:
    return {
        "status": dossier.status,
        "procedure_version": dossier.procedure_version_id,
        "competent_agency": dossier.competent_agency_id,
        "submitted_at": dossier.submitted_at,
        "source": source,
        "line": line,
    }


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def import_batch(
    *,
    actor: Actor,
    records: Sequence[tuple[int, Any]],
    lookups: Lookups,
    files_dir: Path | None = None,
    source: str = "",
) -> BatchResult:
    """Import one batch of ``(line number, decoded record)``: the good ones in one
    transaction, the bad ones reported (see the module's docstring)."""
    result = BatchResult()
    wanted = [raw.get("code") for _line, raw in records if isinstance(raw, Mapping)]
    present = set(
        Dossier.objects.filter(code__in=[c for c in wanted if isinstance(c, str)]).values_list(
            "code", flat=True
        )
    )
    good: list[Prepared] = []
    seen: set[str] = set()
    for line, raw in records:
        code = raw.get("code") if isinstance(raw, Mapping) else None
        if isinstance(code, str) and code.strip() in present:
            result.skipped += 1
            continue
        try:
            item = prepare(raw, line=line, lookups=lookups, actor=actor, files_dir=files_dir)
            if item.dossier.code in seen:
                raise _fail(
                    "duplicate_code", f"Mã số «{item.dossier.code}» lặp lại trong tệp.", "code"
                )
        except DomainError as exc:
            result.problems.append(
                Problem(
                    line=line,
                    code=code if isinstance(code, str) else "",
                    error=exc.code,
                    field=exc.field or "",
                    message=str(exc.message),
                )
            )
            continue
        seen.add(item.dossier.code)
        good.append(item)
    if good:
        stored = attachments.StoredFiles()
        try:
            with transaction.atomic():
                result.audit_events = _write(actor, good, stored, source)
        except BaseException:
            stored.discard()
            raise
        result.imported = len(good)
    return result


def _write(  # noqa: PLR0912, PLR0915 (one multi-row insert per table, in foreign-key order)
    actor: Actor, good: list[Prepared], stored: attachments.StoredFiles, source: str
) -> int:
    people = [item.applicant for item in good]
    citizens = org_services.citizens_for_import(
        actor=actor, people=[p for p in people if p["kind"] == "citizen"]
    )
    organisations = org_services.organisations_for_import(
        actor=actor, people=[p for p in people if p["kind"] == "organisation"]
    )
    for item in good:
        if item.applicant["kind"] == "citizen":
            item.dossier.applicant_citizen_id = citizens[item.applicant["id_number"]]
        else:
            item.dossier.applicant_organisation_id = organisations[item.applicant["id_number"]]
    now = timezone.now()
    for item in good:
        item.dossier.created_at = item.dossier.updated_at = now
    Dossier.objects.bulk_create([item.dossier for item in good], batch_size=1000)
    slot_rows: list[DossierComponent] = []
    for item in good:
        for slot in item.slots:
            slot_rows.append(
                DossierComponent(
                    dossier=item.dossier,
                    component=slot,
                    code=slot.code,
                    name=slot.name[:500],
                    mandatory=slot.mandatory,
                    allowed_types=list(slot.allowed_types or []),
                    max_size_bytes=slot.max_size_bytes,
                )
            )
    DossierComponent.objects.bulk_create(slot_rows, batch_size=2000)
    by_key = {(row.dossier.pk, row.code): row for row in slot_rows}
    files: list[Attachment] = []
    for item in good:
        versions: dict[str, int] = {}
        for upload in item.files:
            slot_row = by_key[(item.dossier.pk, upload.component)]
            versions[upload.component] = versions.get(upload.component, 0) + 1
            attachment = Attachment(
                component=slot_row,
                version=versions[upload.component],
                original_name=upload.name,
                size=upload.checked.size,
                mime_type=upload.checked.mime_type,
                sha256=upload.checked.sha256,
                uploaded_at=upload.uploaded_at,
            )
            filename = upload.checked.sha256[:16] + attachments.EXTENSIONS[upload.checked.mime_type]
            with upload.path.open("rb") as handle:
                attachment.file.save(filename, File(handle, name=filename), save=False)
            stored.names.append(attachment.file.name)
            files.append(attachment)
    Attachment.objects.bulk_create(files, batch_size=2000)
    supplements = []
    for item in good:
        for request in item.supplements:
            request.dossier = item.dossier
            supplements.append(request)
    SupplementRequest.objects.bulk_create(supplements, batch_size=2000)
    steps = []
    for item in good:
        if item.step is not None:
            item.step.dossier = item.dossier
            steps.append(item.step)
    DossierStep.objects.bulk_create(steps, batch_size=2000)
    history: list[DossierHistory] = []
    for item in good:
        for row in item.history:
            row.dossier = item.dossier
            row.agency_id = row.agency_id or item.dossier.competent_agency_id
            if item.step is not None and row is item.history[-1]:
                row.step = item.step
            history.append(row)
    DossierHistory.objects.bulk_create(history, batch_size=2000)
    ratings = []
    for item in good:
        if item.rating is not None:
            item.rating.dossier = item.dossier
            ratings.append(item.rating)
    Rating.objects.bulk_create(ratings, batch_size=2000)
    taken: dict[tuple[str, date], int] = {}
    for item in good:
        parsed = item.parsed_code
        if parsed is not None:
            key = (parsed.agency_code, parsed.day)
            taken[key] = max(taken.get(key, 0), parsed.seq)
    codes.advance_past(taken)
    return record_many(
        actor=actor,
        entries=[
            Entry(
                action=IMPORT_ACTION,
                target_type=Dossier._meta.label_lower,
                target_id=str(item.dossier.pk),
                target_label=item.dossier.code,
                after={
                    k: _json_ready(v)
                    for k, v in _audit_after(item.dossier, item.line, source).items()
                },
            )
            for item in good
        ],
    )
