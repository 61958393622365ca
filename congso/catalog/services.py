"""The one write path for the catalogue: fields, procedures, versions, components, processes.

Every function takes keyword-only arguments, runs in one transaction, checks the actor's right
(``actor=None`` is the system: commands, the importer, the demo), validates everything before it
writes and records an audit event in the same transaction. Writing the same content twice
changes nothing and records nothing (the importer relies on it to be idempotent).

Who may write: the catalogue's managers (superusers, province administrators); an internal
process also the administrators of its agency.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from congso.audit.services import record, record_saved, snapshot
from congso.catalog import selectors
from congso.catalog.formschema import prefill_map, validate_schema
from congso.catalog.models import (
    Component,
    Field,
    Phrasing,
    PhrasingSource,
    Procedure,
    ProcedureVersion,
    Process,
    ProcessStep,
    SearchLog,
)
from congso.catalog.processes import check_steps
from congso.catalog.search import normalise, search_text
from congso.catalog.specs import (
    ComponentSpec,
    ProcedureSpec,
    ProcessSpec,
    StepSpec,
    VersionSpec,
    field_code_for,
    read_procedure,
    read_text,
)
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.org.models import Agency, Department
from congso.org.permissions import CHANGE, can

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


# --- Rights ---------------------------------------------------------------------------------------


def _require_manager(actor: Any) -> None:
    if actor is not None and not selectors.can_manage_catalogue(actor):
        raise PermissionDenied(
            "forbidden", "Chỉ quản trị tỉnh mới được sửa danh mục thủ tục hành chính."
        )


def _require_process_rights(actor: Any, agency: Agency) -> None:
    if actor is None or selectors.can_manage_catalogue(actor) or can(actor, CHANGE, agency):
        return
    raise PermissionDenied(
        "forbidden", f"Bạn không có quyền sửa quy trình nội bộ của {agency.name}."
    )


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


# --- Fields and procedures ------------------------------------------------------------------------


def _field_apply(*, actor: Any, name: str, sector_code: str) -> Field:
    code = field_code_for(name)
    field = Field.objects.select_for_update().filter(code=code).first()
    if field is None:
        try:
            with transaction.atomic():
                field = Field.objects.create(code=code, name=name, sector_code=sector_code)
        except IntegrityError:
            raise Conflict(
                "field_exists", f"Lĩnh vực «{name}» vừa được tạo; hãy thử lại.", field="field"
            ) from None
        record_saved(actor=actor, action="catalog.field.create", target=field)
        return field
    if field.name != name or (sector_code and field.sector_code != sector_code):
        before = snapshot(field)
        field.name = name
        field.sector_code = sector_code or field.sector_code
        field.save(update_fields=["name", "sector_code"])
        record_saved(actor=actor, action="catalog.field.update", target=field, before=before)
    return field


@transaction.atomic
def field_ensure(*, actor: Any, name: str, sector_code: str = "") -> Field:
    """The field named ``name`` (created when missing; its sector code filled in when given)."""
    _require_manager(actor)
    return _field_apply(
        actor=actor,
        name=read_text(name, "name", label="Tên lĩnh vực", required=True, max_length=255),
        sector_code=read_text(sector_code, "sector_code", label="Mã lĩnh vực", max_length=30),
    )


def _procedure_apply(*, actor: Any, spec: ProcedureSpec) -> tuple[Procedure, str]:
    procedure = Procedure.objects.select_for_update().filter(code=spec.code).first()
    if procedure is not None and selectors.procedure_spec(procedure) == spec:
        return procedure, UNCHANGED
    field = _field_apply(actor=actor, name=spec.field_name, sector_code=spec.field_sector_code)
    values = {
        "name": spec.name,
        "national_code": spec.national_code,
        "field": field,
        "levels": list(spec.levels),
        "applicant_types": list(spec.applicant_types),
        "active": spec.active,
        "search_text": search_text(name=spec.name, code=spec.code),
    }
    if procedure is None:
        try:
            with transaction.atomic():
                procedure = Procedure.objects.create(code=spec.code, **values)
        except IntegrityError:
            raise Conflict(
                "procedure_exists",
                f"Thủ tục mã «{spec.code}» vừa được tạo; hãy thử lại.",
                field="code",
            ) from None
        record_saved(actor=actor, action="catalog.procedure.create", target=procedure)
        return procedure, CREATED
    before = snapshot(procedure)
    for key, value in values.items():
        setattr(procedure, key, value)
    procedure.save()
    record_saved(actor=actor, action="catalog.procedure.update", target=procedure, before=before)
    return procedure, UPDATED


@transaction.atomic
def procedure_create(
    *,
    actor: Any,
    code: str,
    name: str,
    field_name: str,
    levels: Sequence[str],
    applicant_types: Sequence[str],
    field_sector_code: str = "",
    national_code: bool = True,
    active: bool = True,
) -> Procedure:
    """Add a procedure (its versions come with :func:`version_create`)."""
    _require_manager(actor)
    spec = read_procedure(
        {
            "code": code if national_code else None,
            "local_code": None if national_code else code,
            "name": name,
            "field": {"name": field_name, "code": field_sector_code},
            "levels": list(levels),
            "applicant_types": list(applicant_types),
            "active": active,
        }
    )
    if Procedure.objects.filter(code=spec.code).exists():
        raise Conflict("procedure_exists", f"Đã có thủ tục mã «{spec.code}».", field="code")
    procedure, _ = _procedure_apply(actor=actor, spec=spec)
    return procedure


@transaction.atomic
def procedure_update(
    *,
    actor: Any,
    procedure: Procedure,
    name: str | None = None,
    field_name: str | None = None,
    field_sector_code: str | None = None,
    levels: Sequence[str] | None = None,
    applicant_types: Sequence[str] | None = None,
    active: bool | None = None,
) -> Procedure:
    """Change a procedure's name, field, levels, applicant types or whether it is applied; the
    search text follows the name."""
    _require_manager(actor)
    current = selectors.procedure_spec(Procedure.objects.select_for_update().get(pk=procedure.pk))
    spec = read_procedure(
        {
            "code": current.code if current.national_code else None,
            "local_code": None if current.national_code else current.code,
            "name": current.name if name is None else name,
            "field": {
                "name": current.field_name if field_name is None else field_name,
                "code": current.field_sector_code
                if field_sector_code is None
                else field_sector_code,
            },
            "levels": list(current.levels if levels is None else levels),
            "applicant_types": list(
                current.applicant_types if applicant_types is None else applicant_types
            ),
            "active": current.active if active is None else active,
        }
    )
    updated, _ = _procedure_apply(actor=actor, spec=spec)
    return updated


# --- Versions -------------------------------------------------------------------------------------


def _check_period(
    procedure: Procedure,
    start: datetime.date,
    end: datetime.date | None,
    *,
    exclude_pk: int | None = None,
) -> None:
    """Refuse a period that overlaps another version of the procedure (``version_overlap``)."""
    other = selectors.overlapping_version(procedure, start, end, exclude_pk=exclude_pk)
    if other is not None:
        raise Conflict(
            "version_overlap",
            f"Thời gian hiệu lực {selectors.period_label(start, end)} trùng với phiên bản "
            f"{other.version} của thủ tục {procedure.code} "
            f"({selectors.period_label(other.effective_from, other.effective_to)}).",
            field="effective_from",
        )


def _check_form(content: VersionSpec) -> None:
    try:
        validate_schema(content.form_schema, component_codes=[c.code for c in content.components])
    except DomainError as exc:
        exc.field = f"form_schema.{exc.field}" if exc.field else "form_schema"
        raise


def _version_values(content: VersionSpec) -> dict[str, Any]:
    return {
        "effective_from": content.effective_from,
        "effective_to": content.effective_to,
        "competent_agency_text": content.competent_agency_text,
        "received_at_text": content.received_at_text,
        "submission_channels": list(content.submission_channels),
        "time_limit_value": content.time_limit_value,
        "time_limit_unit": content.time_limit_unit,
        "time_limit_text": content.time_limit_text,
        "time_limit_cases": list(content.time_limit_cases),
        "same_day_cutoff": content.same_day_cutoff,
        "fees": [fee.as_dict() for fee in content.fees],
        "result_type": content.result_type,
        "result_name": content.result_name,
        "online_level": content.online_level,
        "partial_reason": content.partial_reason,
        "legal_bases": list(content.legal_bases),
        "form_schema": dict(content.form_schema),
        "prefill": prefill_map(content.form_schema),
        "source": dict(content.source),
        "notes": content.notes,
    }


def _component_values(spec: ComponentSpec, order: int) -> dict[str, Any]:
    return {
        "order": order,
        "name": spec.name,
        "original_or_copy": spec.original_or_copy,
        "quantity": spec.quantity,
        "mandatory": spec.mandatory,
        "condition": spec.condition,
        "template_name": spec.template_name,
        "allowed_types": list(spec.allowed_types),
        "max_size_bytes": spec.max_size_bytes,
    }


def _sync_components(version: ProcedureVersion, components: Sequence[ComponentSpec]) -> None:
    """Update components in place by code (keeping uploaded templates), add new, delete gone."""
    existing = {component.code: component for component in version.components.all()}
    wanted = {spec.code for spec in components}
    gone = [component for code, component in existing.items() if code not in wanted]
    for component in gone:
        try:
            component.delete()
        except ProtectedError:
            raise Conflict(
                "component_in_use",
                f"Không xóa được thành phần «{component.code}»: đã có hồ sơ dùng nó.",
                field="components",
            ) from None
    for order, spec in enumerate(components, start=1):
        values = _component_values(spec, order)
        current = existing.get(spec.code)
        if current is None:
            Component.objects.create(version=version, code=spec.code, **values)
        elif any(getattr(current, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            current.save()


def _audit_version(version: ProcedureVersion) -> dict[str, Any]:
    data = snapshot(version)
    data["components"] = list(version.components.values_list("code", flat=True))
    return data


def _version_apply(
    *, actor: Any, procedure: Procedure, number: int, content: VersionSpec
) -> tuple[ProcedureVersion, str]:
    existing = procedure.versions.filter(version=number).first()
    if existing is not None and selectors.version_spec(existing) == content:
        return existing, UNCHANGED
    _check_form(content)
    _check_period(
        procedure,
        content.effective_from,
        content.effective_to,
        exclude_pk=existing.pk if existing else None,
    )
    values = _version_values(content)
    if existing is None:
        version = ProcedureVersion.objects.create(procedure=procedure, version=number, **values)
        _sync_components(version, content.components)
        record(
            actor=actor,
            action="catalog.version.create",
            target=version,
            after=_audit_version(version),
        )
        return version, CREATED
    before = _audit_version(existing)
    for key, value in values.items():
        setattr(existing, key, value)
    existing.save()
    _sync_components(existing, content.components)
    selectors.check_processes_fit(
        existing,
        time_limit_value=existing.time_limit_value,
        time_limit_unit=existing.time_limit_unit,
    )
    record(
        actor=actor,
        action="catalog.version.update",
        target=existing,
        before=before,
        after=_audit_version(existing),
    )
    return existing, UPDATED


def _locked(procedure: Procedure) -> Procedure:
    """The procedure row locked: serialises every change to its versions (overlap checks)."""
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


@transaction.atomic
def version_create(
    *,
    actor: Any,
    procedure: Procedure,
    content: VersionSpec,
    version: int | None = None,
) -> ProcedureVersion:
    """Add a version (number ``version``, default the next one) whose period overlaps none of the
    procedure's other versions."""
    _require_manager(actor)
    procedure = _locked(procedure)
    number = version or (max(procedure.versions.values_list("version", flat=True), default=0) + 1)
    if procedure.versions.filter(version=number).exists():
        raise Conflict(
            "version_exists",
            f"Thủ tục {procedure.code} đã có phiên bản {number}.",
            field="version",
        )
    created, _ = _version_apply(actor=actor, procedure=procedure, number=number, content=content)
    return created


