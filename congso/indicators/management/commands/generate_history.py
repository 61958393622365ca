"""``manage.py generate_history --dossiers N [--years 3 | --months M] [--seed S] [--end
YYYY-MM-DD]``: a realistic province history for the indicators, the dashboard and the benchmark
(test/demo data only — never on a production database). The demo loads a few months of it with
``manage.py load_demo_history`` (:mod:`congso.indicators.demo`).

Needs the demo province and catalogue first (``manage.py load_demo`` then ``manage.py
load_catalog_demo``): the dossiers are spread over the published (procedure, agency) internal
processes, received at the desk serving each agency, applied for by the demo citizens.

The model (the same on SQLite and PostgreSQL, one streaming generator):

* **volume per day** — a monthly curve (busy before Tết and at year end, quiet in February),
  weekdays versus weekends (online only, a trickle), public holidays nearly empty, a **Tết lull**
  from two days before to ten days after the lunar new year (dates from the ``holidays``
  package), a pre-Tết rush the fortnight before, 8 % growth a year; the days' counts add up to
  exactly ``N``;
* **channels** — the online share rises linearly from 25 % to 65 % over the period (85 % on
  weekends), 5 % by post, the rest in person, limited to the channels each procedure accepts;
* **outcomes** — 3 % of online dossiers not accepted; 8 % get a supplement request (1 % two, so
  late by rule), the clock restarting when the applicant completes them; a late share of 3–8 %
  depending on the agency; 2 % refused after appraisal, 1 % withdrawn; results returned 0–3 days
  after processing (online for most online dossiers); 20 % of returned dossiers rated, mostly 4–5;
  dossiers whose processing would end after the horizon are still open (not yet received, received
  within the last hours, processing — some past their due time, 3 % with a withdrawal request —,
  waiting for a supplement or a payment), each at the first processing step of its agency's
  published process (the step's name, role, agency and department, ``plan_index`` set), so an
  officer can carry it on through the pages like any other dossier;
* **records** — each dossier gets its code from the code rule in force (gap-free per receiving
  agency and day, the counters updated), its history lines (submit, receive, start_processing,
  request_supplement/supplement, complete/refuse/withdrawal, return_result, rate), three process
  steps (reception, appraisal and decision, return) and its supplement requests and rating.
  With ``declarations`` (the demo) the declaration holds the applicant's own fields (those the
  portal prefills: name, personal ID, phone). Not generated: the rest of the declaration,
  components and attachments, outbox events, audit events, signed results.

Due times use calendar days (working days × 7/5) rather than the province calendar, and
procedures without a published time limit get 5 working days. On PostgreSQL the rows are
streamed with ``COPY``; above 100 000 dossiers the secondary indexes and unique constraints of
the four big tables are dropped before the load and rebuilt after it, and foreign-key triggers
are off during the load (``session_replication_role = replica``). The aggregates are then
rebuilt (``rebuild_indicators``).
"""

# Test data: pseudo-random is what we want; SQL is assembled from constants and table names.
# ruff: noqa: S311, S608

from __future__ import annotations

import itertools
import json
import math
import random
import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from congso.accounts.models import User
from congso.catalog.formschema import prefill_map
from congso.catalog.models import Process
from congso.core.errors import DomainError
from congso.dossiers import codes
from congso.dossiers.codes import render
from congso.dossiers.models import (
    CodeCounter,
    Dossier,
    DossierHistory,
    DossierStep,
    Rating,
    SupplementRequest,
)
from congso.dossiers.services.intake import default_desk
from congso.indicators import aggregates
from congso.org.models import Citizen

DEFER_INDEXES_FROM = 100_000
MONTH_CURVE = (0.85, 0.55, 1.0, 1.0, 1.05, 1.08, 1.1, 1.05, 1.0, 1.05, 1.1, 1.2)
WEEKDAY = (1.15, 1.05, 1.0, 1.0, 0.95, 0.1, 0.03)  # Monday … Sunday
GROWTH_PER_YEAR = 0.08
ONLINE_FROM, ONLINE_TO, ONLINE_WEEKEND = 0.25, 0.65, 0.85
POSTAL_SHARE = 0.05
NOT_ACCEPTED = 0.03
SUPPLEMENT, TWO_SUPPLEMENTS = 0.08, 0.01
LATE_MIN, LATE_MAX = 0.02, 0.06
REFUSED, WITHDRAWN = 0.02, 0.01
#: Open dossiers: a share waits for a payment, another for the decision on a withdrawal request.
PAYMENT_OPEN, WITHDRAWAL_OPEN = 0.04, 0.03
#: A dossier received less than this many hours before the horizon is not forwarded yet.
RECEIVED_HOURS = 4
#: Share of returned dossiers rated, and the score shares (percent, cumulative 55/85/94/98/100
#: for 5/4/3/2/1), drawn in SQL from hashes of the dossier id.
RATED_PERCENT = 20
SCORE_CUTS = ((55, 5), (85, 4), (94, 3), (98, 2))
DEFAULT_WORKING_DAYS = 5
#: The actor of every generated history line (how generated dossiers are recognised).
GENERATED_LABEL = "Dữ liệu sinh tự động"
DAY = 86400.0


