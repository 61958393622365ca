"""Reads of the catalogue: the version in force, the process of an agency, search, the legal limit
in working hours and the appointment date (estimate) a dossier would get."""

from __future__ import annotations

import datetime
from dataclasses import astuple, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from congso.calendar.limits import LimitUnit, TimeLimit, due_instant
from congso.calendar.selectors import get_calendar
from congso.catalog.models import (
    Component,
    Procedure,
    ProcedureVersion,
    Process,
    ProcessStep,
    TimeLimitUnit,
    approximate_days,
)
from congso.catalog.processes import as_decimal, check_fits, limit_hours, validate_process
from congso.catalog.search import normalise, query_words, rank
from congso.catalog.specs import (
    ComponentSpec,
    FeeSpec,
    ProcedureSpec,
    ProcessSpec,
    StepSpec,
    VersionSpec,
)
from congso.core.errors import DomainError, NotFound
from congso.org.models import Agency
from congso.org.permissions import (
    PROVINCE_ADMIN,
    current_roles,
    is_authenticated_user,
    is_superuser,
)

__all__ = [
    "can_manage_catalogue",
    "current_version",
    "estimate_due",
    "get_procedure",
    "hours_per_day",
    "legal_limit_hours",
    "online_offers",
    "procedure_list",
    "process_for",
    "search_procedures",
    "validate_process",
]


def can_manage_catalogue(user: Any) -> bool:
    """Superusers and province administrators edit the catalogue (processes: also the agency's
    administrators, see the services)."""
    if is_superuser(user):
        return True
    return is_authenticated_user(user) and current_roles(user, (PROVINCE_ADMIN,)).exists()


def visible_procedures(user: Any = None) -> QuerySet[Procedure]:
    """Active procedures for everyone; inactive ones too for the catalogue's managers."""
    queryset = Procedure.objects.select_related("field")
    if not can_manage_catalogue(user):
        queryset = queryset.filter(active=True)
    return queryset


def get_procedure(code: str, *, user: Any = None) -> Procedure:
    """The procedure with this code (``procedure_not_found`` 404 otherwise)."""
    procedure = visible_procedures(user).filter(code=code.strip()).first()
    if procedure is None:
        raise NotFound(
            "procedure_not_found", f"Không có thủ tục hành chính mã «{code}».", field="code"
        )
    return procedure


def current_version(procedure: Procedure, on: datetime.date | None = None) -> ProcedureVersion:
    """The version in force on ``on`` (default today); ``procedure_not_in_force`` otherwise
    (no version covers the day, or the procedure is no longer applied)."""
    day = on or timezone.localdate()
    version = (
        procedure.versions.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day
        )
        .order_by("-version")
        .first()
        if procedure.active
        else None
    )
    if version is None:
        raise procedure_not_in_force(procedure, day)
    return version


def procedure_not_in_force(procedure: Procedure, day: datetime.date) -> DomainError:
    return DomainError(
        "procedure_not_in_force",
        f"Thủ tục {procedure.code} không có phiên bản nào có hiệu lực vào ngày {day:%d/%m/%Y}.",
        field="on",
        status=404,
    )


def process_for(version: ProcedureVersion, agency: Agency) -> Process:
    """The active internal process of ``version`` at ``agency`` (``no_process`` otherwise)."""
    process = (
        Process.objects.filter(version=version, agency=agency, active=True)
        .select_related("agency", "version")
        .first()
    )
    if process is None:
        raise DomainError(
            "no_process",
            f"{agency.name} chưa có quy trình nội bộ cho thủ tục {version.procedure.code} "
            f"(phiên bản {version.version}).",
            field="agency",
        )
    return process


def overlapping_version(
    procedure: Procedure,
    start: datetime.date,
    end: datetime.date | None,
    *,
    exclude_pk: int | None = None,
) -> ProcedureVersion | None:
    """Another version of ``procedure`` whose period meets ``start``–``end`` (open: ``None``)."""
    clash = procedure.versions.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        clash = clash.filter(effective_from__lte=end)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    return clash.order_by("effective_from").first()


def period_label(start: datetime.date, end: datetime.date | None) -> str:
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}" if end else f"từ {start:%d/%m/%Y}"


# --- Search ---------------------------------------------------------------------------------------