@transaction.atomic
def version_update(
    *, actor: Any, version: ProcedureVersion, content: VersionSpec
) -> ProcedureVersion:
    """Replace a version's content (components are matched by code; the processes must still fit
    a changed time limit)."""
    _require_manager(actor)
    procedure = _locked(version.procedure)
    updated, _ = _version_apply(
        actor=actor, procedure=procedure, number=version.version, content=content
    )
    return updated


@transaction.atomic
def version_publish(
    *,
    actor: Any,
    procedure: Procedure,
    content: VersionSpec,
    copy_processes: bool = True,
) -> ProcedureVersion:
    """Publish the next version from ``content.effective_from``: the version in force until then
    is closed the day before; the processes of the latest version are copied (and must fit the
    new time limit) unless ``copy_processes`` is false."""
    _require_manager(actor)
    procedure = _locked(procedure)
    latest = procedure.versions.order_by("-version").first()
    if latest is not None:
        if latest.effective_from >= content.effective_from:
            raise DomainError(
                "version_starts_too_early",
                f"Phiên bản mới phải có hiệu lực sau ngày {latest.effective_from:%d/%m/%Y} "
                f"(ngày hiệu lực của phiên bản {latest.version}).",
                field="effective_from",
            )
        day_before = content.effective_from - datetime.timedelta(days=1)
        if latest.effective_to is None or latest.effective_to > day_before:
            before = snapshot(latest, ["effective_to"])
            latest.effective_to = day_before
            latest.save(update_fields=["effective_to", "updated_at"])
            record(
                actor=actor,
                action="catalog.version.close",
                target=latest,
                before=before,
                after=snapshot(latest, ["effective_to"]),
            )
    number = (latest.version if latest else 0) + 1
    version, _ = _version_apply(actor=actor, procedure=procedure, number=number, content=content)
    if latest is not None and copy_processes:
        for process in latest.processes.select_related("agency"):
            _process_apply(actor=actor, version=version, spec=selectors.process_spec(process))
    return version