@dataclass
class Pair:
    """One published (procedure version, competent agency) internal process."""

    version_id: int
    process_id: int
    procedure_id: int
    agency_id: int
    desk_id: int
    receiving_agency_id: int
    prefix: str
    channels: tuple[str, ...]
    span_days: float
    weight: float
    p_late: float
    #: The first two processing steps of the published process (where open dossiers stand).
    plan_steps: tuple[PlanStep, ...] = ()
    #: Form fields filled from the applicant's profile: ``{field name: prefill source}``.
    prefill: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanStep:
    plan_index: int
    name: str
    role: str
    kind: str
    agency_id: int
    department_id: int | None
    process_step_id: int
    hours: Any
    allowed_actions: str  # JSON text
    alone: bool  # the only step of its group


def processing_steps(process: Any) -> tuple[PlanStep, ...]:
    """The lead steps of the process's first two processing groups (not the reception's),
    grouped as ``dossiers.services.plan_of`` groups the catalogue steps (consecutive steps
    sharing a ``parallel_group`` run together)."""
    groups: list[list[Any]] = []
    previous: int | None = None
    for step in sorted(process.steps.all(), key=lambda item: item.order):
        if groups and step.parallel_group is not None and step.parallel_group == previous:
            groups[-1].append(step)
        else:
            groups.append([step])
        previous = step.parallel_group
    start, end = 0, len(groups)
    while start < end and all(step.role == "reception" for step in groups[start]):
        start += 1
    while end > start and all(step.role == "reception" for step in groups[end - 1]):
        end -= 1
    found = []
    for index in range(start, min(end, start + 2)):
        group = groups[index]
        lead = next((step for step in group if step.is_lead), group[0])
        found.append(
            PlanStep(
                plan_index=index,
                name=lead.name,
                role=lead.role,
                kind=lead.kind,
                agency_id=lead.agency_id or process.agency_id,
                department_id=lead.department_id,
                process_step_id=lead.pk,
                hours=lead.hours,
                allowed_actions=json.dumps(list(lead.allowed_actions or [])),
                alone=len(group) == 1,
            )
        )
    return tuple(found)


def _channels(raw: list[str]) -> tuple[str, ...]:
    names = {
        "direct": "in_person",
        "in_person": "in_person",
        "online": "online",
        "postal": "postal",
    }
    return tuple(sorted({names[c] for c in raw or [] if c in names})) or ("in_person",)


def _span_days(value: Any, unit: str) -> float:
    if unit == "days" and value:
        return float(value)
    if unit == "working_hours" and value:
        return max(0.5, float(value) / 8 * 7 / 5)
    if unit == "instant":
        return 0.4
    working = float(value) if unit == "working_days" and value else DEFAULT_WORKING_DAYS
    return math.ceil(working * 7 / 5)


def load_pairs(rng: random.Random, late: tuple[float, float] = (LATE_MIN, LATE_MAX)) -> list[Pair]:
    processes = list(
        Process.objects.select_related("version__procedure", "agency")
        .prefetch_related("steps")
        .order_by("version__procedure__code", "agency__code")
    )
    procedures = sorted({p.version.procedure_id for p in processes})
    shuffled = procedures[:]
    rng.shuffle(shuffled)
    popularity = {pid: 1 / (rank + 1) ** 0.8 for rank, pid in enumerate(shuffled)}
    lateness = {}
    pairs = []
    desks: dict[int, Any] = {}
    for process in processes:
        agency = process.agency
        if agency.pk not in desks:
            try:
                desks[agency.pk] = default_desk(agency)
            except DomainError:
                desks[agency.pk] = None
        desk = desks[agency.pk]
        if desk is None:
            continue
        if agency.pk not in lateness:
            lateness[agency.pk] = rng.uniform(*late)
        version = process.version
        pairs.append(
            Pair(
                version_id=version.pk,
                process_id=process.pk,
                procedure_id=version.procedure_id,
                agency_id=agency.pk,
                desk_id=desk.pk,
                receiving_agency_id=desk.agency_id,
                prefix=desk.agency.code,
                channels=_channels(version.submission_channels),
                span_days=_span_days(version.time_limit_value, version.time_limit_unit),
                weight=popularity[version.procedure_id]
                * (1.0 if agency.level == "commune" else 0.5),
                p_late=lateness[agency.pk],
                plan_steps=processing_steps(process),
                prefill=prefill_map(version.form_schema or {}),
            )
        )
    return pairs


def day_weights(days: list[date]) -> list[float]:
    import holidays as holiday_data

    years = sorted({d.year for d in days} | {days[-1].year + 1})
    public = holiday_data.country_holidays("VN", years=years)
    tet = [d for d, name in public.items() if name == "Lunar New Year"]
    weights = []
    for d in days:
        w = MONTH_CURVE[d.month - 1] * WEEKDAY[d.weekday()]
        w *= (1 + GROWTH_PER_YEAR) ** ((d - days[0]).days / 365.25)
        for new_year in tet:
            offset = (d - new_year).days
            if -2 <= offset <= 10:
                w *= 0.12
            elif -16 <= offset < -2:
                w *= 1.3
            elif 10 < offset <= 20:
                w *= 0.7
        if d in public:
            w *= 0.05
        weights.append(w)
    return weights


