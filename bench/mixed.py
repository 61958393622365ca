"""The mixed scenario of issue 22: a province's traffic, 80 % reads and 20 % writes, signed in.

Each client is a closed loop drawing its next request from a fixed weighted mix (seeded, so two
runs send the same sequence), on keep-alive connections, at 1, 8 and 32 clients:

reads (80 %)
    the catalogue list and a procedure page (anonymous), the public look-up (API), a citizen's
    own dossiers page (web session), an officer's queue and a dossier page (web session, second
    factor passed), the province dashboard (web session of the province's monitor role holder);
writes (20 %)
    an online submission (API, citizen token) and an officer's action on a waiting dossier
    (reception: receive, API token).

The web sessions are made the way a sign-in makes them (``login`` then ``otp_login`` on a
session store, so the rows are the ones a browser would carry), one per role. Per kind: req/s
and p50/p95/p99 of the 2xx answers; the floor (the read-by-key view at the same concurrency)
and the ratio of all reads' throughput to it.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

from bench import scenarios

READ_SHARE = 0.8
#: (kind, weight) within reads and within writes.
READS = (
    ("catalogue", 20),
    ("procedure", 15),
    ("lookup", 15),
    ("citizen_dossiers", 15),
    ("officer_queue", 15),
    ("officer_dossier", 15),
    ("dashboard", 5),
)
WRITES = (("submit", 60), ("receive", 40))

SESSIONS_SCRIPT = """
import json
from django.contrib.auth import get_user_model, login
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django_otp import devices_for_user, login as otp_login
out = {}
for role, name in %(users)r.items():
    user = get_user_model().objects.get(username=name)
    request = RequestFactory().get('/')
    request.session = SessionStore()
    login(request, user, backend='django.contrib.auth.backends.ModelBackend')
    request.user = user  # login() sets it only on a request that had one; otp_login reads it
    device = next(iter(devices_for_user(user)), None)
    if device is not None:
        otp_login(request, device)
    request.session.save()
    out[role] = request.session.session_key