# --- Processes ------------------------------------------------------------------------------------


def _agency(code: str, path: str) -> Agency:
    agency = Agency.objects.filter(code=code.strip().upper()).select_related("province").first()
    if agency is None:
        raise NotFound("agency_not_found", f"Không có cơ quan mã định danh «{code}».", field=path)
    return agency


def _resolve_steps(
    agency: Agency, steps: Sequence[StepSpec]
) -> list[tuple[StepSpec, Agency | None, Department | None]]:
    resolved = []
    for index, step in enumerate(steps):
        acting = _agency(step.agency_code, f"steps.{index}.agency") if step.agency_code else None
        department = None
        if step.department:
            owner = acting or agency
            department = Department.objects.filter(agency=owner, name=step.department).first()
            if department is None:
                raise NotFound(
                    "department_not_found",
                    f"{owner.name} không có phòng ban «{step.department}».",
                    field=f"steps.{index}.department",
                )
        resolved.append((step, acting, department))
    return resolved


def _step_values(
    step: StepSpec, acting: Agency | None, department: Department | None
) -> dict[str, Any]:
    return {
        "name": step.name,
        "kind": step.kind,
        "role": step.role,
        "department": department,
        "agency": acting,
        "hours": step.hours,
        "is_lead": step.is_lead,
        "parallel_group": step.parallel_group,
        "allowed_actions": list(step.allowed_actions),
    }