def months_back(last_day: date, months: int) -> date:
    """The first day of a period of ``months`` months ending on ``last_day`` (same day of the
    month, clamped to the month's length)."""
    month = last_day.month - months
    year = last_day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(last_day.day, 0, -1):
        try:
            return date(year, month, day) + timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def split_exact(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders): sums exactly."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Tables:
    """Column order and row templates of the tables the generator writes."""

    def __init__(self) -> None:
        self.models = {
            "dossier": Dossier,
            "history": DossierHistory,
            "step": DossierStep,
            "supplement": SupplementRequest,
            "rating": Rating,
        }
        self.counter_model = CodeCounter
        self.columns: dict[str, list[str]] = {}
        self.index: dict[str, dict[str, int]] = {}
        self.template: dict[str, list[Any]] = {}
        for name, model in self.models.items():
            fields = [
                f for f in model._meta.concrete_fields if not (f.primary_key and name != "dossier")
            ]
            self.columns[name] = [f.column for f in fields]
            self.index[name] = {f.attname: i for i, f in enumerate(fields)}
            self.template[name] = [self._default(f) for f in fields]

    @staticmethod
    def _default(field: models.Field[Any, Any]) -> Any:
        if field.has_default():
            value = field.get_default()
            if isinstance(value, dict | list):
                return "{}" if isinstance(value, dict) else "[]"
            return value
        if field.null:
            return None
        if isinstance(field, models.CharField | models.TextField):
            return ""
        return None

    def row(self, table: str, /, **values: Any) -> list[Any]:
        row = self.template[table].copy()
        index = self.index[table]
        for key, value in values.items():
            row[index[key]] = value
        return row

    def table(self, name: str) -> str:
        return self.models[name]._meta.db_table


