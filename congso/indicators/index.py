"""The QĐ 766/QĐ-TTg service index, computed from the aggregates, explained, and drilled down.

The indicators, their thresholds and points are data (``data/qd766.json``, versioned); the
seeds' goals are data too (``data/goals.json``). :func:`score` reads the pre-aggregated figures
(:func:`congso.indicators.selectors.figures`), never the dossier table; :func:`drilldown` gives
the exact dossiers behind a numerator or a denominator, through ``Dossier.objects.restrict``.

An indicator whose inputs congso does not hold yet (payment, population data, complaints,
national sync…) is ``no_data`` ("chưa có dữ liệu"), never 0; so is one whose denominator is 0
in the period. Totals add the points of the indicators with data, over their maximum, and say
so (``max_points_with_data`` beside ``max_points``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.catalog.models import OnlineLevel, ProcedureVersion
from congso.dossiers.models import Channel, Dossier, DossierComponent, Rating
from congso.indicators import selectors
from congso.org.models import Agency
from congso.org.permissions import (
    PROVINCE_WIDE,
    is_authenticated_user,
    is_superuser,
    role_agencies,
    role_provinces,
)
from congso.results.models import SignedResult

DATA_DIR = Path(__file__).resolve().parent / "data"
INDEX_FILE = DATA_DIR / "qd766.json"
GOALS_FILE = DATA_DIR / "goals.json"

#: The inputs congso holds today. An indicator needing anything else is ``no_data``.
AVAILABLE_INPUTS = frozenset({"dossiers", "e_results", "digitisation", "ratings"})
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
STATUS_LABELS_VI = {
    OK: _("Có dữ liệu"),
    NO_DATA: _("Chưa có dữ liệu"),
    NO_DOSSIERS: _("Chưa có dữ liệu (không có hồ sơ trong kỳ)"),
}
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

    @property
    def missing_inputs(self) -> tuple[str, ...]:
        return tuple(name for name in self.inputs if name not in AVAILABLE_INPUTS)


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
        )
        if not definition.missing_inputs and definition.formula not in FORMULAS:
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
    )


@cache
def spec() -> IndexSpec:
    return parse_spec(json.loads(INDEX_FILE.read_text(encoding="utf-8")))


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
    _total: dict[str, Any] | None = field(default=None, repr=False, compare=False)

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

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def has_data(self) -> bool:
        return self.status == OK

    @property
    def rate_percent(self) -> Decimal | None:
        if self.rate is None:
            return None
        return (self.rate * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def threshold_percent(self) -> Decimal:
        return (self.definition.threshold * HUNDRED).quantize(TWO_PLACES, ROUND_HALF_UP)

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


def points_for(rate: Decimal, definition: Definition) -> Decimal:
    """min(max points, rate × max points ÷ threshold), to two decimals."""
    raw = rate * definition.max_points / definition.threshold
    return min(definition.max_points, raw).quantize(TWO_PLACES, ROUND_HALF_UP)


def _total(rows: Iterable[dict[str, Any]], *counters: str) -> int:
    return sum(int(row.get(name) or 0) for row in rows for name in counters)


def full_online_procedure_ids(on: date) -> set[int]:
    """Procedures whose version in force on ``on`` is offered fully online (ND 224/2026)."""
    versions = ProcedureVersion.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        effective_from__lte=on,
        online_level=OnlineLevel.FULL,
    )
    return set(versions.values_list("procedure_id", flat=True))


def _on_time(filters: Filters) -> Ratio:
    row = filters.total()
    good = _total([row], "processed_early", "processed_on_time")
    late = _total([row], "processed_late")
    return Ratio(
        good, good + late, "processed_on_time", "processed_timed", "processed_late",
        {"early": _total([row], "processed_early"), "on_time": _total([row], "processed_on_time"),
         "late": late},
    )  # fmt: skip


def _full_online(filters: Filters) -> Ratio:
    eligible = full_online_procedure_ids(filters.end)
    rows = selectors.figures(**filters.figure_kwargs(), group_by=("procedure", "channel"))
    rows = [row for row in rows if row["procedure_id"] in eligible]
    online = [row for row in rows if row["channel"] == Channel.ONLINE]
    return Ratio(
        _total(online, "e_results"),
        _total(rows, "received"),
        "full_online",
        "full_online_eligible",
        "full_online_eligible_other",
        {"received_online": _total(online, "received")},
    )


def _e_result(filters: Filters) -> Ratio:
    row = filters.total()
    return Ratio(_total([row], "e_results"), _total([row], "returned"), "e_results", "returned",
                 "returned_without_e_result")  # fmt: skip


def _digitised(filters: Filters) -> Ratio:
    row = filters.total()
    return Ratio(_total([row], "digitised"), _total([row], "received"), "digitised", "received",
                 "received_not_digitised")  # fmt: skip


def _satisfaction(filters: Filters) -> Ratio:
    row = filters.total()
    timed = _total([row], "processed_early", "processed_on_time", "processed_late")
    late = _total([row], "processed_late")
    dissatisfied = _total([row], "rating_count") - _total([row], "rating_satisfied")
    good = max(timed - late - dissatisfied, 0)
    return Ratio(
        good, timed, "", "processed_timed", "late_or_dissatisfied",
        {"late": late, "dissatisfied": dissatisfied, "rated": _total([row], "rating_count")},
    )  # fmt: skip


FORMULAS: dict[str, Callable[[Filters], Ratio]] = {
    "on_time": _on_time,
    "full_online": _full_online,
    "e_result": _e_result,
    "digitised": _digitised,
    "satisfaction": _satisfaction,
}


def evaluate(definition: Definition, filters: Filters) -> IndicatorResult:
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
    if ratio.denominator <= 0:
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
) -> IndexResult:
    """The index over ``start``–``end`` (inclusive) for the agencies in scope."""
    if start > end:
        raise ValueError("start must not be after end")
    filters = Filters(start, end, scope_agency_ids, agency_ids, unit_ids, field_ids)
    definitions = spec()
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


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _in(field_name: str, start: date, end: date) -> Q:
    low, high = _bounds(start, end)
    return Q(**{f"{field_name}__gte": low, f"{field_name}__lt": high})


def _satisfied_ratings(start: date, end: date, satisfied: bool) -> Q:
    ratings = Rating.objects.filter(_in("created_at", start, end), dossier=OuterRef("pk"))
    if satisfied:
        ratings = ratings.filter(score__gte=SATISFIED_SCORE)
    else:
        ratings = ratings.filter(score__lt=SATISFIED_SCORE)
    return Q(Exists(ratings))


def _digitised_q() -> Q:
    """Every component digitised (and at least one), as the aggregates count ``digitised``."""
    components = DossierComponent.objects.filter(dossier=OuterRef("pk"))
    return Q(Exists(components)) & ~Q(Exists(components.filter(digitised=False)))


def _e_result_q(start: date, end: date) -> Q:
    """A fully signed electronic result signed in the period (``e_results``)."""
    signed = SignedResult.objects.filter(
        _in("signed_at", start, end), dossier=OuterRef("pk"), status="signed"
    )
    return Q(Exists(signed))


#: Statuses the aggregates count as processed (a decision was made), see ``aggregates``.
PROCESSED_STATUSES = ("processed", "returned", "stopped")


def _conditions(key: str, start: date, end: date) -> Q:
    processed = (
        _in("ended_at", start, end)
        & Q(status__in=PROCESSED_STATUSES, received_at__isnull=False)
        & Q(timeliness__in=("early", "on_time", "late"))
    )
    received = _in("received_at", start, end)
    returned = _in("returned_at", start, end)
    eligible = Q(procedure_version__procedure_id__in=full_online_procedure_ids(end))
    e_result = _e_result_q(start, end)
    full_online = eligible & Q(channel=Channel.ONLINE) & e_result
    conditions: dict[str, Callable[[], Q]] = {
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
    if key not in conditions:
        raise KeyError(key)
    return conditions[key]()


def _signed_results() -> QuerySet[Any]:
    return SignedResult.objects.filter(status="signed")


DRILL_KEYS = (
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
    "full_online": "Hồ sơ trực tuyến toàn trình có kết quả điện tử",
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
) -> QuerySet[Dossier]:
    """The dossiers behind a numerator, denominator or shortfall ``key`` over the period, among
    those ``user`` may see and whose competent agency is in their indicator scope."""
    queryset = Dossier.objects.restrict(user, "view").filter(_conditions(key, start, end))
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
    "scope_agency_ids",
    "score",
    "spec",
]
