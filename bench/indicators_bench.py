"""Dashboard figures at scale: every selector call the province dashboard makes for one year
(figures by month, agency, unit, procedure and field, the totals, the live figures) against a
one-shot SQL GROUP BY over the raw dossier tables computing the same figures, in the same run,
on PostgreSQL. Prints JSON (see docs/benchmarks.md, "Indicators").

    .venv/bin/python -m bench.indicators_bench [--dossiers 10000000] [--rounds 30]
                                                [--baseline-rounds 30]

The database is ``congso_bench_ind`` on ``BENCH_PG_URL`` (default the local server); when it
does not hold exactly ``--dossiers`` dossiers it is recreated: migrate, ``load_demo``,
``load_catalog_demo``, ``generate_history --dossiers N --years 3`` (which ends with
``rebuild_indicators``). Targets (issue 7): dashboard p95 < 200 ms and ≥ 20× faster.
"""

# SQL here is built from constants, dates and the benchmark database name.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_IND_DB", "congso_bench_ind")
PY = str(ROOT / ".venv" / "bin" / "python")
TARGET_P95_MS = 200
TARGET_RATIO = 20


def _manage(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def _psql(sql: str) -> str:
    done = subprocess.run(
        ["psql", f"{PG}/postgres", "-Atqc", sql], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _count(env: dict[str, str]) -> int | None:
    if _psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'") != "1":
        return None
    try:
        done = subprocess.run(
            ["psql", f"{PG}/{DB}", "-Atqc", "SELECT COUNT(*) FROM dossiers_dossier"],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError:
        return None
    return int(done.stdout.strip())


def prepare(dossiers: int, env: dict[str, str]) -> dict[str, Any]:
    """Make sure the benchmark database holds exactly ``dossiers`` generated dossiers."""
    if _count(env) == dossiers:
        return {"generated_now": False}
    _psql(f"DROP DATABASE IF EXISTS {DB}")
    _psql(f"CREATE DATABASE {DB}")
    started = time.monotonic()
    _manage("migrate", "-v0", env=env)
    _manage("load_demo", env=env)
    _manage("load_catalog_demo", env=env)
    output = _manage(
        "generate_history", "--dossiers", str(dossiers), "--years", "3", "--seed", "1", env=env
    )
    return {
        "generated_now": True,
        "generation_seconds": round(time.monotonic() - started, 1),
        "generator_report": output.strip().splitlines()[-1],
    }


def _timed(rounds: int, action: Callable[[], Any]) -> tuple[dict[str, float], Any]:
    result = action()  # warm-up: plans, caches
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = action()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "rounds": rounds,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(0.95 * len(timings)) - 1)], 1),
        "max_ms": round(timings[-1], 1),
    }, result


def dashboard(start: date, end: date) -> dict[str, Any]:
    """Every selector call of the province dashboard page for the period, and the index."""
    from congso.indicators import index
    from congso.indicators.selectors import figures, live_figures

    window: dict[str, Any] = {"start": start, "end": end}
    return {
        "totals": figures(**window)[0],
        "by_month": figures(**window, group_by=["month"]),
        "by_agency": figures(**window, group_by=["agency"]),
        "by_unit": figures(**window, group_by=["unit"]),
        "by_procedure": figures(**window, group_by=["procedure"]),
        "by_field": figures(**window, group_by=["field"]),
        "live": live_figures()[0],
        "live_by_agency": live_figures(group_by=["agency"]),
        "index": index.score(start=start, end=end),
    }


def one_shot_sql(start: date, end: date) -> tuple[str, str]:
    """The same figures straight from the raw tables: one GROUP BY (grouping sets) over the
    dossiers, their history, supplement requests, ratings and signed results, and one over
    the open dossiers for the live counts."""
    from congso.indicators import aggregates
    from congso.indicators.models import COUNTERS

    sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTERS)
    figures_sql = (
        "SELECT GROUPING(month_, agency_id, unit_id, procedure_id, field_id) AS g, month_, "
        f"agency_id, unit_id, procedure_id, field_id, {sums} FROM ("
        "SELECT date_trunc('month', day)::date AS month_, * FROM ("
        f"{aggregates.daily_select_sql()}) raw "
        f"WHERE day BETWEEN '{start.isoformat()}' AND '{end.isoformat()}') f "
        "GROUP BY GROUPING SETS ((month_), (agency_id), (unit_id), (procedure_id), (field_id), ())"
    )
    live_sql = (
        "SELECT d.competent_agency_id, "
        "COUNT(*) FILTER (WHERE d.status = 'submitted') AS waiting_reception, "
        "COUNT(*) FILTER (WHERE d.received_at IS NOT NULL AND d.status IN ('received', "
        "'processing', 'supplement_requested', 'payment_requested', 'withdrawal_requested')) "
        "AS in_progress, "
        "COUNT(*) FILTER (WHERE d.received_at IS NOT NULL AND d.status IN ('received', "
        "'processing', 'withdrawal_requested') AND d.due_at < now()) AS overdue_now, "
        "COUNT(*) FILTER (WHERE d.status = 'processed') AS processed_not_returned "
        "FROM dossiers_dossier d WHERE d.status NOT IN ('not_accepted', 'returned', 'stopped', "
        "'withdrawn') GROUP BY ROLLUP (d.competent_agency_id)"
    )
    return figures_sql, live_sql


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--baseline-rounds", type=int, default=30)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "DJANGO_SETTINGS_MODULE": "congso.settings.test",
    }
    preparation = prepare(args.dossiers, env)
    os.environ.update({"DATABASE_URL": env["DATABASE_URL"]})
    os.environ["DJANGO_SETTINGS_MODULE"] = "congso.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    end = timezone.localdate()
    start = end - timedelta(days=364)
    figures_sql, live_sql = one_shot_sql(start, end)

    def baseline() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(figures_sql)
            rows = cursor.fetchall()
            cursor.execute(live_sql)
            return [rows, cursor.fetchall()]

    with connection.cursor() as cursor:
        # Fair to the one-shot query: no seconds of JIT compilation on its big plan.
        cursor.execute("SET jit = off")
        cursor.execute("SELECT COUNT(*), pg_size_pretty(pg_database_size(current_database())) "
                       "FROM dossiers_dossier")  # fmt: skip
        count, size = cursor.fetchone()
    fast, seen = _timed(args.rounds, lambda: dashboard(start, end))
    slow, raw = _timed(args.baseline_rounds, baseline)
    totals_raw = next(row for row in raw[0] if row[0] == 31)
    received_raw = totals_raw[6]
    live_raw = next(row for row in raw[1] if row[0] is None)
    report = {
        "benchmark": "indicators dashboard, whole province, one year",
        "dossiers": count,
        "database_size": size,
        "window": [start.isoformat(), end.isoformat()],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores shared, {platform.system()}",
        "preparation": preparation,
        "dashboard_selectors": {**fast, "selector_calls": 8, "plus": "index.score()"},
        "one_shot_group_by": slow,
        "ratio_p50": round(slow["p50_ms"] / max(fast["p50_ms"], 0.01), 1),
        "ratio_p95": round(slow["p95_ms"] / max(fast["p95_ms"], 0.01), 1),
        "consistent": {
            "received": [seen["totals"]["received"], int(received_raw or 0)],
            "in_progress": [seen["live"]["in_progress"], live_raw[2]],
        },
        "target": {"p95_ms": TARGET_P95_MS, "ratio": TARGET_RATIO},
    }
    report["met"] = (
        fast["p95_ms"] < TARGET_P95_MS and slow["p95_ms"] >= TARGET_RATIO * fast["p95_ms"]
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