def _at(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


class History:
    """The streaming generator: one day at a time, every row of every table for that day."""

    def __init__(
        self,
        *,
        tables: Tables,
        pairs: list[Pair],
        days: list[date],
        counts: list[int],
        horizon: datetime,
        seed: int,
        first_id: int,
        rule: Any,
        citizens: list[tuple[Any, ...]],
        officer_id: int,
        counters: dict[tuple[str, date], int],
        declarations: bool = False,
    ) -> None:
        self.t = tables
        self.declarations = declarations
        self.pairs = pairs
        self.days = days
        self.counts = counts
        self.horizon = horizon.timestamp()
        self.rng = random.Random(seed)
        self.next_id = first_id
        self.rule = rule
        self.citizens = citizens
        self.officer_id = officer_id
        self.counters = counters
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.cumulative = list(itertools.accumulate(p.weight for p in pairs))

        self.render = render

    def _draws(self, day: date, n: int, position: float) -> list[tuple[Pair, str]]:
        """``n`` (agency procedure, channel) draws for a day: procedures by popularity, the
        channel by the day's mix restricted to what the procedure accepts."""
        weekend = day.weekday() >= 5
        online = ONLINE_WEEKEND if weekend else ONLINE_FROM + (ONLINE_TO - ONLINE_FROM) * position
        picks = self.rng.choices(self.pairs, cum_weights=self.cumulative, k=n)
        draws = []
        r = self.rng.random
        for pair in picks:
            x = r()
            if "online" in pair.channels and (x < online or weekend):
                channel = "online"
            elif "postal" in pair.channels and x < online + POSTAL_SHARE:
                channel = "postal"
            elif "in_person" in pair.channels:
                channel = "in_person"
            else:
                channel = pair.channels[0]
            draws.append((pair, channel))
        return draws

    def day_rows(self, index: int) -> dict[str, list[list[Any]]]:
        day = self.days[index]
        position = index / max(1, len(self.days) - 1)
        midnight = datetime.combine(day, time.min, tzinfo=self.tz).timestamp()
        out: dict[str, list[list[Any]]] = defaultdict(list)
        for pair, channel in self._draws(day, self.counts[index], position):
            self._dossier(out, pair, channel, day, midnight)
        return out

    def _code(self, prefix: str, day: date) -> str:
        key = (prefix, day)
        seq = self.counters.get(key, 0) + 1
        if seq > 9999:
            raise CommandError(
                f"Quá 9999 hồ sơ một ngày tại {prefix} ngày {day:%d/%m/%Y}: tăng --years."
            )
        self.counters[key] = seq
        return self.render(self.rule.pattern, agency_code=prefix, day=day, seq=seq)

    def _dossier(  # noqa: PLR0912, PLR0915
        self, out: dict[str, list[list[Any]]], pair: Pair, channel: str, day: date, midnight: float
    ) -> None:
        r = self.rng.random
        dossier_id = self.next_id
        self.next_id += 1
        online = channel == "online"
        # Office hours 07:30–17:00; online submissions around the clock (mostly daytime).
        if online:
            submitted = midnight + 6 * 3600 + r() * 17 * 3600
        else:
            submitted = midnight + 7.5 * 3600 + r() * 9.5 * 3600
        received = submitted + (0.3 + r() * 20) * 3600 if online else submitted
        span = pair.span_days * DAY
        status = ""
        not_accepted = online and r() < NOT_ACCEPTED
        supplements = 0
        requests: list[float] = []
        clock_start = received
        if not not_accepted:
            draw = r()
            supplements = 2 if draw < TWO_SUPPLEMENTS else (1 if draw < SUPPLEMENT else 0)
            requests = [received + (k + 1) * DAY for k in range(supplements)]
            if supplements:
                clock_start = requests[-1] + (1 + r() * 4) * DAY
        local_due = datetime.fromtimestamp(clock_start + span, self.tz).date()
        due = datetime.combine(local_due, time(17, 0), tzinfo=self.tz).timestamp()
        late = r() < pair.p_late
        if late:
            ended = due + (0.1 + r() * 6) * DAY
        else:
            ended = clock_start + (due - clock_start) * (0.1 + 0.88 * r())
        fate = r()
        returned = ended + r() * 3 * DAY
        horizon = self.horizon
        # Where the dossier stands at the horizon.
        if not_accepted:
            status = "not_accepted"
            received = None  # type: ignore[assignment]
        elif received > horizon:
            status, received = "submitted", None  # type: ignore[assignment]
        elif requests and requests[0] <= horizon < clock_start:
            status = "supplement_requested"
        elif ended > horizon:
            status = "processing"
            if fate < PAYMENT_OPEN:
                status = "payment_requested"
            elif fate > 1 - WITHDRAWAL_OPEN:
                status = "withdrawal_requested"
            if received + RECEIVED_HOURS * 3600 > horizon:
                status = "received"
        elif fate < REFUSED:
            status = "stopped"
        elif fate < REFUSED + WITHDRAWN:
            status = "withdrawn"
        elif returned > horizon:
            status = "processed"
        else:
            status = "returned"
        finished = status in ("stopped", "withdrawn", "processed", "returned")
        if finished:
            if supplements >= 2 or ended > due:
                timeliness = "late"
            elif datetime.fromtimestamp(ended, self.tz).date() == local_due:
                timeliness = "on_time"
            else:
                timeliness = "early"
        else:
            timeliness = ""
        applicant = self.citizens[dossier_id % len(self.citizens)]
        citizen_id, name, id_number = applicant[:3]
        phone = applicant[3] if len(applicant) > 3 else ""
        # The declaration's applicant fields, as the portal prefills them from the profile.
        known = {"citizen.full_name": name, "citizen.personal_id": id_number}
        if phone:
            known["citizen.phone"] = phone
        form = (
            {k: known[v] for k, v in pair.prefill.items() if v in known}
            if self.declarations
            else {}
        )
        has_clock = received is not None
        code = self._code(pair.prefix, day)
        at = _at
        last = {
            "submitted": submitted,
            "not_accepted": submitted + 2 * 3600,
            "received": received,
            "processing": received + 3600 if has_clock else submitted,
            "payment_requested": received + 3600 if has_clock else submitted,
            # The request came between the start of processing and the horizon.
            "withdrawal_requested": (received + 3600 + horizon) / 2 if has_clock else submitted,
            "supplement_requested": requests[0] if requests else submitted,
            "stopped": ended,
            "withdrawn": ended,
            "processed": ended,
            "returned": returned,
        }[status]
        out["dossier"].append(
            self.t.row(
                "dossier",
                id=dossier_id,
                code=code,
                code_rule_id=self.rule.pk,
                procedure_version_id=pair.version_id,
                process_id=pair.process_id,
                channel=channel,
                status=status,
                version=1,
                status_before_withdrawal="processing" if status == "withdrawal_requested" else "",
                applicant_citizen_id=citizen_id,
                applicant_name=name,
                applicant_id_number=id_number,
                applicant_phone=phone,
                form_data=json.dumps(form, ensure_ascii=False) if form else "{}",
                desk_id=pair.desk_id,
                receiving_agency_id=pair.receiving_agency_id,
                competent_agency_id=pair.agency_id,
                submitted_at=at(submitted),
                received_at=at(received) if has_clock else None,
                clock_started_at=at(clock_start) if has_clock else None,
                due_at=at(due) if has_clock else None,
                appointment_at=at(due) if has_clock else None,
                initial_appointment_at=at(received + span) if has_clock else None,
                supplement_count=len([q for q in requests if q <= horizon]) if has_clock else 0,
                stage=3
                if finished
                else (0 if status in ("submitted", "received", "not_accepted") else 1),
                ended_at=at(ended) if finished else None,
                timeliness=timeliness,
                processed_at=at(ended) if status in ("processed", "returned") else None,
                result_summary="Đã giải quyết." if status in ("processed", "returned") else "",
                returned_at=at(returned) if status == "returned" else None,
                return_method=(
                    (
                        "online"
                        if online and r() < 0.7
                        else ("post" if channel == "postal" else "desk")
                    )
                    if status == "returned"
                    else ""
                ),
                outcome_reason="Không đủ điều kiện."
                if status in ("stopped", "not_accepted")
                else "",
                created_at=at(submitted),
                updated_at=at(last),
            )
        )


# --- Writing ---------------------------------------------------------------------------------


def write_dossiers(tables: Tables, rows: list[list[Any]]) -> None:
    table = tables.table("dossier")
    columns = tables.columns["dossier"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [[_sqlite_value(v) for v in row] for row in rows],
            )


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plus(column: str, hours: int) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + interval '{hours} hours')"
    return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {column}, '+{hours} hours')"


