"""The QĐ 766/QĐ-TTg service index as the national portal scores it, explained and drilled down.

The indicators, their thresholds and points are data with an effective date
(``data/qd766/<year>.json``: the 2022 layout and today's), the version in force on a period's
last day scoring it; the seeds' goals are data too (``data/goals.json``). Counts come from the
pre-aggregated figures (:func:`congso.indicators.selectors.figures`) where a counter holds them,
and from one counting query over the dossier table for the indicators whose population the
counters cannot express (2.1's dossiers in progress at the period's end, 4.1/4.2 restricted to
paper-result procedures with an e-result) — with the very conditions :func:`drilldown` lists,
so every number is explained down to its dossiers.

An indicator whose inputs congso does not hold yet (payment, population data, complaints,
national sync…) is ``no_data`` ("chưa có dữ liệu"), never 0. An empty denominator follows the
definition's ``empty`` rule (the portal's: 5.2/5.3 full points, 5.4 zero, otherwise no data).
An indicator the portal does not apply to communes gives a commune its maximum
(``not_applicable``). Totals add the points of the indicators with data, over their maximum,
and say so (``max_points_with_data`` beside ``max_points``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.catalog.models import OnlineLevel, ProcedureVersion, ResultType
from congso.dossiers.models import Channel, Dossier, DossierComponent, Rating
from congso.indicators import selectors
from congso.org.models import Agency, AgencyLevel
from congso.org.permissions import (
    PROVINCE_WIDE,
    is_authenticated_user,
    is_superuser,
    role_agencies,
    role_provinces,
)
from congso.results.models import SignedResult

DATA_DIR = Path(__file__).resolve().parent / "data"
INDEX_DIR = DATA_DIR / "qd766"
#: Every version of the definitions, oldest first (each in force until the next one's date).
INDEX_FILES = (INDEX_DIR / "2022.json", INDEX_DIR / "2026.json")
INDEX_FILE = INDEX_FILES[-1]
GOALS_FILE = DATA_DIR / "goals.json"

#: The inputs congso holds today. An indicator needing anything else is ``no_data``.
AVAILABLE_INPUTS = frozenset({"dossiers", "e_results", "digitisation", "ratings", "catalogue"})
#: What each missing input waits for (shown on the index page).
MISSING_INPUTS_VI = {
    "procedure_publication": _("quyết định công bố và ngày công khai thủ tục"),
    "national_sync": _("đồng bộ hồ sơ với Cổng Dịch vụ công quốc gia"),
    "payment": _("thanh toán trực tuyến"),
    "e_certified_copy": _("chứng thực bản sao điện tử"),
    "data_reuse": _("tái sử dụng dữ liệu số hóa"),
    "data_warehouse": _("kho dữ liệu điện tử của công dân"),
    "population_data": _("Cơ sở dữ liệu quốc gia về dân cư, tài khoản VNeID"),
    "complaints": _("tiếp nhận, xử lý phản ánh, kiến nghị"),
}

OK = "ok"
NO_DATA = "no_data"
NO_DOSSIERS = "no_dossiers"
NOT_APPLICABLE = "not_applicable"
#: Statuses that count in the totals.
SCORED = frozenset({OK, NOT_APPLICABLE})
STATUS_LABELS_VI = {
    OK: _("Có dữ liệu"),
    NO_DATA: _("Chưa có dữ liệu"),
    NO_DOSSIERS: _("Chưa có dữ liệu (không có hồ sơ trong kỳ)"),
    NOT_APPLICABLE: _("Không áp dụng cho cấp xã (tính điểm tối đa)"),
}
#: What an empty denominator gives (the definition's ``empty``): no data, full points, zero.
EMPTY_RULES = ("no_dossiers", "full", "zero")
#: Result types that are a paper document ("trả kết quả bằng văn bản, giấy tờ": 4.1, 4.2, 3).
PAPER_RESULT_TYPES = frozenset(t.value for t in ResultType)
#: A rating of this score or more counts as satisfied (as ``rating_satisfied``).
SATISFIED_SCORE = 4

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


# --- The versioned definitions --------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    code: str
    group: str
    name_vi: str
    name_en: str
    formula: str
    numerator_vi: str
    denominator_vi: str
    threshold: Decimal
    max_points: Decimal
    inputs: tuple[str, ...]
    note_vi: str = ""
    portal_code: str = ""
    portal_report: str = ""
    empty: str = "no_dossiers"
    not_for_communes: bool = False

    @property
    def missing_inputs(self) -> tuple[str, ...]:
        available = AVAILABLE_INPUTS | PROVIDED_INPUTS
        return tuple(name for name in self.inputs if name not in available)

    @property
    def linear(self) -> bool:
        return self.threshold == 1


@dataclass(frozen=True)
class Group:
    code: str
    name_vi: str
    name_en: str
    max_points: Decimal


@dataclass(frozen=True)
class IndexSpec:
    version: str
    effective_from: date
    source: str
    scoring: str
    groups: tuple[Group, ...]
    indicators: tuple[Definition, ...]
    layout_vi: str = ""
    effective_to: date | None = None  # the day before the next version (None: still in force)


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def parse_spec(raw: dict[str, Any]) -> IndexSpec:
    """Check and read an index definition (``data/qd766.json``)."""
    groups = tuple(
        Group(g["code"], g["name_vi"], g["name_en"], _decimal(g["max_points"]))
        for g in raw["groups"]
    )
    group_codes = {g.code for g in groups}
    indicators = []
    seen = set()
    for item in raw["indicators"]:
        if item["code"] in seen:
            raise ValueError(f"indicator {item['code']} defined twice")
        if item["group"] not in group_codes:
            raise ValueError(f"indicator {item['code']}: unknown group {item['group']}")
        seen.add(item["code"])
        definition = Definition(
            code=item["code"],
            group=item["group"],
            name_vi=item["name_vi"],
            name_en=item["name_en"],
            formula=item["formula"],
            numerator_vi=item["numerator_vi"],
            denominator_vi=item["denominator_vi"],
            threshold=_decimal(item["threshold"]),
            max_points=_decimal(item["max_points"]),
            inputs=tuple(item["inputs"]),
            note_vi=item.get("note_vi", ""),
            portal_code=item.get("portal_code", ""),
            portal_report=item.get("portal_report", ""),
            empty=item.get("empty", "no_dossiers"),
            not_for_communes=bool(item.get("not_for_communes", False)),
        )
        if definition.empty not in EMPTY_RULES:
            raise ValueError(f"indicator {definition.code}: unknown empty rule")
        if definition.formula not in FORMULAS and not (set(definition.inputs) - AVAILABLE_INPUTS):
            raise ValueError(f"indicator {definition.code}: no formula {definition.formula!r}")
        if not Decimal(0) < definition.threshold <= 1:
            raise ValueError(f"indicator {definition.code}: threshold must be in (0, 1]")
        indicators.append(definition)
    for group in groups:
        total = sum((d.max_points for d in indicators if d.group == group.code), Decimal(0))
        if total != group.max_points:
            raise ValueError(
                f"group {group.code}: indicators add to {total}, not {group.max_points}"
            )
    return IndexSpec(
        version=raw["version"],
        effective_from=date.fromisoformat(raw["effective_from"]),
        source=raw["source"],
        scoring=raw["scoring"],
        groups=groups,
        indicators=tuple(indicators),
        layout_vi=raw.get("layout_vi", ""),
    )


@cache
def versions() -> tuple[IndexSpec, ...]:
    """Every version of the definitions, oldest first, each ending the day before the next."""
    specs = [parse_spec(json.loads(p.read_text(encoding="utf-8"))) for p in INDEX_FILES]
    specs.sort(key=lambda s: s.effective_from)
    out = []
    for current, following in zip(specs, [*specs[1:], None], strict=True):
        end = following.effective_from - timedelta(days=1) if following else None
        out.append(replace(current, effective_to=end))
    return tuple(out)


def spec(on: date | None = None) -> IndexSpec:
    """The version in force on ``on`` (today's when None)."""
    all_versions = versions()
    if on is None:
        return all_versions[-1]
    chosen = all_versions[0]
    for candidate in all_versions:
        if candidate.effective_from <= on:
            chosen = candidate
    return chosen


def spec_by_version(version: str) -> IndexSpec:
    for candidate in versions():
        if candidate.version == version:
            return candidate
    raise KeyError(version)


@cache
def goals_data() -> dict[str, Any]:
    return dict(json.loads(GOALS_FILE.read_text(encoding="utf-8")))


# --- Scope ----------------------------------------------------------------------------------------


def scope_agency_ids(user: Any) -> list[int] | None:
    """The competent agencies whose figures ``user`` may see: None for everything (superuser),
    otherwise the agencies where they hold a role plus every agency of the provinces where they
    hold a province-wide role (administrator, monitor). Empty for a citizen."""
    if is_superuser(user):
        return None
    if not is_authenticated_user(user):
        return []
    scope = Q(pk__in=role_agencies(user)) | Q(province_id__in=role_provinces(user, PROVINCE_WIDE))
    return list(Agency.objects.filter(scope).values_list("pk", flat=True))


# --- Scoring --------------------------------------------------------------------------------------


@dataclass
class Filters:
    start: date
    end: date
    scope_agency_ids: Sequence[int] | None = None
    agency_ids: Sequence[int] | None = None
    unit_ids: Sequence[int] | None = None
    field_ids: Sequence[int] | None = None
    now: datetime = field(default_factory=timezone.now)
    _total: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    _counts: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _commune: bool | None = field(default=None, repr=False, compare=False)

    def commune(self) -> bool:
        if self._commune is None:
            self._commune = commune_only(self)
        return self._commune

    def total(self) -> dict[str, Any]:
        """The period's counters summed (read once per :func:`score`)."""
        if self._total is None:
            (self._total,) = selectors.figures(**self.figure_kwargs())
        return self._total

    def figure_kwargs(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "scope_agency_ids": self.scope_agency_ids,
            "agency_ids": self.agency_ids,
            "unit_ids": self.unit_ids,
            "field_ids": self.field_ids,
        }


@dataclass
class Ratio:
    numerator: int
    denominator: int
    numerator_key: str
    denominator_key: str
    shortfall_key: str = ""
    detail: dict[str, int] = field(default_factory=dict)
    #: Nothing to score although the denominator is not 0 (5.4 with no rating).
    empty: bool = False


@dataclass
class IndicatorResult:
    definition: Definition
    status: str
    numerator: int | None = None
    denominator: int | None = None
    rate: Decimal | None = None
    points: Decimal | None = None
    reached: bool | None = None
    numerator_key: str = ""
    denominator_key: str = ""
    shortfall_key: str = ""
    detail: dict[str, int] = field(default_factory=dict)
    #: "full" or "zero" when the definition's empty rule gave the points.
    empty_rule: str = ""

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def has_data(self) -> bool:
        return self.status in SCORED

    @property
    def empty_label(self) -> str:
        if self.empty_rule == "full":
            return str(_("Không phát sinh trong kỳ: đủ điểm (theo cách tính của Cổng)"))
        if self.empty_rule == "zero":
            return str(_("Không có đánh giá trong kỳ: 0 điểm (theo cách tính của Cổng)"))
        return ""

    @property
    def rate_percent(self) -> Decimal | None:
        if self.rate is None:
            return None
        return (self.rate * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def threshold_percent(self) -> Decimal:
        return (self.definition.threshold * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def threshold_text(self) -> str:
        """ "tuyến tính" (full points only at 100 %) or the threshold in per cent."""
        if self.definition.linear:
            return str(_("tuyến tính"))
        return f"{self.threshold_percent} %"

    @property
    def rate_text(self) -> str:
        """The rate in per cent, or why there is none (empty rule, not applicable, no data)."""
        if self.rate_percent is not None:
            return f"{self.rate_percent} %"
        return self.empty_label or self.status_label

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS_VI[self.status])

    @property
    def missing_vi(self) -> list[str]:
        return [str(MISSING_INPUTS_VI.get(name, name)) for name in self.definition.missing_inputs]


@dataclass
class GroupResult:
    group: Group
    indicators: list[IndicatorResult]

    @property
    def points(self) -> Decimal:
        return sum((r.points or Decimal(0) for r in self.indicators if r.has_data), Decimal(0))

    @property
    def max_points_with_data(self) -> Decimal:
        return sum((r.definition.max_points for r in self.indicators if r.has_data), Decimal(0))


@dataclass
class IndexResult:
    spec: IndexSpec
    filters: Filters
    groups: list[GroupResult]
    goals: list[GoalResult]

    @property
    def indicators(self) -> list[IndicatorResult]:
        return [r for g in self.groups for r in g.indicators]

    def indicator(self, code: str) -> IndicatorResult:
        for result in self.indicators:
            if result.code == code:
                return result
        raise KeyError(code)

    @property
    def points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def max_points(self) -> Decimal:
        return sum((g.group.max_points for g in self.groups), Decimal(0))

    @property
    def max_points_with_data(self) -> Decimal:
        return sum((g.max_points_with_data for g in self.groups), Decimal(0))

    @property
    def percent_of_available(self) -> Decimal | None:
        if not self.max_points_with_data:
            return None
        return (self.points * HUNDRED / self.max_points_with_data).quantize(
            TWO_PLACES, ROUND_HALF_UP
        )

    @property
    def with_data(self) -> int:
        return sum(1 for r in self.indicators if r.has_data)

    @property
    def spans_versions(self) -> bool:
        """The period began before the version scoring it came into force."""
        return self.filters.start < self.spec.effective_from


def points_for(rate: Decimal, definition: Definition) -> Decimal:
    """min(max points, rate × max points ÷ threshold), to two decimals (threshold 1 = linear)."""
    raw = rate * definition.max_points / definition.threshold
    return min(definition.max_points, raw).quantize(TWO_PLACES, ROUND_HALF_UP)


def _total(rows: Iterable[dict[str, Any]], *counters: str) -> int:
    return sum(int(row.get(name) or 0) for row in rows for name in counters)


def _in_force(on: date) -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        effective_from__lte=on,
        procedure__active=True,
    )


def full_online_eligible(version: Any) -> bool:
    """Indicator 3's eligibility: the national procedure database's "đủ điều kiện cung cấp
    toàn trình" flag, carried in the version's ``source["full_online_eligible"]`` by an
    import; a version without the flag falls back to congso's own catalogue (offered fully
    online)."""
    source = version["source"] if isinstance(version, dict) else version.source
    online_level = version["online_level"] if isinstance(version, dict) else version.online_level
    flag = (source or {}).get("full_online_eligible")
    if isinstance(flag, bool):
        return flag
    return bool(online_level == OnlineLevel.FULL)


def eligible_procedures(on: date) -> dict[int, bool]:
    """Procedure → "its result is a paper document", for the procedures whose version in force
    on ``on`` is eligible for full online (:func:`full_online_eligible`)."""
    rows = _in_force(on).values("procedure_id", "source", "online_level", "result_type")
    return {
        row["procedure_id"]: row["result_type"] in PAPER_RESULT_TYPES
        for row in rows
        if full_online_eligible(row)
    }


def full_online_procedure_ids(on: date) -> set[int]:
    """Procedures eligible for full online on ``on`` (see :func:`eligible_procedures`)."""
    return set(eligible_procedures(on))


def online_offered_procedure_ids(on: date) -> set[int]:
    """Procedures whose version in force on ``on`` is offered online (full or partial)."""
    offered = _in_force(on).filter(online_level__in=(OnlineLevel.FULL, OnlineLevel.PARTIAL))
    return set(offered.values_list("procedure_id", flat=True))


# Dossier-level populations: the counting query of :func:`_dossier_counts` and the drill-down
# use these same conditions, so a number and its list cannot disagree.


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _in(field_name: str, start: date, end: date) -> Q:
    low, high = _bounds(start, end)
    return Q(**{f"{field_name}__gte": low, f"{field_name}__lt": high})


TIMED = ("early", "on_time", "late")


def _progress_ended(start: date, end: date) -> Q:
    """2.1: processing ended in the period — processed, returned, stopped/refused or withdrawn
    at the applicant's request (an end status on the portal)."""
    return _in("ended_at", start, end) & Q(received_at__isnull=False, timeliness__in=TIMED)


def _progress_open(start: date, end: date) -> Q:
    """2.1: received by the period's end and still being processed at its end."""
    _low, high = _bounds(start, end)
    return Q(received_at__lt=high) & (Q(ended_at__isnull=True) | Q(ended_at__gte=high))


def _progress_open_in_time(start: date, end: date, now: datetime) -> Q:
    """Of those, in time at the period's end (or now, if earlier): due later, or waiting for
    the applicant's only supplement since before the due time (the clock stands still)."""
    _low, high = _bounds(start, end)
    cutoff = min(high, now)
    return (
        _progress_open(start, end)
        & Q(supplement_count__lte=1)
        & (
            Q(due_at__isnull=True)
            | Q(due_at__gte=cutoff)
            | Q(paused_at__isnull=False, paused_at__lte=F("due_at"))
        )
    )


def _paper() -> Q:
    return Q(procedure_version__result_type__in=sorted(PAPER_RESULT_TYPES))


def _has_e_result() -> Q:
    return Q(Exists(SignedResult.objects.filter(dossier=OuterRef("pk"), status="signed")))


def _digitised_q() -> Q:
    """Every component digitised (and at least one), as the aggregates count ``digitised``."""
    components = DossierComponent.objects.filter(dossier=OuterRef("pk"))
    return Q(Exists(components)) & ~Q(Exists(components.filter(digitised=False)))


def _dossier_conditions(start: date, end: date, now: datetime) -> dict[str, Q]:
    ended = _progress_ended(start, end)
    opened = _progress_open(start, end)
    good = (ended & Q(timeliness__in=("early", "on_time"))) | _progress_open_in_time(
        start, end, now
    )
    paper_returned = _in("returned_at", start, end) & _paper()
    paper_received = _in("received_at", start, end) & _paper()
    digitised_with_result = _digitised_q() & _has_e_result()
    return {
        "progress_all": ended | opened,
        "progress_good": good,
        "progress_bad": (ended | opened) & ~good,
        "progress_open": opened,
        "paper_returned": paper_returned,
        "paper_returned_e_result": paper_returned & _has_e_result(),
        "paper_returned_without_e_result": paper_returned & ~_has_e_result(),
        "paper_received": paper_received,
        "paper_digitised": paper_received & digitised_with_result,
        "paper_not_digitised": paper_received & ~digitised_with_result,
    }


#: The dossier-level counts :func:`score` reads in one query.
DOSSIER_COUNTS = (
    "progress_all",
    "progress_good",
    "progress_open",
    "paper_returned",
    "paper_returned_e_result",
    "paper_received",
    "paper_digitised",
)


def _dossiers_in(filters: Filters) -> QuerySet[Dossier]:
    queryset = Dossier.objects.all()
    if filters.scope_agency_ids is not None:
        queryset = queryset.filter(competent_agency_id__in=list(filters.scope_agency_ids))
    if filters.agency_ids:
        queryset = queryset.filter(competent_agency_id__in=list(filters.agency_ids))
    if filters.unit_ids:
        queryset = queryset.filter(competent_agency__unit_id__in=list(filters.unit_ids))
    if filters.field_ids:
        queryset = queryset.filter(procedure_version__procedure__field_id__in=filters.field_ids)
    return queryset


def _dossier_counts(filters: Filters) -> dict[str, int]:
    if filters._counts is None:
        conditions = _dossier_conditions(filters.start, filters.end, filters.now)
        low, high = _bounds(filters.start, filters.end)
        # Only dossiers that can be in one of the populations: received by the period's end
        # and not ended or returned before it.
        relevant = Q(received_at__lt=high) & (
            Q(ended_at__isnull=True) | Q(ended_at__gte=low) | Q(returned_at__gte=low)
        )
        filters._counts = {
            key: int(value or 0)
            for key, value in _dossiers_in(filters)
            .filter(relevant)
            .aggregate(**{key: Count("pk", filter=conditions[key]) for key in DOSSIER_COUNTS})
            .items()
        }
    return filters._counts


def _on_time(filters: Filters) -> Ratio:
    """2.1 (portal): dossiers ended early/on time plus those in progress within time at the
    period's end ÷ dossiers ended in the period plus those in progress at its end."""
    counts = _dossier_counts(filters)
    return Ratio(
        counts["progress_good"], counts["progress_all"], "progress_good", "progress_all",
        "progress_bad", {"in_progress": counts["progress_open"]},
    )  # fmt: skip


def _full_online(filters: Filters) -> Ratio:
    """3: online dossiers of eligible procedures — with an e-result when the result is a paper
    document — ÷ dossiers received of eligible procedures."""
    eligible = eligible_procedures(filters.end)
    rows = selectors.figures(**filters.figure_kwargs(), group_by=("procedure", "channel"))
    rows = [row for row in rows if row["procedure_id"] in eligible]
    online = [row for row in rows if row["channel"] == Channel.ONLINE]
    paper = [row for row in online if eligible[row["procedure_id"]]]
    other = [row for row in online if not eligible[row["procedure_id"]]]
    return Ratio(
        _total(paper, "e_results") + _total(other, "received"),
        _total(rows, "received"),
        "full_online",
        "full_online_eligible",
        "full_online_eligible_other",
        {"received_online": _total(online, "received")},
    )


def _procedures_online(filters: Filters) -> Ratio:
    """3.1 (2022): procedures in force offered online ÷ procedures in force (catalogue)."""
    in_force = set(_in_force(filters.end).values_list("procedure_id", flat=True))
    offered = online_offered_procedure_ids(filters.end) & in_force
    return Ratio(len(offered), len(in_force), "", "")


def _procedures_online_used(filters: Filters) -> Ratio:
    """3.2 (2022): procedures offered online with an online dossier received in the period ÷
    procedures offered online."""
    offered = online_offered_procedure_ids(filters.end)
    rows = selectors.figures(**filters.figure_kwargs(), group_by=("procedure", "channel"))
    used = {
        row["procedure_id"]
        for row in rows
        if row["channel"] == Channel.ONLINE and row["procedure_id"] in offered and row["received"]
    }
    return Ratio(len(used), len(offered), "", "")


def _dossiers_online(filters: Filters) -> Ratio:
    """3.3 (2022): dossiers received online ÷ dossiers received of procedures offered online."""
    offered = online_offered_procedure_ids(filters.end)
    rows = selectors.figures(**filters.figure_kwargs(), group_by=("procedure",))
    rows = [row for row in rows if row["procedure_id"] in offered]
    return Ratio(
        _total(rows, "received_online"), _total(rows, "received"), "online_offered_online",
        "online_offered_received", "online_offered_not_online",
    )  # fmt: skip


def _e_result(filters: Filters) -> Ratio:
    """4.1: returned dossiers of paper-result procedures with a signed e-result ÷ returned
    dossiers of those procedures."""
    counts = _dossier_counts(filters)
    return Ratio(
        counts["paper_returned_e_result"], counts["paper_returned"], "paper_returned_e_result",
        "paper_returned", "paper_returned_without_e_result",
    )  # fmt: skip


def _digitised(filters: Filters) -> Ratio:
    """4.2: received dossiers of paper-result procedures with every component file and a
    signed e-result file ÷ received dossiers of those procedures."""
    counts = _dossier_counts(filters)
    return Ratio(
        counts["paper_digitised"], counts["paper_received"], "paper_digitised",
        "paper_received", "paper_not_digitised",
    )  # fmt: skip


def _satisfaction(filters: Filters) -> Ratio:
    """5.4: 100 % − (late % + dissatisfied %) over the dossiers processed; nothing rated in the
    period is an empty indicator (the portal gives 0)."""
    row = filters.total()
    timed = _total([row], "processed_early", "processed_on_time", "processed_late")
    late = _total([row], "processed_late")
    rated = _total([row], "rating_count")
    dissatisfied = rated - _total([row], "rating_satisfied")
    good = max(timed - late - dissatisfied, 0)
    return Ratio(
        good, timed, "", "processed_timed", "late_or_dissatisfied",
        {"late": late, "dissatisfied": dissatisfied, "rated": rated}, empty=rated == 0,
    )  # fmt: skip


FORMULAS: dict[str, Callable[[Filters], Ratio]] = {
    "on_time": _on_time,
    "full_online": _full_online,
    "procedures_online": _procedures_online,
    "procedures_online_used": _procedures_online_used,
    "dossiers_online": _dossiers_online,
    "e_result": _e_result,
    "digitised": _digitised,
    "satisfaction": _satisfaction,
}
#: Inputs supplied by apps built on top of the indicators (see :func:`register_formula`).
PROVIDED_INPUTS: set[str] = set()


def register_formula(
    name: str, formula: Callable[[Filters], Ratio], *, inputs: Iterable[str] = ()
) -> None:
    """Let an app that holds a missing input (complaints, payments, the citizen's store…)
    supply a formula from its ``ready()``; the indicators naming it then have data."""
    if name in FORMULAS and FORMULAS[name] is not formula:
        raise ValueError(f"formula {name!r} registered twice")
    FORMULAS[name] = formula
    PROVIDED_INPUTS.update(inputs)


def commune_only(filters: Filters) -> bool:
    """The scored unit is a commune: every competent agency chosen is commune-level."""
    if filters.agency_ids is None and filters.scope_agency_ids is None and not filters.unit_ids:
        return False
    agencies = Agency.objects.all()
    if filters.scope_agency_ids is not None:
        agencies = agencies.filter(pk__in=list(filters.scope_agency_ids))
    if filters.agency_ids:
        agencies = agencies.filter(pk__in=list(filters.agency_ids))
    if filters.unit_ids:
        agencies = agencies.filter(unit_id__in=list(filters.unit_ids))
    levels = set(agencies.values_list("level", flat=True))
    return levels == {AgencyLevel.COMMUNE}


def evaluate(definition: Definition, filters: Filters) -> IndicatorResult:
    if definition.not_for_communes and filters.commune():
        points = definition.max_points.quantize(TWO_PLACES)
        return IndicatorResult(definition, NOT_APPLICABLE, points=points)
    if definition.missing_inputs:
        return IndicatorResult(definition, NO_DATA)
    ratio = FORMULAS[definition.formula](filters)
    result = IndicatorResult(
        definition,
        OK,
        numerator=ratio.numerator,
        denominator=ratio.denominator,
        numerator_key=ratio.numerator_key,
        denominator_key=ratio.denominator_key,
        shortfall_key=ratio.shortfall_key,
        detail=ratio.detail,
    )
    if ratio.denominator <= 0 or ratio.empty:
        if definition.empty == "full":
            result.points, result.empty_rule = definition.max_points, "full"
        elif definition.empty == "zero":
            result.points, result.empty_rule = Decimal("0.00"), "zero"
        else:
            result.status = NO_DOSSIERS
        return result
    rate = Decimal(ratio.numerator) / Decimal(ratio.denominator)
    result.rate = rate
    result.points = points_for(rate, definition)
    result.reached = rate >= definition.threshold
    return result


def score(
    *,
    start: date,
    end: date,
    scope_agency_ids: Sequence[int] | None = None,
    agency_ids: Sequence[int] | None = None,
    unit_ids: Sequence[int] | None = None,
    field_ids: Sequence[int] | None = None,
    version: str | None = None,
    now: datetime | None = None,
) -> IndexResult:
    """The index over ``start``–``end`` (inclusive) for the agencies in scope, by the version
    of the definitions in force on ``end`` (or the one named)."""
    if start > end:
        raise ValueError("start must not be after end")
    filters = Filters(
        start, end, scope_agency_ids, agency_ids, unit_ids, field_ids, now=now or timezone.now()
    )
    definitions = spec_by_version(version) if version else spec(end)
    groups = [
        GroupResult(
            group,
            [evaluate(d, filters) for d in definitions.indicators if d.group == group.code],
        )
        for group in definitions.groups
    ]
    return IndexResult(definitions, filters, groups, goals(filters))


# --- Goals ----------------------------------------------------------------------------------------


@dataclass
class GoalResult:
    key: str
    label_vi: str
    target: Decimal
    actual: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    note_vi: str = ""

    @property
    def target_percent(self) -> Decimal:
        return (self.target * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def actual_percent(self) -> Decimal | None:
        if self.actual is None:
            return None
        return (self.actual * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def reached(self) -> bool | None:
        return None if self.actual is None else self.actual >= self.target


LEVEL_LABELS_VI = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


def goals(filters: Filters) -> list[GoalResult]:
    """The active goal set beside the actual figures.

    * full-online services: procedures in force offered fully online ÷ procedures in force
      (the whole catalogue; it is province-wide);
    * work processed online per agency level: congso processes every received dossier
      electronically, so the measure shown is the closest one it holds — dossiers received
      online ÷ dossiers received, per level of the competent agency (no district level after
      1/7/2025: no data)."""
    data = goals_data()
    active = data["sets"][data["active"]]
    results = []
    on = filters.end
    in_force = ProcedureVersion.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        effective_from__lte=on,
        procedure__active=True,
    )
    total = in_force.values("procedure_id").distinct().count()
    full = in_force.filter(online_level=OnlineLevel.FULL).values("procedure_id").distinct().count()
    results.append(
        GoalResult(
            "full_online_services",
            "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến toàn trình",
            _decimal(active["full_online_services"]),
            Decimal(full) / Decimal(total) if total else None,
            full,
            total,
        )
    )
    rows = selectors.figures(**filters.figure_kwargs(), group_by=("agency",))
    levels = dict(
        Agency.objects.filter(pk__in=[row["agency_id"] for row in rows]).values_list("pk", "level")
    )
    for level, target in active["online_processing"].items():
        mine = [row for row in rows if levels.get(row["agency_id"]) == level]
        received = _total(mine, "received")
        online = _total(mine, "received_online")
        results.append(
            GoalResult(
                f"online_processing_{level}",
                f"Tỷ lệ hồ sơ xử lý trực tuyến {LEVEL_LABELS_VI[level]}",
                _decimal(target),
                Decimal(online) / Decimal(received) if received else None,
                online,
                received,
                "Đo bằng tỷ lệ hồ sơ tiếp nhận trực tuyến của các cơ quan cấp này.",
            )
        )
    return results


# --- Drill-down -----------------------------------------------------------------------------------


def _satisfied_ratings(start: date, end: date, satisfied: bool) -> Q:
    ratings = Rating.objects.filter(_in("created_at", start, end), dossier=OuterRef("pk"))
    if satisfied:
        ratings = ratings.filter(score__gte=SATISFIED_SCORE)
    else:
        ratings = ratings.filter(score__lt=SATISFIED_SCORE)
    return Q(Exists(ratings))


def _e_result_q(start: date, end: date) -> Q:
    """A fully signed electronic result signed in the period (``e_results``)."""
    signed = SignedResult.objects.filter(
        _in("signed_at", start, end), dossier=OuterRef("pk"), status="signed"
    )
    return Q(Exists(signed))


#: Statuses the aggregates count as processed (a decision was made), see ``aggregates``.
PROCESSED_STATUSES = ("processed", "returned", "stopped")


def _conditions(key: str, start: date, end: date, now: datetime | None = None) -> Q:
    processed = (
        _in("ended_at", start, end)
        & Q(status__in=PROCESSED_STATUSES, received_at__isnull=False)
        & Q(timeliness__in=("early", "on_time", "late"))
    )
    received = _in("received_at", start, end)
    returned = _in("returned_at", start, end)
    eligible_map = eligible_procedures(end)
    eligible = Q(procedure_version__procedure_id__in=sorted(eligible_map))
    e_result = _e_result_q(start, end)
    paper_ids = sorted(pk for pk, paper in eligible_map.items() if paper)
    other_ids = sorted(pk for pk, paper in eligible_map.items() if not paper)
    full_online = Q(channel=Channel.ONLINE) & (
        (Q(procedure_version__procedure_id__in=paper_ids) & e_result)
        | (Q(procedure_version__procedure_id__in=other_ids) & received)
    )
    offered = Q(procedure_version__procedure_id__in=sorted(online_offered_procedure_ids(end)))
    dossier_level = _dossier_conditions(start, end, now or timezone.now())
    conditions: dict[str, Callable[[], Q]] = {
        "online_offered_received": lambda: received & offered,
        "online_offered_online": lambda: received & offered & Q(channel=Channel.ONLINE),
        "online_offered_not_online": lambda: received & offered & ~Q(channel=Channel.ONLINE),
        "processed_timed": lambda: processed,
        "processed_on_time": lambda: processed & Q(timeliness__in=("early", "on_time")),
        "processed_late": lambda: processed & Q(timeliness="late"),
        "received": lambda: received,
        "digitised": lambda: received & _digitised_q(),
        "received_not_digitised": lambda: received & ~_digitised_q(),
        "returned": lambda: returned,
        "e_results": lambda: e_result,
        "returned_without_e_result": lambda: returned
        & ~Q(Exists(_signed_results().filter(dossier=OuterRef("pk")))),
        "full_online_eligible": lambda: received & eligible,
        "full_online": lambda: full_online,
        "full_online_eligible_other": lambda: received & eligible & ~full_online,
        "late_or_dissatisfied": lambda: (processed & Q(timeliness="late"))
        | _satisfied_ratings(start, end, satisfied=False),
    }
    if key in dossier_level:
        return dossier_level[key]
    if key not in conditions:
        raise KeyError(key)
    return conditions[key]()


def _signed_results() -> QuerySet[Any]:
    return SignedResult.objects.filter(status="signed")


DRILL_KEYS = (
    "progress_all",
    "progress_good",
    "progress_bad",
    "progress_open",
    "paper_returned",
    "paper_returned_e_result",
    "paper_returned_without_e_result",
    "paper_received",
    "paper_digitised",
    "paper_not_digitised",
    "online_offered_received",
    "online_offered_online",
    "online_offered_not_online",
    "processed_timed",
    "processed_on_time",
    "processed_late",
    "received",
    "digitised",
    "received_not_digitised",
    "returned",
    "e_results",
    "returned_without_e_result",
    "full_online_eligible",
    "full_online",
    "full_online_eligible_other",
    "late_or_dissatisfied",
)
DRILL_LABELS_VI = {
    "progress_all": "Hồ sơ đã kết thúc xử lý trong kỳ và hồ sơ đang giải quyết cuối kỳ",
    "progress_good": "Hồ sơ giải quyết trước hạn, đúng hạn và đang giải quyết trong hạn",
    "progress_bad": "Hồ sơ giải quyết quá hạn và đang giải quyết quá hạn",
    "progress_open": "Hồ sơ đang giải quyết cuối kỳ",
    "paper_returned": "Hồ sơ đã trả kết quả (thủ tục trả kết quả bằng văn bản, giấy tờ)",
    "paper_returned_e_result": "Hồ sơ đã trả kết quả có kết quả điện tử đã ký",
    "paper_returned_without_e_result": "Hồ sơ đã trả kết quả chưa có kết quả điện tử đã ký",
    "paper_received": "Hồ sơ tiếp nhận (thủ tục trả kết quả bằng văn bản, giấy tờ)",
    "paper_digitised": "Hồ sơ có đủ tệp thành phần hồ sơ và tệp kết quả điện tử",
    "paper_not_digitised": "Hồ sơ chưa đủ tệp thành phần hồ sơ hoặc tệp kết quả điện tử",
    "online_offered_received": "Hồ sơ tiếp nhận của thủ tục cung cấp trực tuyến",
    "online_offered_online": "Hồ sơ tiếp nhận trực tuyến của thủ tục cung cấp trực tuyến",
    "online_offered_not_online": "Hồ sơ của thủ tục cung cấp trực tuyến chưa nộp trực tuyến",
    "processed_timed": "Hồ sơ đã giải quyết (có đánh giá thời hạn)",
    "processed_on_time": "Hồ sơ giải quyết trước hạn, đúng hạn",
    "processed_late": "Hồ sơ giải quyết quá hạn",
    "received": "Hồ sơ tiếp nhận",
    "digitised": "Hồ sơ đã số hóa",
    "received_not_digitised": "Hồ sơ tiếp nhận chưa số hóa",
    "returned": "Hồ sơ đã trả kết quả",
    "e_results": "Hồ sơ có kết quả điện tử đã ký trong kỳ",
    "returned_without_e_result": "Hồ sơ đã trả kết quả chưa có kết quả điện tử đã ký",
    "full_online_eligible": "Hồ sơ của thủ tục đủ điều kiện trực tuyến toàn trình",
    "full_online": "Hồ sơ trực tuyến toàn trình (có kết quả điện tử khi trả kết quả bằng giấy tờ)",
    "full_online_eligible_other": "Hồ sơ của thủ tục toàn trình chưa đạt trực tuyến toàn trình",
    "late_or_dissatisfied": "Hồ sơ quá hạn hoặc bị đánh giá không hài lòng",
}


def drilldown(
    key: str,
    *,
    user: Any,
    start: date,
    end: date,
    agency_ids: Sequence[int] | None = None,
    unit_ids: Sequence[int] | None = None,
    field_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers behind a numerator, denominator or shortfall ``key`` over the period, among
    those ``user`` may see and whose competent agency is in their indicator scope."""
    queryset = Dossier.objects.restrict(user, "view").filter(_conditions(key, start, end, now))
    scope = scope_agency_ids(user)
    if scope is not None:
        queryset = queryset.filter(competent_agency_id__in=scope)
    if agency_ids:
        queryset = queryset.filter(competent_agency_id__in=agency_ids)
    if unit_ids:
        queryset = queryset.filter(competent_agency__unit_id__in=unit_ids)
    if field_ids:
        queryset = queryset.filter(procedure_version__procedure__field_id__in=field_ids)
    return queryset.select_related("procedure_version__procedure", "competent_agency").order_by(
        "-submitted_at", "-pk"
    )


__all__ = [
    "DRILL_KEYS",
    "FORMULAS",
    "IndexResult",
    "IndicatorResult",
    "drilldown",
    "goals",
    "register_formula",
    "scope_agency_ids",
    "score",
    "spec",
    "versions",
]
