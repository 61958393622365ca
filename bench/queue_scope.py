"""Officers' queues for a non-superuser at scale (issue 22): the scoped reads of the back
office — every queue's count (``queue_counts``), the first page of the "all" queue
(``queue_page``) and a drill-down by code — timed with the scope of
``DossierQuerySet.scope_filter`` and, in the same run, with the earlier form (one ``OR`` of
subqueries, kept here as the reference), and the PostgreSQL plan of the page query for both.

Run against a database that holds many dossiers (``generate_history``), e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/congso_scale_big \\
      .venv/bin/python -m bench.queue_scope --user motcua.nghialo --rounds 20

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _legacy_scope(user: Any) -> Any:
    from django.db.models import Q

    from congso.dossiers.models import DossierStep
    from congso.org.permissions import PROVINCE_WIDE, role_agencies, role_provinces

    agencies = role_agencies(user)
    provinces = role_provinces(user, PROVINCE_WIDE)
    own = Q(applicant_citizen__user_id=user.pk) | Q(submitted_by_id=user.pk)
    officer = Q(competent_agency_id__in=agencies) | Q(desk__agency_id__in=agencies)
    steps = DossierStep.objects.filter(Q(agency_id__in=agencies) | Q(assignee_id=user.pk)).values(
        "dossier_id"
    )
    province = Q(competent_agency__province_id__in=provinces) | Q(
        desk__agency__province_id__in=provinces
    )
    return own | officer | Q(pk__in=steps) | province


def _time(fn: Callable[[], object], rounds: int) -> dict[str, float]:
    fn()  # warm (prepared statements, caches)
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "p50_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[max(0, round(0.95 * len(took)) - 1)], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="motcua.nghialo")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings.base")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from unittest import mock

    from django.contrib.auth import get_user_model
    from django.db import connection

    from congso.backoffice import selectors
    from congso.dossiers.models import Dossier
    from congso.dossiers.permissions import DossierQuerySet

    user = get_user_model().objects.get(username=args.user)
    filters = selectors.queue_filters(user)
    in_scope = Dossier.objects.restrict(user).order_by("-submitted_at").values_list("code")
    newest = in_scope.first()
    if newest is None:
        raise SystemExit(f"{args.user} sees no dossier: generate some first")
    code = newest[0]
    report: dict[str, Any] = {
        "dossiers": Dossier.objects.count(),
        "user": args.user,
        "in_scope": Dossier.objects.restrict(user).count(),
    }
    current = DossierQuerySet.scope_filter
    for name, scope in (
        ("legacy_or_subqueries", lambda self, u, action: _legacy_scope(u)),
        ("union_of_index_lookups", current),
    ):
        with mock.patch.object(DossierQuerySet, "scope_filter", scope):
            page = (
                Dossier.objects.restrict(user)
                .filter(filters["tiep-nhan"])
                .order_by("-submitted_at", "-pk")[:51]
            )
            plan = ""
            if connection.vendor == "postgresql":
                sql, params = page.query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql, params)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
            report[name] = {
                "queue_counts": _time(lambda: selectors.queue_counts(user, filters), args.rounds),
                "queue_page": _time(
                    lambda: selectors.queue_page(user, selectors.any_queue(filters)), args.rounds
                ),
                "drilldown_by_code": _time(
                    lambda: Dossier.objects.restrict(user).filter(code=code).first(), args.rounds
                ),
                "plan_submitted_queue_page": plan.splitlines(),
            }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