def _no_time() -> str:
    return "CAST(NULL AS timestamptz)" if connection.vendor == "postgresql" else "NULL"


def _json(literal: str) -> str:
    return f"CAST('{literal}' AS jsonb)" if connection.vendor == "postgresql" else f"'{literal}'"


def _bool(value: bool) -> str:
    return ("TRUE" if value else "FALSE") if connection.vendor == "postgresql" else str(int(value))


def children_sql(first_id: int, officer_id: int) -> dict[str, str]:
    """Set-based INSERT … SELECT statements deriving every history line, process step,
    supplement request and rating from the generated dossier rows (``id >= first_id``). One
    parameter: the horizon (nothing after it happened yet)."""
    # Executed with parameters: a literal percent sign is written %%.
    rated = f"(d.id * 7919) %% 100 < {RATED_PERCENT}"
    score = (
        "CASE "
        + " ".join(f"WHEN (d.id * 104729) %% 100 < {cut} THEN {value}" for cut, value in SCORE_CUTS)
        + " ELSE 1 END"
    )
    label = f"'{GENERATED_LABEL}'"
    history_columns = (
        "dossier_id, action, from_status, to_status, actor_label, step_name, agency_id, at, "
        "due_at, outcome, note, data"
    )

    def history(action: str, source: str, target: str, at: str, where: str, **extra: str) -> str:
        due = extra.get("due", _no_time())
        outcome = extra.get("outcome", "''")
        agency = extra.get("agency", "d.competent_agency_id")
        return (
            f"SELECT d.id, '{action}', {source}, '{target}', {label}, '', {agency}, {at}, "
            f"{due}, {outcome}, '', {_json('{}')} FROM dossiers_dossier d "
            f"WHERE d.id >= {first_id} AND {where}"
        )

    started = _plus("d.received_at", 1)
    branches = [
        history("submit", "''", "submitted", "d.submitted_at", "d.channel = 'online'",
                agency="d.receiving_agency_id"),
        history("not_accept", "'submitted'", "not_accepted", _plus("d.submitted_at", 2),
                "d.status = 'not_accepted'", agency="d.receiving_agency_id"),
        history("receive", "CASE WHEN d.channel = 'online' THEN 'submitted' ELSE '' END",
                "received", "d.received_at", "d.received_at IS NOT NULL", due="d.due_at",
                agency="d.receiving_agency_id"),
        history("start_processing", "'received'", "processing", started,
                f"d.received_at IS NOT NULL AND {started} <= %(horizon)s "
                "AND d.status <> 'received'", due="d.due_at"),
        history("request_withdrawal", "'processing'", "withdrawal_requested", "d.updated_at",
                "d.status = 'withdrawal_requested'"),
        history("request_supplement", "'processing'", "supplement_requested",
                _plus("d.received_at", 24), "d.supplement_count >= 1"),
        history("request_supplement", "'processing'", "supplement_requested",
                _plus("d.received_at", 48), "d.supplement_count >= 2"),
        history("supplement", "'supplement_requested'", "received", "d.clock_started_at",
                "d.supplement_count >= 1 AND d.clock_started_at <= %(horizon)s"),
        history("complete", "'processing'", "processed", "d.ended_at",
                "d.status IN ('processed', 'returned')", due="d.due_at", outcome="d.timeliness"),
        history("refuse", "'processing'", "stopped", "d.ended_at", "d.status = 'stopped'",
                due="d.due_at", outcome="d.timeliness"),
        history("confirm_withdrawal", "'processing'", "withdrawn", "d.ended_at",
                "d.status = 'withdrawn'", due="d.due_at", outcome="d.timeliness"),
        history("return_result", "'processed'", "returned", "d.returned_at",
                "d.status = 'returned'", agency="d.receiving_agency_id"),
        history("rate", "'returned'", "returned", _plus("d.returned_at", 24),
                f"d.status = 'returned' AND {rated} AND {_plus('d.returned_at', 24)} "
                "<= %(horizon)s", agency="NULL"),
    ]  # fmt: skip
    step_columns = (
        "dossier_id, stage, kind, name, role, agency_id, is_lead, allowed_actions, status, "
        "started_at, due_at, ended_at, timeliness, request_note, note"
    )

    def step(stage: int, name: str, role: str, agency: str, status: str, start: str, due: str,
             end: str, timeliness: str, where: str) -> str:  # fmt: skip
        return (
            f"SELECT d.id, {stage}, 'step', '{name}', '{role}', {agency}, {_bool(stage == 1)}, "
            f"{_json('[]')}, {status}, {start}, {due}, {end}, {timeliness}, '', '' "
            f"FROM dossiers_dossier d WHERE d.id >= {first_id} AND {where}"
        )

    steps = [
        step(0, "Tiếp nhận hồ sơ", "reception", "d.receiving_agency_id", "'done'",
             "d.submitted_at", _no_time(), "d.received_at", "'on_time'",
             "d.received_at IS NOT NULL"),
        step(1, "Thẩm định, phê duyệt kết quả", "specialist", "d.competent_agency_id",
             "CASE WHEN d.ended_at IS NULL THEN 'active' ELSE 'done' END", started, "d.due_at",
             "d.ended_at", "d.timeliness",
             f"d.received_at IS NOT NULL AND {started} <= %(horizon)s "
             "AND d.status <> 'received'"),
        step(2, "Trả kết quả", "reception", "d.receiving_agency_id", "'done'", "d.ended_at",
             _no_time(), "d.returned_at", "'on_time'", "d.status = 'returned'"),
    ]  # fmt: skip
    supplement_columns = (
        "dossier_id, phase, reason, items, counts, requested_at, requested_by_id, fulfilled_at"
    )
    supplements = [
        f"SELECT d.id, 'appraisal', 'Bổ sung giấy tờ còn thiếu.', {_json('[]')}, {_bool(True)}, "
        f"{_plus('d.received_at', 24 * k)}, {officer_id}, "
        f"CASE WHEN d.clock_started_at <= %(horizon)s THEN d.clock_started_at END "
        f"FROM dossiers_dossier d WHERE d.id >= {first_id} AND d.supplement_count >= {k}"
        for k in (1, 2)
    ]
    return {
        "history": f"INSERT INTO dossiers_dossierhistory ({history_columns}) "
        + " UNION ALL ".join(branches),
        "steps": f"INSERT INTO dossiers_dossierstep ({step_columns}) " + " UNION ALL ".join(steps),
        "supplements": f"INSERT INTO dossiers_supplementrequest ({supplement_columns}) "
        + " UNION ALL ".join(supplements),
        "ratings": "INSERT INTO dossiers_rating (dossier_id, score, comment, created_at) "
        f"SELECT d.id, {score}, '', {_plus('d.returned_at', 24)} FROM dossiers_dossier d "
        f"WHERE d.id >= {first_id} AND d.status = 'returned' AND {rated} "
        f"AND {_plus('d.returned_at', 24)} <= %(horizon)s",
    }


