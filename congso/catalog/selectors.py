"""Reads of the catalogue: the version in force, the process of an agency, search, the legal limit
in working hours and the appointment date (estimate) a dossier would get."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass
from decimal import Decimal
from typing import Any, overload

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from congso.calendar.limits import LimitUnit, TimeLimit, due_instant
from congso.calendar.selectors import get_calendar
from congso.catalog.finder import Reason
from congso.catalog.index import CatalogueIndex, get_index, ranked
from congso.catalog.models import (
    ApplicantType,
    Component,
    Field,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    Process,
    ProcessStep,
    TimeLimitUnit,
    approximate_days,
)
from congso.catalog.processes import as_decimal, check_fits, limit_hours, validate_process
from congso.catalog.search import normalise, prepare
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
    "Filters",
    "ProcedureResults",
    "can_manage_catalogue",
    "clean_filters",
    "current_version",
    "estimate_due",
    "filter_options",
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


#: The columns the list, the search and the API's summary show (the page's rows read only these).
ROW_COLUMNS = (
    "code",
    "national_code",
    "name",
    "levels",
    "applicant_types",
    "active",
    "field__code",
    "field__name",
    "field__sector_code",
)


@dataclass(frozen=True)
class Filters:
    """The catalogue's filters (each empty: not filtered); see :func:`clean_filters`.

    ``field``: a field's key or national sector code; ``level``: :class:`Level`; ``agency``:
    the code of an agency with an active internal process for the version in force;
    ``online_level``: :class:`OnlineLevel` of the version in force; ``applicant_type``:
    :class:`ApplicantType`."""

    field: str = ""
    level: str = ""
    agency: str = ""
    online_level: str = ""
    applicant_type: str = ""

    def __bool__(self) -> bool:
        return any(astuple(self))


FILTER_LABELS = {
    "field": "lĩnh vực",
    "level": "cấp thực hiện",
    "agency": "cơ quan thực hiện",
    "online_level": "mức độ trực tuyến",
    "applicant_type": "đối tượng thực hiện",
}


def clean_filters(
    *,
    field: str = "",
    level: str = "",
    agency: str = "",
    online_level: str = "",
    applicant_type: str = "",
) -> Filters:
    """The filters, checked: a level, online level or applicant type that is not one of the
    catalogue's choices, or a field or agency that does not exist, is ``invalid_choice``
    (400, naming the filter)."""
    cleaned = Filters(
        field=(field or "").strip(),
        level=(level or "").strip(),
        agency=(agency or "").strip(),
        online_level=(online_level or "").strip(),
        applicant_type=(applicant_type or "").strip(),
    )
    choices = {
        "level": set(Level.values),
        "online_level": set(OnlineLevel.values),
        "applicant_type": set(ApplicantType.values),
    }
    for name, allowed in choices.items():
        value = getattr(cleaned, name)
        if value and value not in allowed:
            raise _invalid_filter(name, value)
    if (
        cleaned.field
        and not Field.objects.filter(Q(code=cleaned.field) | Q(sector_code=cleaned.field)).exists()
    ):
        raise _invalid_filter("field", cleaned.field)
    if cleaned.agency and not Agency.objects.filter(code=cleaned.agency, active=True).exists():
        raise _invalid_filter("agency", cleaned.agency)
    return cleaned


def _invalid_filter(name: str, value: str) -> DomainError:
    return DomainError(
        "invalid_choice",
        f"Không có {FILTER_LABELS[name]} «{value[:100]}» trong danh mục.",
        field=name,
    )


def _filtered(index: CatalogueIndex, filters: Filters, *, everyone: bool) -> frozenset[int] | None:
    """Positions passing ``filters`` and the visibility (``None``: every procedure)."""
    sets: list[frozenset[int]] = []
    if everyone:
        sets.append(index.facet("active", True))
    for name in ("field", "level", "online_level", "applicant_type"):
        value = getattr(filters, name)
        if value:
            sets.append(index.facet(name, value))
    if filters.agency:
        ids = Agency.objects.filter(code=filters.agency, active=True).values_list("pk", flat=True)
        sets.append(frozenset().union(*(index.facet("agency", pk) for pk in ids)))
    if not sets:
        return None
    sets.sort(key=len)
    return sets[0].intersection(*sets[1:])


@dataclass(frozen=True)
class FilterOptions:
    """What the filters offer: the fields with a visible procedure and the active agencies
    with an internal process for one, by name (the levels, online levels and applicant types
    are the catalogue's choices)."""

    fields: list[Field]
    agencies: list[Agency]


def filter_options(*, user: Any = None) -> FilterOptions:
    """The choices of the catalogue's filters, scoped to what ``user`` may see (read once per
    catalogue revision: an agency closed since then is offered until the catalogue changes,
    and then matches nothing)."""
    index = get_index()
    key = f"options:{can_manage_catalogue(user)}"
    if key in index.memo:
        cached: FilterOptions = index.memo[key]
        return cached
    options = _filter_options(index, user)
    index.memo[key] = options
    return options


def _filter_options(index: CatalogueIndex, user: Any) -> FilterOptions:
    if can_manage_catalogue(user):
        field_codes = {entry.field_code for entry in index.entries}
        agency_ids: set[int] = set().union(*(entry.agencies for entry in index.entries))
    else:
        field_codes, agency_ids = set(index.active_field_codes), set(index.active_agency_ids)
    fields = list(Field.objects.filter(code__in=field_codes).only("code", "name", "sector_code"))
    agencies = list(
        Agency.objects.filter(pk__in=agency_ids, active=True).only("code", "name", "level")
    )
    fields.sort(key=lambda field: (normalise(field.name), field.code))
    agencies.sort(key=lambda agency: (normalise(agency.name), agency.code))
    return FilterOptions(fields=fields, agencies=agencies)


class ProcedureResults(Sequence[Procedure]):
    """The procedures of a list or search, best first, read from the database only for the
    slice asked (one query of :data:`ROW_COLUMNS` with the field): ``len()`` and
    :meth:`pks` cost nothing, ``results[:20]`` reads 20 rows."""

    def __init__(self, pks: list[int]) -> None:
        self._pks = pks

    def __len__(self) -> int:
        return len(self._pks)

    def pks(self) -> list[int]:
        return list(self._pks)

    def _rows(self, pks: list[int]) -> list[Procedure]:
        if not pks:
            return []
        rows = Procedure.objects.select_related("field").only(*ROW_COLUMNS).in_bulk(pks)
        return [rows[pk] for pk in pks if pk in rows]

    @overload
    def __getitem__(self, index: int) -> Procedure: ...

    @overload
    def __getitem__(self, index: slice) -> list[Procedure]: ...

    def __getitem__(self, index: int | slice) -> Procedure | list[Procedure]:
        if isinstance(index, slice):
            return self._rows(self._pks[index])
        return self._rows([self._pks[index]])[0]

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self._rows(self._pks))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProcedureResults):
            return self._pks == other._pks
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]


