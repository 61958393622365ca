"""Maintenance of the indicator aggregates: incremental (in the transaction of every dossier
change) and from scratch (:func:`rebuild`, ``manage.py rebuild_indicators``).

How a change is counted
-----------------------
A dossier's contribution to the tables is a function of its row (:func:`facts_of`): received on
the local day of ``received_at``; processed/early/on time/late on the day of ``ended_at``; returned
on the day of ``returned_at``; its live row (status, received or not, local due date). The
services capture the facts when they lock the row (``_lock`` calls :func:`capture`) and, where
they write the history line (``_log``), :func:`record_change` applies *after − before* to the
tables. Facts that are events rather than state (not accepted, withdrawn, a supplement request,
a rating, a fully signed electronic result) add one on the day they happen. :func:`rebuild`
computes exactly the same things with set-based SQL over the raw tables, so the two agree (the
property tested in ``tests/indicators/test_aggregates_property.py``).

Every write is an upsert ``INSERT … ON CONFLICT (dimensions) DO UPDATE SET c = c + excluded.c``
(SQLite ≥ 3.24 and PostgreSQL): concurrent transactions never lose an update, and rows are
touched in key order so two transactions cannot deadlock on them.
"""

# SQL here is assembled from table names and module constants only; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

import json
import logging
import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from congso.catalog.models import ProcedureVersion
from congso.core.upsert import add_counters
from congso.dossiers.models import Dossier, Rating
from congso.indicators.models import (
    COUNTERS,
    NO_DUE_DATE,
    DailyFigure,
    LiveFigure,
    MonthlyFigure,
    RebuildDelta,
    RebuildState,
)
from congso.org.models import Agency

logger = logging.getLogger(__name__)

#: Statuses whose dossier counts as *processed* (it got a decision: a result, or a refusal after
#: appraisal, form 03). A withdrawn dossier is counted in ``withdrawn`` only.
PROCESSED_STATUSES = ("processed", "returned", "stopped")
#: Statuses that leave the live table (finished for good).
TERMINAL_STATUSES = ("not_accepted", "returned", "stopped", "withdrawn")
CHANNEL_COUNTER = {
    "online": "received_online",
    "in_person": "received_in_person",
    "postal": "received_postal",
}
#: A rating of at least this score is "satisfied".
SATISFIED_SCORE = 4

Dims = tuple[int, int, int, int, str]  # agency, field, procedure, unit, channel
LiveKey = tuple[int, int, int, int, str, bool, date]


@dataclass(frozen=True)
class Facts:
    """What one dossier row contributes to the aggregates (dimensions aside)."""

    received_day: date | None = None
    channel: str = ""
    processed_day: date | None = None
    timeliness: str = ""
    processing_seconds: int = 0
    stopped: bool = False
    returned_day: date | None = None
    returned_online: bool = False
    digitised: bool = False
    live: tuple[str, bool, date] | None = None  # status, received, local due date

    def counters(self) -> dict[tuple[date, str], int]:
        out: dict[tuple[date, str], int] = defaultdict(int)
        if self.received_day is not None:
            out[self.received_day, "received"] += 1
            channel_counter = CHANNEL_COUNTER.get(self.channel)
            if channel_counter:
                out[self.received_day, channel_counter] += 1
            if self.digitised:
                out[self.received_day, "digitised"] += 1
        if self.processed_day is not None:
            out[self.processed_day, "processed"] += 1
            if self.timeliness in ("early", "on_time", "late"):
                out[self.processed_day, f"processed_{self.timeliness}"] += 1
            out[self.processed_day, "processing_seconds"] += self.processing_seconds
            if self.stopped:
                out[self.processed_day, "stopped"] += 1
        if self.returned_day is not None:
            out[self.returned_day, "returned"] += 1
            if self.returned_online:
                out[self.returned_day, "returned_online"] += 1
        return out


EMPTY = Facts()


def local_day(value: datetime) -> date:
    return timezone.localdate(value)