#: Share (percent, by a hash of the id) of the open dossiers being processed that have passed
#: their first processing step and wait at the next one (the leader's approval, mostly).
ADVANCED_PERCENT = 40


def _midpoint(column: str) -> str:
    """SQL for the instant halfway between ``column`` and the horizon parameter."""
    if connection.vendor == "postgresql":
        return f"({column} + (CAST(%(horizon)s AS timestamptz) - {column}) / 2)"
    return (
        f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', (julianday({column}) + julianday(%(horizon)s)) / 2)"
    )


def align_open_steps(first_id: int, pairs: list[Pair], horizon: Any) -> int:
    """Put each open generated dossier where its published process stands: the running step
    is the process's first processing step (name, role, agency, department, catalogue step,
    ``plan_index`` of the step and of the dossier), and for ``ADVANCED_PERCENT`` of those being
    processed the first step is done (forwarded halfway between the start and the horizon)
    and the next one runs, so every role has open work and the services carry each dossier on
    to its process's next step. A few statements per process, on the open dossiers only."""
    actions = "CAST(%(actions)s AS jsonb)" if connection.vendor == "postgresql" else "%(actions)s"
    open_rows = "SELECT id FROM dossiers_dossier WHERE id >= %(first)s AND process_id = %(process)s"
    advanced = (
        f"d.id >= %(first)s AND d.process_id = %(process)s AND d.status = 'processing' "
        f"AND d.stage = 1 AND (d.id * 7919) %% 100 < {ADVANCED_PERCENT}"
    )
    forwarded = _midpoint("d.received_at")
    changed = 0
    with connection.cursor() as cursor:
        for pair in pairs:
            if not pair.plan_steps:
                continue
            first = pair.plan_steps[0]
            params = {
                "first": first_id,
                "process": pair.process_id,
                "horizon": horizon,
                "name": first.name,
                "role": first.role,
                "agency": first.agency_id,
                "department": first.department_id,
                "step": first.process_step_id,
                "index": first.plan_index,
                "hours": first.hours,
                "actions": first.allowed_actions,
            }
            cursor.execute(
                "UPDATE dossiers_dossierstep SET name = %(name)s, role = %(role)s, "
                "agency_id = %(agency)s, department_id = %(department)s, "
                "process_step_id = %(step)s, plan_index = %(index)s, hours = %(hours)s, "
                f"allowed_actions = {actions} WHERE stage = 1 AND status = 'active' AND "
                f"dossier_id IN ({open_rows} AND ended_at IS NULL)",
                params,
            )
            changed += cursor.rowcount
            cursor.execute(
                "UPDATE dossiers_dossier SET plan_index = %(index)s WHERE id >= %(first)s "
                "AND process_id = %(process)s AND ended_at IS NULL AND stage = 1",
                params,
            )
            following = pair.plan_steps[1] if len(pair.plan_steps) > 1 else None
            if following is None or following.kind != "step" or not following.alone:
                continue
            params.update(
                name=following.name,
                role=following.role,
                agency=following.agency_id,
                department=following.department_id,
                step=following.process_step_id,
                index=following.plan_index,
                hours=following.hours,
                actions=following.allowed_actions,
                label=GENERATED_LABEL,
                first_name=first.name,
            )
            cursor.execute(
                "INSERT INTO dossiers_dossierhistory (dossier_id, action, from_status, "
                "to_status, actor_label, step_name, agency_id, at, due_at, outcome, note, data) "
                f"SELECT d.id, 'forward', 'processing', 'processing', %(label)s, "
                f"%(first_name)s, d.competent_agency_id, {forwarded}, d.due_at, '', '', "
                f"{_json('{}')} FROM dossiers_dossier d WHERE {advanced}",
                params,
            )
            cursor.execute(
                "INSERT INTO dossiers_dossierstep (dossier_id, stage, plan_index, "
                "process_step_id, kind, name, role, agency_id, department_id, is_lead, "
                "allowed_actions, hours, status, started_at, due_at, ended_at, timeliness, "
                "request_note, note) "
                f"SELECT d.id, 2, %(index)s, %(step)s, 'step', %(name)s, %(role)s, "
                f"%(agency)s, %(department)s, {_bool(False)}, {actions}, %(hours)s, 'active', "
                f"{forwarded}, d.due_at, NULL, '', '', '' FROM dossiers_dossier d "
                f"WHERE {advanced}",
                params,
            )
            cursor.execute(
                "UPDATE dossiers_dossierstep SET status = 'done', "
                f"ended_at = (SELECT {forwarded} FROM dossiers_dossier d "
                "WHERE d.id = dossiers_dossierstep.dossier_id), timeliness = 'early' "
                "WHERE stage = 1 AND status = 'active' AND dossier_id IN "
                f"(SELECT d.id FROM dossiers_dossier d WHERE {advanced})",
                params,
            )
            cursor.execute(
                "UPDATE dossiers_dossier SET stage = 2, plan_index = %(index)s WHERE id IN "
                f"(SELECT d.id FROM dossiers_dossier d WHERE {advanced})",
                params,
            )
    return changed