def _sync_steps(
    process: Process, resolved: Sequence[tuple[StepSpec, Agency | None, Department | None]]
) -> None:
    existing = {step.order: step for step in process.steps.all()}
    wanted = {step.order for step, _, _ in resolved}
    for order, step in existing.items():
        if order not in wanted:
            try:
                step.delete()
            except ProtectedError:
                raise Conflict(
                    "step_in_use",
                    f"Không xóa được bước {order} «{step.name}»: đang có hồ sơ ở bước này.",
                    field="steps",
                ) from None
    for spec, acting, department in resolved:
        values = _step_values(spec, acting, department)
        current = existing.get(spec.order)
        if current is None:
            ProcessStep.objects.create(process=process, order=spec.order, **values)
        else:
            for key, value in values.items():
                setattr(current, key, value)
            current.save()


def _process_apply(
    *, actor: Any, version: ProcedureVersion, spec: ProcessSpec
) -> tuple[Process, str]:
    agency = _agency(spec.agency_code, "agency")
    _require_process_rights(actor, agency)
    resolved = _resolve_steps(agency, spec.steps)
    check_steps(
        spec.steps,
        time_limit_value=version.time_limit_value,
        time_limit_unit=version.time_limit_unit,
        hours_per_day=selectors.hours_per_day(selectors.province_code_of(agency)),
    )
    process = Process.objects.select_for_update().filter(version=version, agency=agency).first()
    if process is not None:
        before = selectors.process_spec(process)
        if before == spec:
            return process, UNCHANGED
        process.name, process.active = spec.name, spec.active
        process.save()
        state = UPDATED
    else:
        before = None
        process = Process.objects.create(
            version=version, agency=agency, name=spec.name, active=spec.active
        )
        state = CREATED
    _sync_steps(process, resolved)
    record(
        actor=actor,
        action=f"catalog.process.{'create' if before is None else 'update'}",
        target=process,
        before=_plain(before),
        after=_plain(spec),
    )
    return process, state