def epoch_seconds(value: datetime) -> int:
    """Whole seconds since the epoch (truncated), as the SQL of :func:`rebuild` computes them."""
    return int(value.timestamp() // 1)


def _all_digitised(dossier: Any) -> bool:
    counts = dossier.components.aggregate(
        total=Count("id"), done=Count("id", filter=Q(digitised=True))
    )
    return bool(counts["total"]) and counts["total"] == counts["done"]


def facts_of(dossier: Any) -> Facts:
    """The facts of a dossier row as it is in memory now (one query for its components once
    it is received)."""
    received = dossier.received_at
    ended = dossier.ended_at
    processed = ended is not None and received is not None and dossier.status in PROCESSED_STATUSES
    live = None
    if dossier.status not in TERMINAL_STATUSES:
        due = local_day(dossier.due_at) if dossier.due_at is not None else NO_DUE_DATE
        live = (dossier.status, received is not None, due)
    return Facts(
        received_day=local_day(received) if received is not None else None,
        channel=dossier.channel,
        processed_day=local_day(ended) if processed else None,
        timeliness=dossier.timeliness if processed else "",
        processing_seconds=epoch_seconds(ended) - epoch_seconds(received) if processed else 0,
        stopped=processed and dossier.status == "stopped",
        returned_day=local_day(dossier.returned_at) if dossier.returned_at is not None else None,
        returned_online=dossier.returned_at is not None and dossier.return_method == "online",
        digitised=received is not None and _all_digitised(dossier),
        live=live,
    )


def capture(dossier: Any) -> None:
    """Remember the dossier's facts before a change (the services call it on the locked row)."""
    dossier._indicator_facts = facts_of(dossier)


def dimensions(dossier: Any) -> Dims:
    # The caller often holds the related rows already (a submission has just read them): use
    # them rather than read them again.
    version_field = Dossier._meta.get_field("procedure_version")
    agency_field = Dossier._meta.get_field("competent_agency")
    if version_field.is_cached(dossier) and agency_field.is_cached(dossier):
        version = dossier.procedure_version
        agency = dossier.competent_agency
        if ProcedureVersion._meta.get_field("procedure").is_cached(version):
            return (
                dossier.competent_agency_id,
                version.procedure.field_id,
                version.procedure_id,
                agency.unit_id or 0,
                dossier.channel,
            )
    procedure_id, field_id = ProcedureVersion.objects.filter(
        pk=dossier.procedure_version_id
    ).values_list("procedure_id", "procedure__field_id")[0]
    unit_id = Agency.objects.filter(pk=dossier.competent_agency_id).values_list(
        "unit_id", flat=True
    )[0]
    return (dossier.competent_agency_id, field_id, procedure_id, unit_id or 0, dossier.channel)


def _event_counters(dossier: Any, action: str, now: datetime) -> dict[tuple[date, str], int]:
    day = local_day(now)
    out: dict[tuple[date, str], int] = defaultdict(int)
    if action == "not_accept":
        out[day, "not_accepted"] += 1
    elif action == "confirm_withdrawal":
        out[day, "withdrawn"] += 1
    elif action == "request_supplement":
        out[day, "supplement_requested"] += 1
    elif action == "rate":
        score, at = Rating.objects.filter(dossier_id=dossier.pk).values_list("score", "created_at")[
            0
        ]
        rated = local_day(at)
        out[rated, "rating_count"] += 1
        out[rated, "rating_sum"] += score
        if score >= SATISFIED_SCORE:
            out[rated, "rating_satisfied"] += 1
    return out


def record_change(dossier: Any, *, action: str, from_status: str, now: datetime) -> None:
    """Apply a dossier change to the aggregates, in the caller's transaction.

    ``from_status`` empty means the dossier was created by this action (nothing counted
    before); otherwise :func:`capture` must have run on this instance when it was locked."""
    if from_status == "":
        before = EMPTY
    else:
        captured = getattr(dossier, "_indicator_facts", None)
        if captured is None:
            raise RuntimeError(
                f"indicators: no facts captured for dossier {dossier.pk} before «{action}»"
            )
        before = captured
    after = facts_of(dossier)
    dossier._indicator_facts = after
    deltas: dict[tuple[date, str], int] = defaultdict(int)
    for key, n in after.counters().items():
        deltas[key] += n
    for key, n in before.counters().items():
        deltas[key] -= n
    for key, n in _event_counters(dossier, action, now).items():
        deltas[key] += n
    live: dict[tuple[str, bool, date], int] = defaultdict(int)
    if before.live != after.live:
        if before.live is not None:
            live[before.live] -= 1
        if after.live is not None:
            live[after.live] += 1
    deltas = {k: n for k, n in deltas.items() if n}
    live = {k: n for k, n in live.items() if n}
    if not deltas and not live:
        return
    dims = dimensions(dossier)
    apply_deltas(dims, deltas, live)


def record_signed_result(dossier_id: int, *, signed_at: datetime) -> None:
    """An electronic result got its last signature (``results`` calls this in its transaction)."""
    dossier = Dossier.objects.only("competent_agency_id", "procedure_version_id", "channel").get(
        pk=dossier_id
    )
    apply_deltas(dimensions(dossier), {(local_day(signed_at), "e_results"): 1}, {})


#: Transaction-level advisory lock of the figure tables (PostgreSQL): every writer takes it
#: shared before its first upsert, an online rebuild takes it exclusive twice, briefly (to turn
#: the change log on, and to replay it and swap). "INDICA" in ASCII.
FIGURES_LOCK_KEY = 0x494E44494341
#: Session-level advisory lock held by a running online rebuild (one at a time).
REBUILD_LOCK_KEY = FIGURES_LOCK_KEY + 1


def _enter_as_writer(cursor: Any) -> bool:
    """Take the writers' side of the figures lock and say whether an online rebuild wants this
    write logged. The flag is read after the lock is granted: a rebuild turns it on holding
    the lock exclusively, so a writer either committed before that or sees the flag on."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [FIGURES_LOCK_KEY])
    cursor.execute(f"SELECT active FROM {RebuildState._meta.db_table} WHERE id = 1")
    row = cursor.fetchone()
    return bool(row and row[0])


def apply_deltas(
    dims: Dims,
    deltas: dict[tuple[date, str], int],
    live: dict[tuple[str, bool, date], int],
) -> None:
    with connection.cursor() as cursor:
        logged = _enter_as_writer(cursor)
        _write_deltas(cursor, _TABLES, dims, deltas, live)
        if logged:
            xid = (
                "pg_current_xact_id()::text::bigint"
                if connection.vendor == "postgresql"
                else "NULL"
            )
            cursor.execute(
                f"INSERT INTO {RebuildDelta._meta.db_table} (xid, agency_id, field_id, "
                f"procedure_id, unit_id, channel, deltas, live) VALUES ({xid}, %s, %s, %s, %s, "
                "%s, %s, %s)",
                [
                    *dims,
                    json.dumps([[d.isoformat(), c, n] for (d, c), n in sorted(deltas.items())]),
                    json.dumps([[s, r, d.isoformat(), n] for (s, r, d), n in sorted(live.items())]),
                ],
            )


_TABLES = (DailyFigure._meta.db_table, MonthlyFigure._meta.db_table, LiveFigure._meta.db_table)


def _write_deltas(
    cursor: Any,
    tables: tuple[str, str, str],
    dims: Dims,
    deltas: dict[tuple[date, str], int],
    live: dict[tuple[str, bool, date], int],
) -> None:
    agency, field, procedure, unit, channel = dims
    by_day: dict[date, dict[str, int]] = defaultdict(dict)
    for (day, counter), n in deltas.items():
        by_day[day][counter] = by_day[day].get(counter, 0) + n
    by_month: dict[date, dict[str, int]] = defaultdict(dict)
    for day, values in by_day.items():
        month = by_month[day.replace(day=1)]
        for counter, n in values.items():
            month[counter] = month.get(counter, 0) + n
    daily_table, monthly_table, live_table = tables
    for table, period, rows in (
        (daily_table, "day", by_day),
        (monthly_table, "month", by_month),
    ):
        for period_value in sorted(rows):
            values = rows[period_value]
            _upsert_figures(
                cursor,
                table,
                period,
                (period_value, agency, field, procedure, unit, channel),
                values,
            )
    for (status, received, due), n in sorted(live.items()):
        cursor.execute(
            f"INSERT INTO {live_table} (agency_id, field_id, procedure_id, unit_id, status, "
            "received, due_date, count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (agency_id, field_id, procedure_id, unit_id, status, received, "
            f"due_date) DO UPDATE SET count = {live_table}.count + excluded.count",
            [agency, field, procedure, unit, status, received, due, n],
        )


def _upsert_figures(
    cursor: Any, table: str, period: str, key: tuple[Any, ...], values: dict[str, int]
) -> None:
    columns = (period, "agency_id", "field_id", "procedure_id", "unit_id", "channel")
    add_counters(cursor, table, dict(zip(columns, key, strict=True)), values, COUNTERS)


# --- Rebuild from scratch -------------------------------------------------------------------------


def _local_date_sql(column: str) -> str:
    """SQL for the local (settings.TIME_ZONE) date of a timestamp column."""
    tzname = timezone.get_current_timezone_name()
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{tzname}')::date"
    sql, params = connection.ops.datetime_cast_date_sql(column, (), tzname)
    return sql % tuple("'" + str(p).replace("'", "''") + "'" for p in params)


def _epoch_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"floor(extract(epoch from {column}))::bigint"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


_DIMS_FROM = (
    "FROM dossiers_dossier d "
    "JOIN catalog_procedureversion pv ON pv.id = d.procedure_version_id "
    "JOIN catalog_procedure p ON p.id = pv.procedure_id "
    "JOIN org_agency a ON a.id = d.competent_agency_id"
)
_DIMS_SELECT = (
    "d.competent_agency_id AS agency_id, p.field_id AS field_id, pv.procedure_id AS "
    "procedure_id, COALESCE(a.unit_id, 0) AS unit_id, d.channel AS channel"
)


def _branch(day_sql: str, source: str, where: str, counters: dict[str, str]) -> str:
    cols = ", ".join(f"{counters.get(c, '0')} AS {c}" for c in COUNTERS)
    return f"SELECT {day_sql} AS day, {_DIMS_SELECT}, {cols} {source} WHERE {where}"


def _case(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def daily_select_sql() -> str:
    """One set-based SELECT of every daily row, computed from the raw tables."""
    processed = "d.status IN ('processed', 'returned', 'stopped')"
    components = (
        "LEFT JOIN (SELECT dossier_id, COUNT(*) AS total, "
        "SUM(CASE WHEN digitised THEN 1 ELSE 0 END) AS done "
        "FROM dossiers_dossiercomponent GROUP BY dossier_id) c ON c.dossier_id = d.id"
    )
    branches = [
        _branch(
            _local_date_sql("d.received_at"),
            f"{_DIMS_FROM} {components}",
            "d.received_at IS NOT NULL",
            {
                "received": "1",
                "received_online": _case("d.channel = 'online'"),
                "received_in_person": _case("d.channel = 'in_person'"),
                "received_postal": _case("d.channel = 'postal'"),
                "digitised": _case("c.total > 0 AND c.done = c.total"),
            },
        ),
        _branch(
            _local_date_sql("d.ended_at"),
            _DIMS_FROM,
            f"d.ended_at IS NOT NULL AND d.received_at IS NOT NULL AND {processed}",
            {
                "processed": "1",
                "processed_early": _case("d.timeliness = 'early'"),
                "processed_on_time": _case("d.timeliness = 'on_time'"),
                "processed_late": _case("d.timeliness = 'late'"),
                "stopped": _case("d.status = 'stopped'"),
                "processing_seconds": f"{_epoch_sql('d.ended_at')} - {_epoch_sql('d.received_at')}",
            },
        ),
        _branch(
            _local_date_sql("d.returned_at"),
            _DIMS_FROM,
            "d.returned_at IS NOT NULL",
            {"returned": "1", "returned_online": _case("d.return_method = 'online'")},
        ),
        _branch(
            _local_date_sql("h.at"),
            _DIMS_FROM + " JOIN dossiers_dossierhistory h ON h.dossier_id = d.id",
            "h.action IN ('not_accept', 'confirm_withdrawal')",
            {
                "not_accepted": _case("h.action = 'not_accept'"),
                "withdrawn": _case("h.action = 'confirm_withdrawal'"),
            },
        ),
        _branch(
            _local_date_sql("s.requested_at"),
            _DIMS_FROM + " JOIN dossiers_supplementrequest s ON s.dossier_id = d.id",
            "1 = 1",
            {"supplement_requested": "1"},
        ),
        _branch(
            _local_date_sql("r.created_at"),
            _DIMS_FROM + " JOIN dossiers_rating r ON r.dossier_id = d.id",
            "1 = 1",
            {
                "rating_count": "1",
                "rating_sum": "r.score",
                "rating_satisfied": _case(f"r.score >= {SATISFIED_SCORE}"),
            },
        ),
        _branch(
            _local_date_sql("sr.signed_at"),
            _DIMS_FROM + " JOIN signing_signedresult sr ON sr.dossier_id = d.id",
            "sr.status = 'signed' AND sr.signed_at IS NOT NULL",
            {"e_results": "1"},
        ),
    ]
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTERS)
    union = " UNION ALL ".join(branches)
    return (
        f"SELECT day, agency_id, field_id, procedure_id, unit_id, channel, {sums} "
        f"FROM ({union}) f GROUP BY day, agency_id, field_id, procedure_id, unit_id, channel"
    )


def live_select_sql() -> str:
    terminal = ", ".join(f"'{s}'" for s in TERMINAL_STATUSES)
    due = (
        f"CASE WHEN d.due_at IS NULL THEN '{NO_DUE_DATE.isoformat()}' "
        f"ELSE {_local_date_sql('d.due_at')} END"
    )
    if connection.vendor == "postgresql":
        due = (
            f"CASE WHEN d.due_at IS NULL THEN DATE '{NO_DUE_DATE.isoformat()}' "
            f"ELSE {_local_date_sql('d.due_at')} END"
        )
    received = "(d.received_at IS NOT NULL)"
    return (
        "SELECT d.competent_agency_id, p.field_id, pv.procedure_id, COALESCE(a.unit_id, 0), "
        f"d.status, {received}, {due}, COUNT(*) {_DIMS_FROM} "
        f"WHERE d.status NOT IN ({terminal}) "
        f"GROUP BY d.competent_agency_id, p.field_id, pv.procedure_id, COALESCE(a.unit_id, 0), "
        f"d.status, {received}, {due}"
    )


def rebuild(
    *, progress: Callable[[str], None] | None = None, online: bool | None = None
) -> dict[str, Any]:
    """Recompute every aggregate from the raw tables.

    ``online`` (the default outside a transaction): without stopping dossier writes, see
    :func:`rebuild_online`. Inside a transaction (tests, a caller's own transaction) or with
    ``online=False``: :func:`rebuild_locked`."""
    if online is None:
        online = not connection.in_atomic_block
    if online:
        return rebuild_online(progress=progress)
    return rebuild_locked(progress=progress)


def rebuild_locked(*, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Recompute every aggregate from the raw tables and swap the contents atomically.

    One transaction: on PostgreSQL the three tables are locked first (``SHARE ROW EXCLUSIVE``),
    so dossier changes that happen meanwhile wait for the rebuild and then add their deltas on
    top of it — nothing is counted twice or lost. At ten million dossiers that pause lasts as
    long as the rebuild (minutes)."""
    say = progress or (lambda _message: None)
    daily = DailyFigure._meta.db_table
    monthly = MonthlyFigure._meta.db_table
    live = LiveFigure._meta.db_table
    counters = ", ".join(COUNTERS)
    dims = "agency_id, field_id, procedure_id, unit_id, channel"
    timings: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        started = clock.monotonic()
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {daily}, {monthly}, {live} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # A long analytic statement: JIT compilation costs seconds and saves nothing here.
            cursor.execute("SET LOCAL jit = off")
        for table in (daily, monthly, live):
            cursor.execute(f"DELETE FROM {table}")
        say("daily figures…")
        # Ordered, so that a period's rows sit on few pages (the dashboard reads date ranges).
        cursor.execute(
            f"INSERT INTO {daily} (day, {dims}, {counters}) {daily_select_sql()} "
            f"ORDER BY day, {dims}"
        )
        timings["daily_seconds"] = round(clock.monotonic() - started, 2)
        say("monthly figures…")
        sums = ", ".join(f"SUM({c})" for c in COUNTERS)
        cursor.execute(
            f"INSERT INTO {monthly} (month, {dims}, {counters}) "
            f"SELECT {_month_sql('day')}, {dims}, {sums} FROM {daily} "
            f"GROUP BY {_month_sql('day')}, {dims} ORDER BY 1, {dims}"
        )
        say("live figures…")
        cursor.execute(
            f"INSERT INTO {live} (agency_id, field_id, procedure_id, unit_id, status, received, "
            f"due_date, count) {live_select_sql()}"
        )
        timings["total_seconds"] = round(clock.monotonic() - started, 2)
        counts = {}
        for name, table in (("daily_rows", daily), ("monthly_rows", monthly), ("live_rows", live)):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    if connection.vendor == "postgresql" and connection.get_autocommit():
        # The old rows are dead now: reclaim them and refresh the statistics.
        with connection.cursor() as cursor:
            for table in (daily, monthly, live):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return {**counts, **timings}


# --- Rebuild without stopping the writers (issue 22) ----------------------------------------------

_SHADOWS = ("indicators_shadow_daily", "indicators_shadow_monthly", "indicators_shadow_live")
_DIMS = ("agency_id", "field_id", "procedure_id", "unit_id", "channel")
_LIVE_KEY = ("agency_id", "field_id", "procedure_id", "unit_id", "status", "received", "due_date")


class RebuildRunning(RuntimeError):
    pass


def _lock_figures(cursor: Any) -> None:
    """Exclusive side of the figures lock: waits for every writer holding it to commit, and
    holds back new ones until this transaction ends (PostgreSQL; SQLite's IMMEDIATE transaction
    already excludes every writer)."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FIGURES_LOCK_KEY])


def _set_logging(cursor: Any, active: bool) -> None:
    state = RebuildState._meta.db_table
    cursor.execute(f"DELETE FROM {RebuildDelta._meta.db_table}")
    cursor.execute(f"DELETE FROM {state} WHERE id = 1")
    cursor.execute(
        f"INSERT INTO {state} (id, active, started_at) VALUES (1, %s, %s)",
        [active, timezone.now() if active else None],
    )


def _create_shadows(cursor: Any) -> None:
    for shadow, table, key in (
        (_SHADOWS[0], _TABLES[0], ("day", *_DIMS)),
        (_SHADOWS[1], _TABLES[1], ("month", *_DIMS)),
        (_SHADOWS[2], _TABLES[2], _LIVE_KEY),
    ):
        cursor.execute(f"DROP TABLE IF EXISTS {shadow}")
        cursor.execute(f"CREATE TEMPORARY TABLE {shadow} AS SELECT * FROM {table} WHERE 1 = 0")
        cursor.execute(f"CREATE UNIQUE INDEX {shadow}_key ON {shadow} ({', '.join(key)})")


def _fill_shadows(cursor: Any, say: Callable[[str], None]) -> None:
    daily, monthly, live = _SHADOWS
    counters = ", ".join(COUNTERS)
    dims = ", ".join(_DIMS)
    say("daily figures…")
    cursor.execute(
        f"INSERT INTO {daily} (day, {dims}, {counters}) {daily_select_sql()} ORDER BY day, {dims}"
    )
    say("monthly figures…")
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    cursor.execute(
        f"INSERT INTO {monthly} (month, {dims}, {counters}) "
        f"SELECT {_month_sql('day')}, {dims}, {sums} FROM {daily} "
        f"GROUP BY {_month_sql('day')}, {dims} ORDER BY 1, {dims}"
    )
    say("live figures…")
    cursor.execute(
        f"INSERT INTO {live} (agency_id, field_id, procedure_id, unit_id, status, received, "
        f"due_date, count) {live_select_sql()}"
    )


def _replay(cursor: Any, snapshot: str | None, last_id: int) -> int:
    """Add to the shadows every logged write the shadows' snapshot did not see."""
    table = RebuildDelta._meta.db_table
    columns = "agency_id, field_id, procedure_id, unit_id, channel, deltas, live"
    if connection.vendor == "postgresql":
        cursor.execute(
            f"SELECT {columns} FROM {table} "
            "WHERE NOT pg_visible_in_snapshot(xid::text::xid8, %s::pg_snapshot) ORDER BY id",
            [snapshot],
        )
    else:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id > %s ORDER BY id", [last_id])
    rows = cursor.fetchall()
    for agency, field, procedure, unit, channel, raw_deltas, raw_live in rows:
        deltas = json.loads(raw_deltas) if isinstance(raw_deltas, str) else raw_deltas
        live = json.loads(raw_live) if isinstance(raw_live, str) else raw_live
        _write_deltas(
            cursor,
            _SHADOWS,
            (agency, field, procedure, unit, channel),
            {(date.fromisoformat(d), c): n for d, c, n in deltas},
            {(s, bool(r), date.fromisoformat(d)): n for s, r, d, n in live},
        )
    return len(rows)


def _merge(
    cursor: Any, table: str, shadow: str, key: tuple[str, ...], values: tuple[str, ...]
) -> None:
    """Make ``table`` equal to ``shadow``, touching only the rows that differ."""
    same_key = " AND ".join(f"s.{k} = {table}.{k}" for k in key)
    cursor.execute(
        f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM {shadow} s WHERE {same_key})"
    )
    differs = " OR ".join(f"{table}.{v} <> s.{v}" for v in values)
    sets = ", ".join(f"{v} = s.{v}" for v in values)
    cursor.execute(f"UPDATE {table} SET {sets} FROM {shadow} s WHERE {same_key} AND ({differs})")
    columns = ", ".join((*key, *values))
    same = " AND ".join(f"t.{k} = s.{k}" for k in key)
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {', '.join('s.' + c for c in (*key, *values))} "
        f"FROM {shadow} s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same}) "
        f"ORDER BY {', '.join('s.' + k for k in key)}"
    )