print(json.dumps(out))
"""


def prepare(ctx: dict[str, Any], run: Any) -> None:
    users = {
        "citizen": "congdan.mot",
        "reception": f"motcua.{scenarios.COMMUNE_SLUG}",
        "leader": f"lanhdao.{scenarios.COMMUNE_SLUG}",
    }
    out = run("shell", "-c", SESSIONS_SCRIPT % {"users": users})
    ctx["sessions"] = json.loads(out.strip().splitlines()[-1])


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


async def _run(ctx: dict[str, Any], host: str, port: int, seconds: float, clients: int,
               loadgen: Any) -> dict[str, Any]:  # fmt: skip
    make_submit = scenarios.submit_request(ctx)
    codes: list[str] = list(ctx.get("codes") or [])
    waiting: list[dict[str, Any]] = []  # submitted here, not yet received
    latencies: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds
    tokens = ctx["tokens"]

    def cookie(role: str) -> dict[str, str]:
        return {"Cookie": f"sessionid={ctx['sessions'][role]}"}

    def request_for(kind: str, rng: random.Random) -> tuple[str, str, dict[str, str], bytes]:
        code = rng.choice(codes) if codes else "none"
        if kind == "catalogue":
            return "GET", "/thu-tuc/", {}, b""
        if kind == "procedure":
            return "GET", f"/thu-tuc/{scenarios.PROCEDURE}/", {}, b""
        if kind == "lookup":
            return "GET", f"/api/v1/lookup/{code}", {}, b""
        if kind == "citizen_dossiers":
            return "GET", "/ca-nhan/ho-so/", cookie("citizen"), b""
        if kind == "officer_queue":
            return "GET", "/can-bo/hang-doi/tat-ca/", cookie("reception"), b""
        if kind == "officer_dossier":
            return "GET", f"/can-bo/ho-so/{code}/", cookie("reception"), b""
        if kind == "dashboard":
            return "GET", "/can-bo/chi-so/", cookie("leader"), b""
        if kind == "submit":
            return make_submit(next(counter))
        raise ValueError(kind)

    async def client(number: int) -> None:
        rng = random.Random(number)  # noqa: S311 (a reproducible mix, not a secret)
        conn = loadgen.Conn(host, port)
        while time.perf_counter() < deadline:
            write = rng.random() >= READ_SHARE
            kind = _pick(rng, WRITES if write else READS)
            if kind == "receive" and not waiting:
                kind = "submit"
            if kind == "receive":
                dossier = waiting.pop()
                body = json.dumps({"expected_version": dossier["version"]}).encode()
                req = (
                    "POST", f"/api/v1/dossiers/{dossier['code']}/actions/receive",
                    {"Authorization": f"Bearer {tokens['reception']}",
                     "Content-Type": "application/json"}, body,
                )  # fmt: skip
            else:
                req = request_for(kind, rng)
            started = time.perf_counter()
            try:
                status, _headers, answer = await conn.request(req)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                conn.close()
                status, answer = 0, type(exc).__name__.encode()
            took = time.perf_counter() - started
            statuses.setdefault(kind, {}).setdefault(str(status), 0)
            statuses[kind][str(status)] += 1
            if 200 <= status < 300:
                latencies.setdefault(kind, []).append(took)
                if kind == "submit":
                    made = json.loads(answer)
                    codes.append(made["code"])
                    waiting.append(made)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    ctx.setdefault("codes", []).extend(c for c in codes if c not in set(ctx.get("codes", [])))
    kinds = {}
    for kind in [k for k, _ in READS + WRITES]:
        values = latencies.get(kind, [])
        kinds[kind] = {
            "ok": len(values),
            "rps": round(len(values) / elapsed, 1),
            "p50_ms": loadgen.pct(values, 50),
            "p95_ms": loadgen.pct(values, 95),
            "p99_ms": loadgen.pct(values, 99),
            "statuses": statuses.get(kind, {}),
        }
    reads = [v for k, _ in READS for v in latencies.get(k, [])]
    writes = [v for k, _ in WRITES for v in latencies.get(k, [])]
    return {
        "clients": clients,
        "total_rps": round((len(reads) + len(writes)) / elapsed, 1),
        "reads": {"rps": round(len(reads) / elapsed, 1), "p50_ms": loadgen.pct(reads, 50),
                  "p95_ms": loadgen.pct(reads, 95), "p99_ms": loadgen.pct(reads, 99)},
        "writes": {"rps": round(len(writes) / elapsed, 1), "p50_ms": loadgen.pct(writes, 50),
                   "p95_ms": loadgen.pct(writes, 95), "p99_ms": loadgen.pct(writes, 99)},
        "kinds": kinds,
    }  # fmt: skip


def mixed(ctx: dict[str, Any], *, host: str, port: int, seconds: float, loadgen: Any) -> dict:
    if "sessions" not in ctx:
        prepare(ctx, ctx["run"])
    if not ctx.get("codes"):  # something to look up and open
        seed = asyncio.run(
            loadgen.closed_loop(host, port, scenarios.submit_request(ctx), clients=2, seconds=2,
                                keep_bodies=True)
        )  # fmt: skip
        ctx.setdefault("codes", []).extend(json.loads(b)["code"] for b in seed.bodies)
    floor_ids = list(range(1, 200))
    asyncio.run(loadgen.closed_loop(host, port, scenarios.floor_insert, clients=2, seconds=1))

    def floor(i: int) -> tuple[str, str, dict[str, str], bytes]:
        return "GET", f"/bench-floor/read/{floor_ids[i % len(floor_ids)]}", {}, b""

    levels = {}
    for clients in (1, 8, 32):
        ours = asyncio.run(_run(ctx, host, port, seconds, clients, loadgen))
        base = asyncio.run(
            loadgen.closed_loop(host, port, floor, clients=clients, seconds=seconds)
        ).summary()
        ours["floor_read_rps"] = base["throughput_rps"]
        ours["total_to_floor_ratio"] = scenarios._ratio(ours["total_rps"], base["throughput_rps"])
        levels[str(clients)] = ours
    return {"levels": levels, "targets": {"total_rps_min": 500, "read_p95_ms_max": 100}}