@transaction.atomic
def process_set(*, actor: Any, version: ProcedureVersion, spec: ProcessSpec) -> Process:
    """Create or replace the internal process of ``version`` at the agency ``spec.agency_code``.

    Checked before anything is written: agencies and departments exist, step structure (orders,
    parallel groups, one lead agency for inter-agency steps), and that the steps fit the legal
    time limit in the working hours of the agency's calendar (``process_exceeds_time_limit``).
    Steps are matched by order, so a dossier standing at a step keeps it.
    """
    process, _ = _process_apply(actor=actor, version=version, spec=spec)
    return process


@transaction.atomic
def process_delete(*, actor: Any, process: Process) -> None:
    """Remove an internal process (refused while dossiers use its steps)."""
    _require_process_rights(actor, process.agency)
    before = _plain(selectors.process_spec(process))
    record(actor=actor, action="catalog.process.delete", target=process, before=before)
    try:
        process.delete()
    except ProtectedError:
        raise Conflict(
            "process_in_use", "Không xóa được quy trình: đang có hồ sơ xử lý theo quy trình này."
        ) from None


@transaction.atomic
def processes_apply(
    *, actor: Any, version: ProcedureVersion, specs: Iterable[ProcessSpec]
) -> list[tuple[Process, str]]:
    """Apply several processes (the importer); errors name ``processes.<i>.…``."""
    results = []
    for index, spec in enumerate(specs):
        try:
            results.append(_process_apply(actor=actor, version=version, spec=spec))
        except DomainError as exc:
            exc.field = f"processes.{index}.{exc.field}" if exc.field else f"processes.{index}"
            raise
    return results


@transaction.atomic
def record_apply(
    *,
    actor: Any,
    procedure_spec: ProcedureSpec,
    number: int,
    content: VersionSpec,
) -> tuple[ProcedureVersion, str]:
    """Create or update one procedure and one of its versions (the importer's unit of work).
    Returns the version and ``created``/``updated``/``unchanged``."""
    _require_manager(actor)
    procedure, procedure_state = _procedure_apply(actor=actor, spec=procedure_spec)
    procedure = _locked(procedure)
    version, state = _version_apply(
        actor=actor, procedure=procedure, number=number, content=content
    )
    if state == UNCHANGED and procedure_state != UNCHANGED:
        state = UPDATED
    return version, state


# --- The finder: phrasings and the search log (issue 21) ------------------------------------------


def _phrasing_after(phrasing: Phrasing) -> dict[str, Any]:
    return {
        "phrase": phrasing.phrase,
        "means": phrasing.means,
        "codes": list(phrasing.codes),
        "active": phrasing.active,
        "source": phrasing.source,
    }