def rebuild_online(  # noqa: PLR0915 (three transactions, in order)
    *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Recompute every aggregate while dossiers keep being written (``docs/indicators.md``,
    "Rebuilding without stopping the writers"; decision in ``docs/decisions.md``).

    1. *Log on* — one short transaction holding the figures lock exclusively: the change log
       is emptied and turned on. Every writer takes that lock shared before its first upsert
       and reads the flag after it, so from here on every write is also logged, with its
       transaction id on PostgreSQL.
    2. *Build* — a read transaction (``REPEATABLE READ`` on PostgreSQL, a deferred read
       transaction in SQLite's WAL mode): the rebuilt figures of that snapshot go into
       temporary shadow tables, with the snapshot remembered (``pg_current_snapshot()``; on
       SQLite the last log row id, since its writers commit one at a time in id order).
       Writers are not held back: they keep upserting into the live tables and logging.
    3. *Swap* — one short transaction holding the figures lock exclusively (it waits for the
       writers in flight to commit and holds back new ones): the logged writes the snapshot did
       not see are added to the shadows, the live tables are made equal to the shadows
       (only the differing rows are touched), the log is turned off and emptied.

    A write the snapshot saw is in the shadows and its log row is skipped; one it did not see
    committed before the swap (so its log row is replayed) or waits for the swap and then
    upserts onto the new figures. Nothing is counted twice or lost; readers see the old
    figures until the swap commits, then the new ones."""
    if connection.in_atomic_block:
        raise RuntimeError("rebuild_online() runs its own transactions")
    say = progress or (lambda _message: None)
    pg = connection.vendor == "postgresql"
    timings: dict[str, float] = {}
    started = clock.monotonic()
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [REBUILD_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise RebuildRunning("another rebuild_indicators is running")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _lock_figures(cursor)
            _set_logging(cursor, True)
        timings["log_on_seconds"] = round(clock.monotonic() - started, 3)
        snapshot: str | None = None
        last_id = 0
        with connection.cursor() as cursor:
            _create_shadows(cursor)
            if pg:
                with transaction.atomic():
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SET LOCAL work_mem = '256MB'")
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute("SELECT pg_current_snapshot()::text")
                    snapshot = cursor.fetchone()[0]
                    _fill_shadows(cursor, say)
            else:
                cursor.execute("BEGIN DEFERRED")
                try:
                    cursor.execute(
                        f"SELECT COALESCE(MAX(id), 0) FROM {RebuildDelta._meta.db_table}"
                    )
                    last_id = int(cursor.fetchone()[0])
                    _fill_shadows(cursor, say)
                    cursor.execute("COMMIT")
                except BaseException:
                    cursor.execute("ROLLBACK")
                    raise
        timings["build_seconds"] = round(clock.monotonic() - started - timings["log_on_seconds"], 2)
        say("swap…")
        swap_started = clock.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            _lock_figures(cursor)
            replayed = _replay(cursor, snapshot, last_id)
            _merge(cursor, _TABLES[0], _SHADOWS[0], ("day", *_DIMS), COUNTERS)
            _merge(cursor, _TABLES[1], _SHADOWS[1], ("month", *_DIMS), COUNTERS)
            _merge(cursor, _TABLES[2], _SHADOWS[2], _LIVE_KEY, ("count",))
            _set_logging(cursor, False)
            counts = {}
            for name, table in zip(
                ("daily_rows", "monthly_rows", "live_rows"), _TABLES, strict=True
            ):
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                counts[name] = cursor.fetchone()[0]
        timings["swap_seconds"] = round(clock.monotonic() - swap_started, 3)
        with connection.cursor() as cursor:
            for shadow in _SHADOWS:
                cursor.execute(f"DROP TABLE IF EXISTS {shadow}")
    except BaseException:
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:
                with transaction.atomic():
                    _set_logging(cursor, False)
        raise
    finally:
        if pg:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REBUILD_LOCK_KEY])
    timings["total_seconds"] = round(clock.monotonic() - started, 2)
    return {**counts, **timings, "replayed": replayed}


def table_contents() -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """Every non-zero row of the three tables (tests compare incremental with rebuilt)."""
    out: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = {}
    dims = ("agency_id", "field_id", "procedure_id", "unit_id", "channel")
    for name, model, period in (("daily", DailyFigure, "day"), ("monthly", MonthlyFigure, "month")):
        rows: dict[tuple[Any, ...], tuple[int, ...]] = {}
        for row in model.objects.values_list(period, *dims, *COUNTERS):
            values = tuple(row[6:])
            if any(values):
                rows[tuple(row[:6])] = values
        out[name] = rows
    live_rows: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for row in LiveFigure.objects.exclude(count=0).values_list(
        "agency_id",
        "field_id",
        "procedure_id",
        "unit_id",
        "status",
        "received",
        "due_date",
        "count",
    ):
        live_rows[tuple(row[:7])] = (row[7],)
    out["live"] = live_rows
    return out
