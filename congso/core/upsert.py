"""Counter tables maintained in the writer's transaction: one atomic upsert per row,
``INSERT … ON CONFLICT (key) DO UPDATE SET c = c + excluded.c`` (SQLite ≥ 3.24 and
PostgreSQL). Concurrent transactions never lose an increment; callers touch rows in key
order so two transactions cannot deadlock on them. Used by the indicator aggregates and the
notification figures."""

# SQL here is assembled from table and column names given by the callers (model metadata and
# module constants), never from input; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def add_counters(
    cursor: Any,
    table: str,
    key: dict[str, Any],
    values: dict[str, int],
    counters: Sequence[str],
) -> None:
    """Add ``values`` (counter → delta) to the row of ``table`` whose unique key is ``key``
    (column → value), creating it with every other counter of ``counters`` at 0."""
    names = sorted(c for c in values if values[c])
    if not names:
        return
    defaults = [c for c in counters if c not in names]
    columns = [*key, *names, *defaults]
    placeholders = ", ".join(["%s"] * len(columns))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in names)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
        [*key.values(), *(values[c] for c in names), *([0] * len(defaults))],
    )