def _ranked(queryset: QuerySet[Procedure], query: str) -> list[Procedure]:
    words = query_words(query)
    if not words:
        return []
    # Every meaningful word starts a word of the stored text (name and code): one LIKE each.
    every = Q()
    for word in words:
        every &= Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")
    condition = Q(code__iexact=query.strip()) | every
    scored = []
    for procedure in queryset.filter(condition):
        score = rank(query=query, code=procedure.code, name=procedure.name)
        if score is not None:
            scored.append((score, procedure))
    scored.sort(
        key=lambda item: (tuple(-x for x in astuple(item[0])), len(item[1].name), item[1].code)
    )
    return [procedure for _, procedure in scored]


def search_procedures(query: str, *, limit: int = 20, user: Any = None) -> list[Procedure]:
    """Procedures matching ``query`` (diacritics optional, or a code): every meaningful word of
    the query must match; best first: exact code, then the query as prefix/phrase, then the
    words side by side (:mod:`.search`)."""
    return _ranked(visible_procedures(user), query)[: max(limit, 0)]


def procedure_list(
    *, query: str = "", field: str = "", level: str = "", user: Any = None
) -> list[Procedure]:
    """The catalogue filtered by field (its code or national sector code) and level, ranked by
    ``query`` when one is given, else ordered by code."""
    queryset = visible_procedures(user)
    if field:
        queryset = queryset.filter(Q(field__code=field) | Q(field__sector_code=field))
    procedures = _ranked(queryset, query) if normalise(query) else list(queryset.order_by("code"))
    if level:
        procedures = [p for p in procedures if level in (p.levels or [])]
    return procedures


@dataclass(frozen=True)
class OnlineOffer:
    """What a search row says about applying online: possible at all (an online channel and a
    form), and the level the catalogue states (``OnlineLevel``; empty: not stated)."""

    online: bool
    level: str


def online_offers(
    procedures: list[Procedure], on: datetime.date | None = None
) -> dict[int, OnlineOffer]:
    """``{procedure id: OnlineOffer}`` of the versions in force on ``on`` (default today), in one
    query whatever the number of procedures (the schemas themselves are not read)."""
    day = on or timezone.localdate()
    rows = (
        ProcedureVersion.objects.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day),
            procedure_id__in=[procedure.pk for procedure in procedures],
            effective_from__lte=day,
        )
        .annotate(has_form=ExpressionWrapper(~Q(form_schema={}), output_field=BooleanField()))
        .order_by("procedure_id", "-version")
        .values_list("procedure_id", "submission_channels", "online_level", "has_form")
    )
    offers: dict[int, OnlineOffer] = {}
    for procedure_id, channels, level, has_form in rows:
        if procedure_id not in offers:
            online = "online" in (channels or []) and bool(has_form)
            offers[procedure_id] = OnlineOffer(online=online, level=(level or "") if online else "")
    return offers


# --- Time -----------------------------------------------------------------------------------------


def hours_per_day(province_code: str | None = None, on: datetime.date | None = None) -> Decimal:
    """Working hours in one working day by the calendar of the province (8 by default)."""
    rule = get_calendar(province_code).hours_on(on or timezone.localdate())
    return Decimal(int(rule.day_length.total_seconds())) / Decimal(3600)


def province_code_of(agency: Agency | None) -> str | None:
    if agency is None or agency.province_id is None:
        return None
    province = agency.province
    return province.code if province is not None else None


def legal_limit_hours(
    version: ProcedureVersion, hours_per_day: Decimal | float | int
) -> Decimal | None:
    """The legal time limit in working hours (``None``: no fixed limit); see :mod:`.processes`."""
    return limit_hours(version.time_limit_value, version.time_limit_unit, hours_per_day)


def time_limit_of(version: ProcedureVersion, case_code: str = "") -> TimeLimit:
    """The version's legal time limit as the deadline engine takes it.

    A version whose limit differs per case (trường hợp, ``time_limit_cases`` of the national
    database) and has no single value: the chosen case's limit, or — no case chosen — the
    longest case's, so that no dossier is left without a due instant. ``TimeLimit(None, …)``
    only when nothing can be counted; the catalogue admin lists such versions («hạn giải quyết:
    chưa tính được»).
    """
    if version.time_limit_unit == TimeLimitUnit.INSTANT or version.time_limit_value is not None:
        return TimeLimit.of(
            version.time_limit_value, version.time_limit_unit, version.same_day_cutoff
        )
    cases = version.case_limits()
    chosen = [case for case in cases if case_code and case[0] == case_code]
    if chosen or cases:
        _, value, unit = (chosen or [max(cases, key=lambda c: approximate_days(c[1], c[2]))])[0]
        return TimeLimit.of(value, unit)
    return TimeLimit(None, LimitUnit.WORKING_DAYS)


