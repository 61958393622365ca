"""A 4× sign-in surge (issue 22; the national identity login surge of August 2025 is the kind
of day to plan for): citizens signing in through the web sign-in form, each a whole journey.

One journey, on its own connection, as a browser makes it: ``GET /tai-khoan/dang-nhap/`` (the CSRF
cookie and the form's token), ``POST /tai-khoan/dang-nhap/`` with the citizen's name and password (a
302 with a new session cookie), then ``GET /ca-nhan/ho-so/`` with that session (200: the
session holds; a redirect to the sign-in page is a *lost session*). A step refused with 429 or
503 is retried after its ``Retry-After`` (at most 3 times), as a browser's user would.

``prepare`` registers ``ACCOUNTS`` citizen accounts (distinct people: a surge is many citizens,
and the sign-in throttle works per account). The scenario measures the sustainable rate — 8
clients in a closed loop of journeys — then starts journeys at 4× that rate for the surge's
seconds (open loop), and reports journeys/s, the latency of whole journeys, every status per
step, 5xx other than a 503 refusal, refusals without ``Retry-After``, lost sessions and
journeys that never got in. The floor is the same journey's first request alone (the sign-in
page, no password hash and no session write) in the same run.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
from collections import Counter
from typing import Any

ACCOUNTS = 200
PASSWORD = "Khao-sat-dang-nhap-2026"  # noqa: S105 (bench accounts on a throwaway database)
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
MAX_RETRIES = 3


def prepare(ctx: dict[str, Any], run: Any) -> None:
    out = run(
        "shell",
        "-c",
        "import json\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.hashers import make_password\n"
        "from congso.org.models import Citizen\n"
        "User = get_user_model()\n"
        f"hashed = make_password({PASSWORD!r})\n"
        "names = []\n"
        f"for i in range({ACCOUNTS}):\n"
        "    name = f'khaosat.{i:04d}'\n"
        "    user, _ = User.objects.get_or_create(username=name, defaults={'password': hashed,\n"
        "        'full_name': f'Công dân khảo sát {i}'})\n"
        "    Citizen.objects.get_or_create(personal_id=f'0510950{i:05d}', defaults={\n"
        "        'user': user, 'full_name': user.full_name})\n"
        "    names.append(name)\n"
        "print(json.dumps(names))",
    )
    ctx["signin_accounts"] = json.loads(out.strip().splitlines()[-1])


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    found = {}
    for line in headers.get("set-cookie", "").split("\n"):
        pair = line.split(";", 1)[0]
        if "=" in pair:
            key, _, value = pair.partition("=")
            found[key.strip()] = value.strip()
    return found


class Tally:
    def __init__(self) -> None:
        self.steps: dict[str, Counter[int]] = {
            "page": Counter(),
            "post": Counter(),
            "home": Counter(),
        }
        self.journeys: list[float] = []
        self.lost_sessions = 0
        self.never_in = 0
        self.without_retry_after = 0
        self.errors: Counter[str] = Counter()
        self.retries = 0


async def _step(conn: Any, tally: Tally, name: str, req: Any) -> tuple[int, dict[str, str], bytes]:
    for attempt in range(MAX_RETRIES + 1):
        status, headers, body = await conn.request(req)
        tally.steps[name][status] += 1
        if status not in (429, 503) or attempt == MAX_RETRIES:
            return status, headers, body
        if "retry-after" not in headers:
            tally.without_retry_after += 1
        tally.retries += 1
        conn.close()
        await asyncio.sleep(min(float(headers.get("retry-after") or 1), 5.0))
    raise AssertionError("unreachable")


async def journey(host: str, port: int, username: str, tally: Tally, loadgen: Any) -> None:
    conn = loadgen.Conn(host, port)
    started = time.perf_counter()
    try:
        status, headers, body = await _step(
            conn, tally, "page", ("GET", "/tai-khoan/dang-nhap/", {}, b"")
        )
        match = _TOKEN.search(body)
        csrf = _cookies(headers).get("csrftoken")
        if status != 200 or match is None or csrf is None:
            tally.never_in += 1
            return
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)}
        ).encode()
        post = ("POST", "/tai-khoan/dang-nhap/", {"Cookie": f"csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded"}, form)  # fmt: skip
        status, headers, _body = await _step(conn, tally, "post", post)
        session = _cookies(headers).get("sessionid")
        if status != 302 or not session:
            tally.never_in += 1
            return
        home = ("GET", "/ca-nhan/ho-so/", {"Cookie": f"sessionid={session}"}, b"")
        status, headers, _body = await _step(conn, tally, "home", home)
        if status != 200:
            if status in (301, 302) and "dang-nhap" in headers.get("location", ""):
                tally.lost_sessions += 1
            else:
                tally.never_in += 1
            return
        tally.journeys.append(time.perf_counter() - started)
    except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
        tally.errors[type(exc).__name__] += 1
        tally.never_in += 1
    finally:
        conn.close()


def _summary(tally: Tally, elapsed: float, loadgen: Any) -> dict[str, Any]:
    other_5xx = sum(n for c in tally.steps.values() for s, n in c.items() if s >= 500 and s != 503)
    return {
        "signed_in": len(tally.journeys),
        "journeys_per_s": round(len(tally.journeys) / elapsed, 2) if elapsed else 0.0,
        "journey_p50_ms": loadgen.pct(tally.journeys, 50),
        "journey_p95_ms": loadgen.pct(tally.journeys, 95),
        "journey_p99_ms": loadgen.pct(tally.journeys, 99),
        "steps": {k: {str(s): n for s, n in sorted(c.items())} for k, c in tally.steps.items()},
        "retries": tally.retries,
        "other_5xx": other_5xx,
        "refused_without_retry_after": tally.without_retry_after,
        "lost_sessions": tally.lost_sessions,
        "never_signed_in": tally.never_in,
        "errors": dict(tally.errors),
    }


async def _closed(host: str, port: int, names: list[str], clients: int, seconds: float,
                  loadgen: Any) -> dict[str, Any]:  # fmt: skip
    tally = Tally()
    counter = iter(range(10**9))
    started = time.perf_counter()

    async def client() -> None:
        while time.perf_counter() - started < seconds:
            await journey(host, port, names[next(counter) % len(names)], tally, loadgen)

    await asyncio.gather(*(client() for _ in range(clients)))
    return _summary(tally, time.perf_counter() - started, loadgen)


async def _open(host: str, port: int, names: list[str], rate: float, seconds: float,
                loadgen: Any) -> dict[str, Any]:  # fmt: skip
    tally = Tally()
    tasks: set[asyncio.Task[None]] = set()
    started = time.perf_counter()
    i = 0
    while (now := time.perf_counter()) - started < seconds:
        while i < int((now - started) * rate):
            task = asyncio.ensure_future(journey(host, port, names[i % len(names)], tally, loadgen))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
        await asyncio.sleep(0.005)
    if tasks:
        await asyncio.wait(tasks, timeout=120)
    out = _summary(tally, time.perf_counter() - started, loadgen)
    out["started"] = i
    return out


def signin_surge(ctx: dict[str, Any], *, host: str, port: int, seconds: float,
                 loadgen: Any) -> dict[str, Any]:  # fmt: skip
    if "signin_accounts" not in ctx:
        prepare(ctx, ctx["run"])
    names = ctx["signin_accounts"]
    steady = asyncio.run(_closed(host, port, names, 8, seconds, loadgen))
    sustainable = max(steady["journeys_per_s"], 0.5)
    surge_seconds = max(seconds, 30)
    surge = asyncio.run(_open(host, port, names, 4 * sustainable, surge_seconds, loadgen))
    page = asyncio.run(
        loadgen.closed_loop(
            host,
            port,
            lambda i: ("GET", "/tai-khoan/dang-nhap/", {}, b""),
            clients=8,
            seconds=seconds,
        )
    ).summary()
    clean = (
        surge["other_5xx"] == 0
        and surge["lost_sessions"] == 0
        and surge["never_signed_in"] == 0
        and surge["refused_without_retry_after"] == 0
    )
    return {
        "sustainable": steady,
        "offered_journeys_per_s": round(4 * sustainable, 2),
        "surge_seconds": surge_seconds,
        "surge": surge,
        "floor_sign_in_page": page,
        "clean": clean,
    }