def check_phrasing(phrase: str, means: str, codes: Sequence[str]) -> list[str]:
    """The codes of a phrasing, checked: a phrase, and what it means or procedures."""
    if not normalise(phrase):
        raise DomainError("required", "Hãy nhập cách nói của người dân.", field="phrase")
    if not normalise(means) and not codes:
        raise DomainError(
            "required", "Hãy nhập từ ngữ trong danh mục hoặc mã thủ tục.", field="means"
        )
    cleaned = [code.strip() for code in codes if code.strip()]
    known = set(Procedure.objects.filter(code__in=cleaned).values_list("code", flat=True))
    unknown = [code for code in cleaned if code not in known]
    if unknown:
        raise DomainError(
            "invalid_value", f"Không có thủ tục mã «{', '.join(unknown)}».", field="codes"
        )
    return cleaned


@transaction.atomic
def phrasing_save(
    *,
    actor: Any,
    phrase: str,
    means: str = "",
    codes: Sequence[str] = (),
    active: bool = True,
    source: str = PhrasingSource.OFFICER,
    phrasing: Phrasing | None = None,
) -> Phrasing:
    """Add or change an everyday phrasing of the finder (audited). The catalogue's revision
    token changes with it (trigger), so every process's finder is rebuilt."""
    _require_manager(actor)
    cleaned = check_phrasing(phrase, means, codes)
    before = _phrasing_after(phrasing) if phrasing is not None else None
    target = phrasing or Phrasing(source=source)
    target.phrase, target.means, target.codes, target.active = (
        " ".join(phrase.split()),
        " ".join(means.split()),
        cleaned,
        active,
    )
    if Phrasing.objects.filter(phrase__iexact=target.phrase).exclude(pk=target.pk).exists():
        raise Conflict("phrasing_exists", f"Đã có cách nói «{target.phrase}».", field="phrase")
    target.save()
    record(
        actor=actor,
        action="catalog.phrasing.update" if before else "catalog.phrasing.create",
        target=target,
        before=before,
        after=_phrasing_after(target),
    )
    return target


@transaction.atomic
def phrasing_from_search(
    *, actor: Any, log: SearchLog, means: str = "", codes: Sequence[str] = ()
) -> Phrasing:
    """An officer approves what a search nobody clicked meant: the citizen's words become a
    phrasing (the log keeps which)."""
    phrasing = phrasing_save(
        actor=actor,
        phrase=log.query,
        means=means,
        codes=codes,
        source=PhrasingSource.SEARCH_LOG,
    )
    SearchLog.objects.filter(pk=log.pk).update(phrasing=phrasing)
    return phrasing


def search_logged(*, query: str, results: int, top_code: str = "") -> int | None:
    """Count one portal search of ``query`` (citizen text, kept inert; no user recorded) and
    return its log row's id (the result links carry it, :func:`search_clicked`). Not audited:
    it is a measure, not a change of anyone's data."""
    normalised = normalise(query)[:200]
    if not normalised:
        return None
    now = timezone.now()
    updated = SearchLog.objects.filter(normalised=normalised).update(
        searches=F("searches") + 1, results=results, top_code=top_code, last_at=now
    )
    if not updated:
        try:
            with transaction.atomic():
                SearchLog.objects.create(
                    normalised=normalised,
                    query=" ".join(query.split())[:200],
                    searches=1,
                    results=results,
                    top_code=top_code,
                )
        except IntegrityError:  # another request created it meanwhile
            SearchLog.objects.filter(normalised=normalised).update(searches=F("searches") + 1)
    return SearchLog.objects.filter(normalised=normalised).values_list("pk", flat=True).first()


def search_clicked(*, log_id: int, code: str) -> None:
    """A result of a logged search was opened."""
    SearchLog.objects.filter(pk=log_id).update(
        clicks=F("clicks") + 1, clicked_code=code[:30], last_at=timezone.now()
    )