def estimate_due(
    version: ProcedureVersion,
    *,
    received_at: datetime.datetime,
    province_code: str | None = None,
) -> datetime.datetime | None:
    """The appointment (ngày hẹn trả) for a dossier received at ``received_at``, by the one
    deadline engine (:func:`congso.calendar.limits.due_instant`, RULES.md §2). ``None`` when the
    version has no fixed limit."""
    return due_instant(get_calendar(province_code), received_at, time_limit_of(version))


def check_processes_fit(
    version: ProcedureVersion, *, time_limit_value: Decimal | None, time_limit_unit: str
) -> None:
    """Every process of ``version`` must fit the (proposed) time limit; the error names the
    agency whose process does not."""
    for process in version.processes.select_related("agency", "agency__province"):
        per_day = hours_per_day(province_code_of(process.agency))
        try:
            check_fits(
                list(process.steps.all()),
                time_limit_value=time_limit_value,
                time_limit_unit=time_limit_unit,
                hours_per_day=per_day,
            )
        except DomainError as exc:
            raise DomainError(
                exc.code,
                f"Quy trình tại {process.agency.name}: {exc.message}",
                field="time_limit.value",
            ) from None


# --- Specs of what is stored (for export and change detection) ------------------------------------


def procedure_spec(procedure: Procedure) -> ProcedureSpec:
    return ProcedureSpec(
        code=procedure.code,
        name=procedure.name,
        field_name=procedure.field.name,
        field_sector_code=procedure.field.sector_code,
        levels=tuple(procedure.levels or ()),
        applicant_types=tuple(procedure.applicant_types or ()),
        national_code=procedure.national_code,
        active=procedure.active,
    )


def component_spec(component: Component) -> ComponentSpec:
    return ComponentSpec(
        code=component.code,
        name=component.name,
        original_or_copy=component.original_or_copy,
        quantity=component.quantity,
        mandatory=component.mandatory,
        condition=component.condition,
        template_name=component.template_name,
        allowed_types=tuple(component.allowed_types or ()),
        max_size_bytes=component.max_size_bytes,
    )


def version_spec(version: ProcedureVersion) -> VersionSpec:
    return VersionSpec(
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        competent_agency_text=version.competent_agency_text,
        received_at_text=version.received_at_text,
        submission_channels=tuple(version.submission_channels or ()),
        time_limit_value=None
        if version.time_limit_value is None
        else as_decimal(version.time_limit_value).quantize(Decimal("0.01")),
        time_limit_unit=version.time_limit_unit,
        time_limit_text=version.time_limit_text,
        time_limit_cases=tuple(version.time_limit_cases or ()),
        same_day_cutoff=version.same_day_cutoff,
        fees=tuple(
            FeeSpec(
                name=fee.get("name") or "",
                amount_vnd=fee.get("amount_vnd"),
                condition=fee.get("condition") or "",
                legal_basis=fee.get("legal_basis") or "",
            )
            for fee in version.fees or ()
        ),
        result_type=version.result_type,
        result_name=version.result_name,
        online_level=version.online_level,
        partial_reason=version.partial_reason,
        legal_bases=tuple(version.legal_bases or ()),
        form_schema=version.form_schema or {},
        source=version.source or {},
        notes=version.notes,
        components=tuple(component_spec(c) for c in version.components.all()),
    )


def step_spec(step: ProcessStep) -> StepSpec:
    return StepSpec(
        order=step.order,
        name=step.name,
        kind=step.kind,
        role=step.role,
        hours=as_decimal(step.hours).quantize(Decimal("0.01")),
        department=step.department.name if step.department_id and step.department else None,
        agency_code=step.agency.code if step.agency_id and step.agency else None,
        is_lead=step.is_lead,
        parallel_group=step.parallel_group,
        allowed_actions=tuple(step.allowed_actions or ()),
    )


def process_spec(process: Process) -> ProcessSpec:
    steps = process.steps.select_related("department", "agency").order_by("order")
    return ProcessSpec(
        agency_code=process.agency.code,
        name=process.name,
        active=process.active,
        steps=tuple(step_spec(step) for step in steps),
    )
