"""Notification figures for the indicators: :class:`NotifyDailyFigure` counts the messages of
each local day of creation, channel and agency by their current status.

Incremental: every write of ``services.py`` that creates a message or changes its status calls
:func:`record_status` (or :func:`record_bulk`) in the same transaction; it moves one message
from the old status's counter to the new one with an atomic upsert
(:func:`congso.core.upsert.add_counters`). From scratch: :func:`rebuild` (``manage.py
rebuild_notify_figures``, also run by ``manage.py rebuild_indicators``) recomputes the table
with one set-based ``INSERT … SELECT`` over the messages; the two agree (tested in
``tests/notify/test_figures.py``).
"""

# ruff: noqa: S608  (SQL from model metadata; values are parameters)

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from congso.core.upsert import add_counters
from congso.dossiers.models import Dossier
from congso.notify.models import FIGURE_COUNTERS, Message, NotifyDailyFigure

Key = tuple[date, str, int]  # local day of creation, channel, agency (0: no dossier)


def _agency_of(message: Message) -> int:
    if message.dossier_id is None:
        return 0
    if "dossier" in message._state.fields_cache and message.dossier is not None:
        return int(message.dossier.competent_agency_id)

    agency = (
        Dossier.objects.filter(pk=message.dossier_id)
        .values_list("competent_agency_id", flat=True)
        .first()
    )
    return int(agency or 0)


def key_of(message: Message) -> Key:
    day = timezone.localtime(message.created_at).date()
    return (day, str(message.channel), _agency_of(message))


def record_status(message: Message, *, before: str | None) -> None:
    """``message`` was created (``before`` None) or moved from ``before`` to its current
    status: apply that to the figures, in the caller's transaction."""
    after = str(message.status)
    if before == after:
        return
    values: dict[str, int] = {after: 1}
    if before is not None:
        values[str(before)] = -1
    _apply({key_of(message): values})


def record_bulk(
    rows: Iterable[tuple[datetime, str, int | None]], *, before: str, after: str
) -> None:
    """Many messages (``created_at``, channel, agency) moved from ``before`` to ``after``."""
    deltas: dict[Key, dict[str, int]] = {}
    for created_at, channel, agency in rows:
        key = (timezone.localtime(created_at).date(), str(channel), int(agency or 0))
        values = deltas.setdefault(key, defaultdict(int))
        values[after] += 1
        values[before] -= 1
    _apply(deltas)


def _apply(deltas: dict[Key, dict[str, int]]) -> None:
    table = NotifyDailyFigure._meta.db_table
    with connection.cursor() as cursor:
        for key in sorted(deltas):  # key order: concurrent writers cannot deadlock
            day, channel, agency = key
            add_counters(
                cursor,
                table,
                {"day": day, "channel": channel, "agency_id": agency},
                dict(deltas[key]),
                FIGURE_COUNTERS,
            )


def rebuild_select() -> Any:
    """The figures computed from the messages (a queryset of day, channel, agency, counters)."""
    tz = timezone.get_current_timezone()
    counters = {name: Count("pk", filter=Q(status=name)) for name in FIGURE_COUNTERS}
    return (
        Message.objects.annotate(
            fig_day=TruncDate("created_at", tzinfo=tz),
            fig_agency=Coalesce("dossier__competent_agency_id", Value(0)),
        )
        .values("fig_day", "channel", "fig_agency")
        .annotate(**counters)
        .order_by("fig_day", "channel", "fig_agency")
    )


def rebuild() -> dict[str, Any]:
    """Recompute :class:`NotifyDailyFigure` from the messages and swap it in one transaction.

    On PostgreSQL the table is locked first (``SHARE ROW EXCLUSIVE``): status changes made
    meanwhile wait for the rebuild and then add their deltas on top — nothing lost or doubled."""
    table = NotifyDailyFigure._meta.db_table
    started = clock.monotonic()
    select, params = rebuild_select().query.sql_with_params()
    columns = ", ".join(("day", "channel", "agency_id", *FIGURE_COUNTERS))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        rows = cursor.fetchone()[0]
    return {"rows": rows, "seconds": round(clock.monotonic() - started, 2)}


def table_contents() -> dict[Key, tuple[int, ...]]:
    """Every non-zero row (tests compare incremental with rebuilt)."""
    out: dict[Key, tuple[int, ...]] = {}
    for row in NotifyDailyFigure.objects.values_list(
        "day", "channel", "agency_id", *FIGURE_COUNTERS
    ):
        values = tuple(row[3:])
        if any(values):
            out[(row[0], row[1], row[2])] = values
    return out
