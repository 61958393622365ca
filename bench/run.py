"""congso benchmarks: the production server on PostgreSQL, measured from loopback.

Usage (see docs/benchmarks.md)::

    ./scripts/bench                       # every scenario
    ./scripts/bench submit lookup         # some
    BENCH_SECONDS=20 ./scripts/bench      # longer runs

Each scenario prints one JSON object: the figures for congso, the figures for its floor (a bare
Django view on the same server and settings, measured in the same run) and the ratio.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen, scenarios  # noqa: E402

HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8799"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
#: ``sqlite``: the embedded default (a fresh SQLite file under var/bench) instead of PostgreSQL.
ENGINE = os.environ.get("BENCH_DB", "postgresql")
PY = str(ROOT / ".venv" / "bin" / "python")


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        args, cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def wait_healthy(timeout: float = float(os.environ.get("BENCH_START_SECONDS", "240"))) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{PORT}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("server did not become healthy")


def integrity(codes: list[str], env: dict[str, str]) -> dict[str, object]:
    """Every submission answered 201 exists, whole: its attachments, history and audit event."""
    path = ROOT / "var" / "bench" / "accepted-codes.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(codes))
    script = (
        "import json\n"
        "from django.db.models import Count\n"
        "from congso.audit.models import AuditEvent\n"
        "from congso.dossiers.models import Dossier\n"
        f"codes = set(json.load(open({str(path)!r})))\n"
        "rows = Dossier.objects.filter(code__in=codes).annotate(\n"
        "    files=Count('components__attachments', distinct=True),\n"
        "    hist=Count('history', distinct=True))\n"
        "whole = sum(1 for d in rows if d.files == 2 and d.hist >= 1)\n"
        "audited = AuditEvent.objects.filter(target_type='dossiers.dossier',\n"
        "    target_label__in=codes).values('target_label').distinct().count()\n"
        "print(json.dumps({'accepted': len(codes), 'found': rows.count(), 'whole': whole,\n"
        "                  'audited': audited}))"
    )
    out = json.loads(sh(PY, "manage.py", "shell", "-c", script, env=env).strip().splitlines()[-1])
    out["lost_or_half_written"] = out["accepted"] - out["whole"]
    return out


def main(selected: list[str]) -> int:
    dbname = f"congso_bench_{os.getpid()}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="congso.settings.production",
        DATABASE_URL=(
            f"sqlite:///{ROOT / 'var' / 'bench' / (dbname + '.sqlite3')}"
            if ENGINE == "sqlite"
            else f"{PG}/{dbname}"
        ),
        CONGSO_SECRET_KEY=secrets.token_urlsafe(64),
        CONGSO_AUDIT_CHAIN_KEY=secrets.token_urlsafe(48),
        CONGSO_SSL_REDIRECT="0",
        CONGSO_ALLOWED_HOSTS=HOST,
        CONGSO_BENCH_FLOOR="1",
        CONGSO_BIND=f"{HOST}:{PORT}",
        CONGSO_DATA_DIR=str(ROOT / "var" / "bench"),
        CONGSO_LOG_LEVEL="WARNING",
        # One client address fires every request: the public look-up's per-address throttle
        # (issue 13 item 9) would answer 429 after 30.
        CONGSO_LOOKUP_LIMIT="0",
    )
    if ENGINE != "sqlite":
        sh("createdb", "-h", "127.0.0.1", "-U", "postgres", dbname)
    server = worker = None
    try:
        sh(PY, "manage.py", "migrate", "--no-input", "-v0", env=env)
        sh(PY, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
        context = scenarios.prepare(env=env, run=lambda *a: sh(PY, "manage.py", *a, env=env))
        worker = subprocess.Popen([PY, "manage.py", "worker"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "congso.wsgi:application",
             "--config", "congso/gunicorn.conf.py", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=(ROOT / "var" / "bench" / "gunicorn.log").open("ab"),
        )  # fmt: skip
        wait_healthy()
        runs: dict[str, Callable[..., dict[str, object]]] = scenarios.SCENARIOS
        for name in selected or list(runs):
            report = runs[name](context, host=HOST, port=PORT, seconds=SECONDS, loadgen=loadgen)
            print(json.dumps({"scenario": name, **report}, ensure_ascii=False), flush=True)
        accepted = context.get("codes", []) + context.get("overload_codes", [])
        if accepted:
            print(json.dumps({"scenario": "integrity", **integrity(accepted, env)}), flush=True)
    finally:
        for proc in (server, worker):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if ENGINE == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                (ROOT / "var" / "bench" / f"{dbname}.sqlite3{suffix}").unlink(missing_ok=True)
        else:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", dbname],
                           check=False, capture_output=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["legacy"]:  # the legacy import at scale (bench/legacy_import_bench.py)
        from bench import legacy_import_bench

        sys.exit(legacy_import_bench.main(sys.argv[2:]))
    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    sys.exit(main(sys.argv[1:]))
