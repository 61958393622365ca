"""Profile one online submission and one public look-up in-process (cProfile, query count).

Not a benchmark: it tells where the time of ``POST /api/v1/dossiers`` and
``GET /api/v1/lookup/{code}`` goes, through the whole Django stack (middleware, ninja, services)
with Django's test client. Run it against a database that holds the demo data::

    createdb -h 127.0.0.1 -U postgres congso_prof
    export DJANGO_SETTINGS_MODULE=congso.settings.test \\
           DATABASE_URL=postgres://postgres@127.0.0.1:5432/congso_prof
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo \\
        && .venv/bin/python manage.py load_catalog_demo
    .venv/bin/python -m bench.profile_submit [--rounds 200] [--top 40]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings.test")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--queries", action="store_true", help="print every SQL of one submit")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.scenarios import COMMUNE_SLUG, PDF, PROCEDURE
    from congso.api.auth import token_create
    from congso.catalog.models import Procedure
    from congso.org.models import Citizen, RoleAssignment

    citizen = Citizen.objects.select_related("user").get(user__username="congdan.mot")
    _row, secret = token_create(
        actor=None, user=citizen.user, name="profile", scopes=["read", "write"]
    )
    agency = (
        RoleAssignment.objects.filter(user__username=f"motcua.{COMMUNE_SLUG}")
        .select_related("agency__unit")
        .first()
    )
    assert agency is not None and agency.agency.unit is not None
    version = Procedure.objects.get(code=PROCEDURE).versions.order_by("-version").first()
    assert version is not None
    components = [c.code for c in version.components.filter(mandatory=True)]
    first, second = (components * 2)[:2]
    form = {
        "applicant_full_name": citizen.full_name,
        "applicant_personal_id": citizen.personal_id,
        "applicant_address": {"unit_code": agency.agency.unit.code, "detail": "Số 1"},
        "applicant_phone": "0912345678",
        "note": "Hồ sơ đo",
    }
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="127.0.0.1")

    def submit() -> str:
        files = {
            f"files.{first}": io.BytesIO(PDF),
            f"files.{second}": io.BytesIO(PDF),
        }
        for name, handle in files.items():
            handle.name = f"{name}.pdf"
        answer = client.post(
            "/api/v1/dossiers",
            {
                "procedure": PROCEDURE,
                "agency": agency.agency.code,
                "form_data": json.dumps(form),
                **files,
            },
        )
        assert answer.status_code == 201, answer.content
        return str(answer.json()["code"])

    def lookup(code: str) -> None:
        answer = Client(HTTP_HOST="127.0.0.1").get(f"/api/v1/lookup/{code}")
        assert answer.status_code == 200, answer.content

    codes = [submit() for _ in range(5)]  # warm-up
    with CaptureQueriesContext(connection) as queries:
        codes.append(submit())
    kinds = Counter(q["sql"].split()[0].upper() for q in queries.captured_queries)
    print(f"submit: {len(queries)} queries {dict(kinds)}")
    if args.queries:
        for q in queries.captured_queries:
            print(f"  {q['time']}  {q['sql'][:220]}")
    with CaptureQueriesContext(connection) as queries:
        lookup(codes[-1])
    print(f"lookup: {len(queries)} queries")

    for name, call in (("submit", submit), ("lookup", lambda: lookup(codes[0]))):
        started = time.perf_counter()
        for _ in range(args.rounds):
            call()
        per = (time.perf_counter() - started) / args.rounds * 1000
        print(f"{name}: {per:.2f} ms per call over {args.rounds} calls (unprofiled)")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.rounds):
            call()
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