class DeferredIndexes:
    """Drop the secondary indexes and unique/foreign-key constraints of the big tables before
    a PostgreSQL bulk load; put them back after (also when the load fails)."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def drop(self) -> None:
        names = list(self.tables)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY(%s) "
                "AND c.contype IN ('u', 'f')",
                [names],
            )
            self.constraints = list(cursor.fetchall())
            for table, name, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
                [names],
            )
            self.indexes = list(cursor.fetchall())
            for name, _definition in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')

    def restore(self, say: Callable[[str], None]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in self.indexes:
                started = clock.monotonic()
                cursor.execute(definition)
                say(f"  chỉ mục {name}: {clock.monotonic() - started:.0f} s")
            for table, name, definition in self.constraints:
                started = clock.monotonic()
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                say(f"  ràng buộc {name}: {clock.monotonic() - started:.0f} s")


def generate(  # noqa: PLR0912, PLR0915
    *,
    dossiers: int,
    years: int = 3,
    seed: int = 1,
    end: date | None = None,
    start: date | None = None,
    applicants: list[tuple[Any, ...]] | None = None,
    late: tuple[float, float] = (LATE_MIN, LATE_MAX),
    declarations: bool = False,
    say: Callable[[str], None] = print,
    rebuild: bool = True,
) -> dict[str, Any]:
    """Generate ``dossiers`` over ``years`` (or from ``start``) up to ``end`` (default
    yesterday), applied for by ``applicants`` ((citizen id, name, personal ID[, phone]); the
    first 50 citizens by default), each agency late for a share of its dossiers drawn from
    ``late``; with ``declarations`` the declaration holds the applicant's own fields."""
    started = clock.monotonic()
    rng = random.Random(seed)
    pairs = load_pairs(rng, late)
    citizens = applicants or [
        (c.pk, c.full_name, c.personal_id)
        for c in Citizen.objects.exclude(personal_id="").order_by("pk")[:50]
    ]
    officer = User.objects.filter(is_staff=True).order_by("pk").first() or User.objects.first()
    if not pairs or not citizens or officer is None:
        raise CommandError(
            "Chưa có dữ liệu demo: chạy «manage.py load_demo» rồi «manage.py load_catalog_demo» "
            "trước."
        )
    today = timezone.localdate()
    last_day = end or today - timedelta(days=1)
    horizon = (
        datetime.combine(
            last_day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
        if end
        else timezone.now()
    )
    first_day = start or last_day - timedelta(days=365 * years - 1)
    if first_day > last_day:
        raise CommandError("Ngày bắt đầu phải trước ngày cuối.")
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    counts = split_exact(dossiers, day_weights(days))
    rule = codes.rule_in_force(first_day)
    if codes.rule_in_force(last_day).pk != rule.pk:
        raise CommandError("Khoảng thời gian có nhiều quy định mã số hồ sơ; rút ngắn --years.")
    existing = {
        (c.agency_code, c.day): c.last
        for c in CodeCounter.objects.filter(day__gte=first_day, day__lte=last_day)
    }
    counters = dict(existing)
    first_id = (Dossier.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
    tables = Tables()
    history = History(
        tables=tables,
        pairs=pairs,
        days=days,
        counts=counts,
        horizon=horizon,
        seed=seed,
        first_id=first_id,
        rule=rule,
        citizens=citizens,
        officer_id=officer.pk,
        counters=counters,
        declarations=declarations,
    )
    say(
        f"Sinh {dossiers:,} hồ sơ từ {first_day:%d/%m/%Y} đến {last_day:%d/%m/%Y} "
        f"({len(pairs)} cặp thủ tục–cơ quan, hạt giống {seed})."
    )
    big = [tables.table(n) for n in ("dossier", "history", "step", "supplement", "rating")]
    deferred = (
        DeferredIndexes(big)
        if connection.vendor == "postgresql" and dossiers >= DEFER_INDEXES_FROM
        else None
    )
    rows_written: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        if deferred:
            say("Tạm bỏ chỉ mục và ràng buộc của các bảng lớn…")
            deferred.drop()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        report_every = max(1, len(days) // 40)
        for index in range(len(days)):
            rows = history.day_rows(index)
            write_dossiers(tables, rows["dossier"])
            rows_written["dossier"] += len(rows["dossier"])
            if index % report_every == 0 or index == len(days) - 1:
                elapsed = clock.monotonic() - started
                say(f"  {days[index]:%m/%Y}: {rows_written['dossier']:,} hồ sơ, {elapsed:.0f} s")
        horizon_value = connection.ops.adapt_datetimefield_value(horizon)
        for name, sql in children_sql(first_id, officer.pk).items():
            step_started = clock.monotonic()
            with connection.cursor() as cursor:
                cursor.execute(sql, {"horizon": horizon_value})
                rows_written[name] = cursor.rowcount
            say(f"  {name}: {rows_written[name]:,} dòng, {clock.monotonic() - step_started:.0f} s")
        # A failure rolls everything back, the dropped indexes included (DDL is transactional).
        if deferred:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            say("Tạo lại chỉ mục và ràng buộc…")
            deferred.restore(say)
        rows_written["aligned_steps"] = align_open_steps(first_id, pairs, horizon_value)
        CodeCounter.objects.bulk_create(
            [
                CodeCounter(agency_code=prefix, day=day, last=last)
                for (prefix, day), last in counters.items()
                if (prefix, day) not in existing
            ],
            batch_size=5000,
        )
        for (prefix, day), last in counters.items():
            if (prefix, day) in existing and existing[prefix, day] != last:
                CodeCounter.objects.filter(agency_code=prefix, day=day).update(last=last)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), "
                    "(SELECT MAX(id) FROM dossiers_dossier))"
                )
    load_seconds = clock.monotonic() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in big:
                cursor.execute(f"ANALYZE {table}")
    result: dict[str, Any] = {
        "dossiers": rows_written["dossier"],
        "history_rows": rows_written["history"],
        "steps": rows_written["steps"],
        "supplement_requests": rows_written["supplements"],
        "ratings": rows_written["ratings"],
        "open_steps_aligned": rows_written["aligned_steps"],
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "load_seconds": round(load_seconds, 1),
    }
    if rebuild:
        say("Tính lại số liệu tổng hợp (rebuild_indicators)…")
        result["rebuild"] = aggregates.rebuild(progress=lambda m: say(f"  {m}"))
    result["total_seconds"] = round(clock.monotonic() - started, 1)
    say(f"Xong trong {result['total_seconds']:.0f} s.")
    return result


class Command(BaseCommand):
    help = (
        "Sinh lịch sử hồ sơ giả lập của một tỉnh (mùa vụ, Tết, kênh nộp, tỷ lệ trễ hạn) rồi tính "
        "lại số liệu chỉ số. Chạy «load_demo» và «load_catalog_demo» trước. Chỉ dùng để thử "
        "nghiệm và đo hiệu năng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, required=True, help="Số hồ sơ cần sinh.")
        parser.add_argument("--years", type=int, default=3, help="Số năm lịch sử (mặc định 3).")
        parser.add_argument(
            "--months", type=int, default=None, help="Số tháng lịch sử (thay cho --years)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên.")
        parser.add_argument(
            "--end",
            type=date.fromisoformat,
            default=None,
            help="Ngày cuối (YYYY-MM-DD); mặc định hôm qua, hồ sơ tính đến hiện tại.",
        )
        parser.add_argument(
            "--no-rebuild", action="store_true", help="Không tính lại số liệu tổng hợp."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dossiers"] < 1 or options["years"] < 1 or (options["months"] or 1) < 1:
            raise CommandError("--dossiers, --years và --months phải là số dương.")
        start = None
        if options["months"]:
            start = months_back(options["end"] or timezone.localdate() - timedelta(days=1),
                                options["months"])  # fmt: skip
        result = generate(
            dossiers=options["dossiers"],
            years=options["years"],
            seed=options["seed"],
            end=options["end"],
            start=start,
            say=lambda message: self.stdout.write(message),
            rebuild=not options["no_rebuild"],
        )
        self.stdout.write(repr(result))
