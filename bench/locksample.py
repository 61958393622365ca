"""Sample PostgreSQL lock waits while a benchmark runs (issue 22: the write path's serialisation
points). Every ``--interval`` seconds it reads ``pg_stat_activity`` joined with ``pg_locks`` for
the backends of databases named ``--like`` that wait on a heavyweight lock, and counts what they
wait for: an advisory lock (by key), a transaction id (a row lock held by another transaction:
named by the waiting statement's first words) or a relation. Prints one JSON object at the end.

    .venv/bin/python -m bench.locksample --seconds 120 &   # then ./scripts/bench submit lifecycle
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter

import psycopg

SQL = """
SELECT l.locktype, l.objid, l.classid, c.relname, a.query, a.state
FROM pg_stat_activity a
JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
LEFT JOIN pg_class c ON c.oid = l.relation
WHERE a.datname LIKE %s AND a.wait_event_type = 'Lock'
"""
ACTIVE = """SELECT count(*) FROM pg_stat_activity WHERE datname LIKE %s AND state = 'active'
AND pid <> pg_backend_pid()"""


def _statement(query: str) -> str:
    words = re.sub(r"\s+", " ", query).strip()
    table = re.search(r'(?:INTO|UPDATE|FROM) "?([a-z_]+)"?', words)
    head = " ".join(words.split(" ")[:1]).upper()
    return f"{head} {table.group(1) if table else words[:60]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--like", default="congso_bench_%")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--interval", type=float, default=0.01)
    args = parser.parse_args()
    waits: Counter[str] = Counter()
    samples = busy = active_total = 0
    deadline = time.monotonic() + args.seconds
    with psycopg.connect(args.url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            active = conn.execute(ACTIVE, [args.like]).fetchone()
            rows = conn.execute(SQL, [args.like]).fetchall()
            samples += 1
            if active and active[0]:
                busy += 1
                active_total += active[0]
            for locktype, objid, _classid, relname, query, _state in rows:
                if locktype == "advisory":
                    key = f"advisory {objid:#x}"
                elif locktype == "transactionid":
                    key = f"row lock: {_statement(query)}"
                else:
                    key = f"{locktype} {relname or ''}: {_statement(query)}"
                waits[key] += 1
            time.sleep(args.interval)
    print(
        json.dumps(
            {
                "samples": samples,
                "samples_with_active_backends": busy,
                "mean_active_backends_when_busy": round(active_total / busy, 2) if busy else 0,
                "waiting_backends_per_busy_sample": {
                    key: round(count / busy, 3) for key, count in waits.most_common(12)
                }
                if busy
                else {},
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
