"""The national catalogue at full size: the import of every procedure of the national database
(~5,700 procedures with their components, forms and legal bases), its no-op re-import, then the
catalogue's list and search, in process and through the public API, on that catalogue. Prints
JSON (see docs/benchmarks.md, "National catalogue").

    .venv/bin/python -m bench.catalog_national_bench [--dir DIR] [--rounds 30] [--province 51]
                                                     [--limit N] [--postgres] [--reads-only]

A fresh SQLite database in ``--dir`` (default a temporary folder; kept when given, so a second
run reuses the imported catalogue and times the no-op re-import only), or with ``--postgres``
the database ``congso_bench_cat`` on ``BENCH_PG_URL``. The exports are read from
``CONGSO_CATALOG_NATIONAL_DATA`` (default ``../shared/catalog-data``). ``--province`` also
times the import of that province's share with its default processes (after ``load_demo``).
``--reads-only`` skips the imports (a database kept from an earlier run). Issue 15's target:
list and search p95 < 50 ms; the floor, a primary-key read of one procedure row, is measured in
the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_CAT_DB", "congso_bench_cat")
TARGET_P95_MS = 50
#: Short queries a citizen types (with and without diacritics, a code, a field word).
QUERIES = (
    "đăng ký khai sinh",
    "dang ky khai sinh",
    "1.001193",
    "cấp giấy phép xây dựng",
    "ho kinh doanh",
    "chứng thực bản sao",
    "đăng ký thường trú",
    "giấy phép lái xe",
    "đất đai",
    "cấp lại",
    "hộ chiếu",
    "doanh nghiệp",
)


def _manage(*args: str, env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return time.monotonic() - started, done.stdout


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "samples": len(ordered),
    }


def _time(call: Callable[[], Any], rounds: int) -> list[float]:
    call()  # warm caches (the first call of a process compiles templates, fills the ORM caches)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def measure(rounds: int, faq: list[str]) -> dict[str, Any]:
    """Selectors, the portal's search page and the API on the imported catalogue (in this
    process), each against the floor: a primary-key read of one procedure row."""
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from congso.catalog import index, selectors
    from congso.catalog.models import Field, Procedure

    fields = list(
        Field.objects.order_by("-procedures__id").values_list("code", flat=True).distinct()[:5]
    )
    client = Client(HTTP_HOST="127.0.0.1")
    first = Procedure.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    results: dict[str, Any] = {
        "procedures": Procedure.objects.count(),
        "fields": Field.objects.count(),
    }
    started = time.perf_counter()
    index.build(timezone.localdate())
    results["index_build_ms"] = round((time.perf_counter() - started) * 1000, 1)
    floor = _percentiles(_time(lambda: list(Procedure.objects.filter(pk=first)), rounds * 3))
    results["floor_pk_read"] = floor
    page = slice(0, 20)
    cases: dict[str, Callable[[], Any]] = {
        "list_all": lambda: selectors.procedure_list()[page],
        "list_by_level": lambda: selectors.procedure_list(level="commune")[page],
        "list_by_field": lambda: [selectors.procedure_list(field=code)[page] for code in fields],
        "list_online_full_citizen": lambda: selectors.procedure_list(
            filters=selectors.Filters(online_level="full", applicant_type="citizen")
        )[page],
    }
    for query in QUERIES:
        cases[f"search:{query}"] = partial(selectors.search_procedures, query)
    for name, call in cases.items():
        results[name] = _percentiles(_time(call, rounds))
    search = [s for q in QUERIES for s in _time(partial(selectors.search_procedures, q), rounds)]
    results["search_all_queries"] = _percentiles(search)

    def cold(query: str) -> Any:
        # The query as if first asked: the index's remembered results dropped each time.
        catalogue = index.get_index()
        with catalogue.lock:
            catalogue.results.clear()
        return selectors.search_procedures(query)

    cold_samples = [s for q in QUERIES for s in _time(partial(cold, q), rounds)]
    results["search_all_queries_cold"] = _percentiles(cold_samples)
    status = client.get("/api/v1/procedures", {"q": QUERIES[0]}).status_code
    if status != 200:
        results["api_error"] = status
    api = [
        s
        for q in QUERIES
        for s in _time(partial(client.get, "/api/v1/procedures", {"q": q}), max(rounds // 3, 3))
    ]
    results["api_search"] = _percentiles(api)
    results["api_list_page"] = _percentiles(
        _time(lambda: client.get("/api/v1/procedures", {"page": 3}), rounds)
    )
    results["api_list_filtered"] = _percentiles(
        _time(lambda: client.get("/api/v1/procedures", {"level": "commune", "page": "2"}), rounds)
    )
    portal = [
        s
        for q in QUERIES
        for s in _time(partial(client.get, "/thu-tuc/", {"q": q}), max(rounds // 3, 3))
    ]
    results["portal_search_page"] = _percentiles(portal)
    results["portal_list_page"] = _percentiles(
        _time(lambda: client.get("/thu-tuc/", {"cap": "commune", "trang": "3"}), rounds)
    )
    if faq:
        questions = [s for q in faq for s in _time(partial(selectors.search_procedures, q), 3)]
        results["search_faq_questions"] = _percentiles(questions)
    checked = (
        "list_all",
        "list_by_level",
        "list_online_full_citizen",
        "search_all_queries",
        "search_all_queries_cold",
        "api_search",
        "api_list_page",
        "api_list_filtered",
        "portal_search_page",
        "portal_list_page",
    )
    worst = max(results[key]["p95_ms"] for key in checked)
    results["worst_p95_ms"] = worst
    results["worst_p95_over_floor"] = round(worst / max(floor["p95_ms"], 0.01), 1)
    results["target_p95_ms"] = TARGET_P95_MS
    results["meets_target"] = worst < TARGET_P95_MS
    return results


def _faq(env: dict[str, str]) -> list[str]:
    faq_file = (
        Path(env.get("CONGSO_CATALOG_NATIONAL_DATA", str(ROOT.parent / "shared" / "catalog-data")))
        / "Dichvucong-FAQ-Chatbot"
        / "ask_questions.txt"
    )
    return faq_file.read_text(encoding="utf-8").splitlines()[:20] if faq_file.exists() else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="Keep the SQLite database here (reused).")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--province", help="Also time the import of this province's share.")
    parser.add_argument("--limit", type=int, help="Import only the first N records (a try run).")
    parser.add_argument("--postgres", action="store_true", help="Use PostgreSQL (BENCH_PG_URL).")
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="Skip the imports: time the reads on the catalogue already in the database.",
    )
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="congso-bench-cat-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "congso.settings.base",
        "CONGSO_DATA_DIR": str(folder),
        "CONGSO_AUDIT_CHAIN_KEY": os.environ.get("CONGSO_AUDIT_CHAIN_KEY", "bench-chain-key"),
    }
    if args.postgres:
        env["DATABASE_URL"] = f"{PG}/{PG_DB}"
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {PG_DB}"],
            check=False,
            capture_output=True,
        )
    os.environ.update(env)
    limit = ["--limit", str(args.limit)] if args.limit else []
    report: dict[str, Any] = {
        "benchmark": "catalog_national",
        "python": platform.python_version(),
        "database": "postgresql" if args.postgres else "sqlite",
        "cpus": os.cpu_count(),
    }
    seconds, _ = _manage("migrate", "--no-input", "-v0", env=env)
    report["migrate_s"] = round(seconds, 1)
    _manage("collectstatic", "--no-input", "-v0", env=env)  # the portal's pages need the manifest
    if args.reads_only:
        report["reads"] = measure(args.rounds, _faq(env))
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    seconds, out = _manage("catalog_national_import", "--all", *limit, env=env)
    report["import_all_s"] = round(seconds, 1)
    report["import_all"] = out.strip().splitlines()[-12:]
    seconds, _ = _manage("catalog_national_import", "--all", *limit, env=env)
    report["reimport_all_s"] = round(seconds, 1)
    if args.province:
        _manage("load_demo", env=env)
        seconds, out = _manage(
            "catalog_national_import", "--province", args.province, *limit, env=env
        )
        report["import_province_s"] = round(seconds, 1)
        report["import_province"] = out.strip().splitlines()[:3]
    report["reads"] = measure(args.rounds, _faq(env))
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