def _matches(
    query: str,
    *,
    user: Any,
    filters: Filters,
    on: datetime.date | None = None,
    finder: bool = False,
) -> list[int]:
    """Primary keys of the visible procedures that pass ``filters``, ranked by ``query`` when
    it has something to search (:mod:`.search`), else in code order."""
    index = get_index(on)
    everyone = not can_manage_catalogue(user)
    key = (query, filters, everyone, finder)
    found = index.remembered(key)
    if found is not None:
        return found
    allowed = _filtered(index, filters, everyone=everyone)
    entries = index.entries
    prepared = prepare(query) if normalise(query) else None
    if prepared is None:
        if normalise(query):
            found = []
        elif allowed is None:
            found = [entry.pk for entry in entries]
        else:
            found = [entries[position].pk for position in sorted(allowed)]
        index.remember(key, found)
        return found
    positions = ranked(index, query, prepared, allowed, finder=finder)
    found = [entries[position].pk for position in positions]
    index.remember(key, found)
    return found


def search_procedures(query: str, *, limit: int = 20, user: Any = None) -> list[Procedure]:
    """Procedures matching ``query`` (diacritics optional, or a code): every meaningful word of
    the query must match; best first: exact code, then the query as prefix/phrase, then the
    words side by side (:mod:`.search`)."""
    if not normalise(query):
        return []
    return ProcedureResults(_matches(query, user=user, filters=Filters()))[: max(limit, 0)]


def procedure_list(
    *,
    query: str = "",
    field: str = "",
    level: str = "",
    filters: Filters | None = None,
    user: Any = None,
    finder: bool = False,
) -> ProcedureResults:
    """The catalogue filtered (``filters``, or the shorthands ``field`` — its key or national
    sector code — and ``level``; unchecked values simply match nothing), ranked by ``query``
    when one is given, else ordered by code. Lazy: slice it to read a page. ``finder``: after
    the procedures with every word, the finder's answers to the citizen's own words
    (:mod:`.finder`; the portal and the public API)."""
    chosen = filters or Filters(field=field.strip(), level=level.strip())
    return ProcedureResults(_matches(query, user=user, filters=chosen, finder=finder))


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


def match_reasons(
    query: str, procedures: Sequence[Procedure], *, on: datetime.date | None = None
) -> dict[int, str]:
    """Why each of ``procedures`` (a page of the finder's results) matched ``query``, in
    Vietnamese: the name's words it shares with the query, the everyday phrasing understood,
    the typing corrected; or the exact code."""
    if not normalise(query) or not procedures:
        return {}
    index = get_index(on)
    finder = index.finder
    code_norm = normalise(query)
    reasons: dict[int, str] = {}
    for procedure in procedures:
        position = index.position_of(procedure.pk)
        if position is None:
            continue
        if index.entries[position].code_norm == code_norm:
            reasons[procedure.pk] = gettext("Đúng mã thủ tục.")
            continue
        reasons[procedure.pk] = reason_text(finder.explain(query, position))
    return reasons


def reason_text(reason: Reason) -> str:
    """A :class:`~congso.catalog.finder.Reason` in words for the citizen."""
    parts = []
    if reason.words:
        parts.append(
            gettext("Tên thủ tục có: %(words)s")
            % {"words": ", ".join(f"«{word}»" for word in reason.words)}
        )
    for phrase, means in reason.phrasings:
        if means:
            parts.append(
                gettext("«%(phrase)s» được hiểu là «%(means)s»")
                % {"phrase": phrase, "means": means}
            )
        else:
            parts.append(gettext("cán bộ đã gắn «%(phrase)s» với thủ tục này") % {"phrase": phrase})
    for typed, fixed in reason.corrections:
        parts.append(
            gettext("đã đọc «%(typed)s» là «%(fixed)s»") % {"typed": typed, "fixed": fixed}
        )
    if not parts:
        return gettext("Gần với các từ đã gõ.")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
