"""The finder on the national catalogue: recall@1 and recall@5 of the evaluation set
(``congso/catalog/data/finder_eval.json``) and the query latency. Prints JSON.

    .venv/bin/python -m bench.finder_bench [--rounds 3]

The catalogue is the national export (``CONGSO_CATALOG_NATIONAL_DATA``, default
``../shared/catalog-data``) indexed as the server indexes its database, with the seed
phrasings; no database. Targets (issue 21): recall@5 >= 0.95, recall@1 >= 0.8, and the search
p95 under 50 ms at ~5,600 procedures. The floor, measured in the same run, is the strict search
alone (every word in the name) for the same questions. The machine is shared: latencies are
noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from typing import Any

TARGET_P95_MS = 50


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "samples": len(ordered),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--missed", action="store_true", help="List the questions missed at 5.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings.test")
    import django

    django.setup()
    from congso.catalog import finder_eval
    from congso.catalog.search import prepare

    started = time.perf_counter()
    index = finder_eval.national_index()
    entries_s = time.perf_counter() - started
    started = time.perf_counter()
    index.finder  # noqa: B018 (builds it)
    finder_s = time.perf_counter() - started
    result = finder_eval.evaluate(index)
    asked = finder_eval.questions()
    finder_times: list[float] = []
    strict_times: list[float] = []
    for _ in range(args.rounds):
        for item in asked:
            started = time.perf_counter()
            finder_eval.answer(index, item.question)
            finder_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            prepared = prepare(item.question)
            if prepared is not None and prepared.words:
                index.having_every(prepared.words)
            strict_times.append(time.perf_counter() - started)
    latency = _ms(finder_times)
    report: dict[str, Any] = {
        "benchmark": "finder",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "procedures": len(index.entries),
        "phrasings": len(index.phrasings),
        "questions": result["questions"],
        "recall_at_1": result["recall_at_1"],
        "recall_at_5": result["recall_at_5"],
        "index_entries_s": round(entries_s, 2),
        "finder_build_s": round(finder_s, 2),
        "search": latency,
        "floor_strict_match": _ms(strict_times),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": latency["p95_ms"] < TARGET_P95_MS
        and result["recall_at_5"] >= 0.95
        and result["recall_at_1"] >= 0.8,
    }
    if args.missed:
        report["missed"] = result["missed"]
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
