"""The benchmark scenarios of docs/benchmarks.md, each with its floor measured in the same run."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

Run = Callable[..., str]
# Cấp Giấy xác nhận tình trạng hôn nhân: commune level, online, 3 working days, 2 mandatory files
PROCEDURE = "1.004873"
COMMUNE_SLUG = "nghialo"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 1500


def prepare(*, env: dict[str, str], run: Run) -> dict[str, Any]:
    run("load_demo")
    run("load_catalog_demo")
    users = {
        "citizen": "congdan.mot",
        "reception": f"motcua.{COMMUNE_SLUG}",
        "specialist": f"chuyenvien.{COMMUNE_SLUG}",
        "leader": f"lanhdao.{COMMUNE_SLUG}",
    }
    # Tokens with every scope the scenarios use (since issue 13 a token is read-only by
    # default, and completing needs the approve scope, granted only after a second factor: the
    # benchmark vouches for it, as the account page does after a TOTP code).
    tokens = json.loads(
        run(
            "shell",
            "-c",
            "import json\n"
            "from django.contrib.auth import get_user_model\n"
            "from congso.accounts.tokens import token_create\n"
            f"users = {users!r}\n"
            "out = {}\n"
            "for role, name in users.items():\n"
            "    user = get_user_model().objects.get(username=name)\n"
            "    scopes = ['read', 'write'] + (['approve'] if role != 'citizen' else [])\n"
            "    out[role] = token_create(actor=None, user=user, name='bench', scopes=scopes,\n"
            "                             second_factor=True)[1]\n"
            "print(json.dumps(out))",
        )
        .strip()
        .splitlines()[-1]
    )
    facts = json.loads(
        run(
            "shell",
            "-c",
            "import json\n"
            "from congso.org.models import Citizen, RoleAssignment\n"
            "from congso.catalog.models import Procedure\n"
            f"c = Citizen.objects.get(user__username={users['citizen']!r})\n"
            f"r = RoleAssignment.objects.filter(user__username={users['reception']!r}).first()\n"
            f"p = Procedure.objects.get(code={PROCEDURE!r}).versions.order_by('-version').first()\n"
            "print(json.dumps({'personal_id': c.personal_id, 'name': c.full_name,\n"
            "  'agency': r.agency.code, 'unit': r.agency.unit.code,\n"
            "  'components': [c.code for c in p.components.filter(mandatory=True)]}))",
        )
        .strip()
        .splitlines()[-1]
    )
    return {"tokens": tokens, "run": run, **facts}


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def submit_request(ctx: dict[str, Any]) -> Callable[[int], tuple[str, str, dict[str, str], bytes]]:
    form = {
        "applicant_full_name": ctx["name"],
        "applicant_personal_id": ctx["personal_id"],
        "applicant_address": {"unit_code": ctx["unit"], "detail": "Số 1 đường Thử Nghiệm"},
        "applicant_phone": "0912345678",
        "note": "Xác nhận để đăng ký kết hôn",
    }
    first, second = (ctx["components"] * 2)[:2]

    def make(i: int) -> tuple[str, str, dict[str, str], bytes]:
        content_type, body = _multipart(
            {"procedure": PROCEDURE, "agency": ctx["agency"], "form_data": json.dumps(form)},
            [
                (f"files.{first}", f"to-khai-{i}.pdf", PDF),
                (f"files.{second}", f"cccd-{i}.pdf", PDF),
            ],
        )
        headers = {
            "Authorization": f"Bearer {ctx['tokens']['citizen']}",
            "Content-Type": content_type,
        }
        return "POST", "/api/v1/dossiers", headers, body

    return make


def floor_insert(i: int) -> tuple[str, str, dict[str, str], bytes]:
    body = json.dumps({"n": i, "note": "floor"}).encode()
    return "POST", "/bench-floor/insert", {"Content-Type": "application/json"}, body


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def _codes(result: Any) -> list[str]:
    return [json.loads(body)["code"] for body in result.bodies]


def submit(ctx: dict[str, Any], *, host: str, port: int, seconds: float, loadgen: Any) -> dict:
    make = submit_request(ctx)
    levels = {}
    for clients in (1, 8, 32):
        ours = asyncio.run(
            loadgen.closed_loop(
                host, port, make, clients=clients, seconds=seconds, keep_bodies=True
            )
        )
        floor = asyncio.run(
            loadgen.closed_loop(host, port, floor_insert, clients=clients, seconds=seconds)
        )
        ctx.setdefault("codes", []).extend(_codes(ours))
        a, b = ours.summary(), floor.summary()
        levels[str(clients)] = {
            "congso": a,
            "floor": b,
            "throughput_ratio": _ratio(a["throughput_rps"], b["throughput_rps"]),
        }
        if clients == 8:
            ctx["sustainable_rps"] = a["throughput_rps"]
    top = levels["32"]
    return {
        "clients": levels,
        "targets": {"throughput_ratio_min": 0.5, "p99_ms_max_at_32": 100},
        "meets": {
            "throughput_ratio": (top["throughput_ratio"] or 0) >= 0.5,
            "p99_at_32": (top["congso"]["p99_ms"] or 1e9) <= 100,
        },
    }


def _quiet(host: str, port: int, limit: float = 120) -> None:
    """Wait until the background worker has no due job left (the outbox of the submissions)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=5) as answer:
            if json.loads(answer.read())["worker"]["pending_jobs"] == 0:
                return
        time.sleep(1)


def _merge(first: Any, second: Any) -> Any:
    first.ok_latencies += second.ok_latencies
    first.latencies += second.latencies
    first.statuses.update(second.statuses)
    first.errors.update(second.errors)
    first.elapsed += second.elapsed
    return first


def lookup(ctx: dict[str, Any], *, host: str, port: int, seconds: float, loadgen: Any) -> dict:
    codes = ctx.get("codes") or []
    if not codes:
        first = asyncio.run(
            loadgen.closed_loop(host, port, submit_request(ctx), clients=4, seconds=3,
                                keep_bodies=True)
        )  # fmt: skip
        codes = _codes(first)
    floor_ids = list(range(1, 200))
    asyncio.run(loadgen.closed_loop(host, port, floor_insert, clients=4, seconds=1))

    def ours(i: int) -> tuple[str, str, dict[str, str], bytes]:
        return "GET", f"/api/v1/lookup/{codes[i % len(codes)]}", {}, b""

    def floor(i: int) -> tuple[str, str, dict[str, str], bytes]:
        return "GET", f"/bench-floor/read/{floor_ids[i % len(floor_ids)]}", {}, b""

    a = asyncio.run(loadgen.closed_loop(host, port, ours, clients=8, seconds=seconds)).summary()
    b = asyncio.run(loadgen.closed_loop(host, port, floor, clients=8, seconds=seconds)).summary()
    ratio = _ratio(a["throughput_rps"], b["throughput_rps"])
    return {
        "congso": a,
        "floor": b,
        "throughput_ratio": ratio,
        "target": 0.8,
        "meets": (ratio or 0) >= 0.8,
    }


ROLE_TOKEN = {"reception": "reception", "specialist": "specialist", "leader": "leader"}
NEXT_ACTION = {"submitted": "receive", "received": "start_processing"}


def _post(conn: Any, path: str, token: str, payload: dict) -> Any:
    body = json.dumps(payload).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return conn.request(("POST", path, headers, body))


async def _drive(ctx: dict[str, Any], host: str, port: int, seconds: float, loadgen: Any,
                 clients: int) -> dict:  # fmt: skip
    make = submit_request(ctx)
    done = 0
    failures: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def client() -> None:
        nonlocal done
        conn = loadgen.Conn(host, port)
        tokens = ctx["tokens"]
        while time.perf_counter() < deadline:
            status, _, body = await conn.request(make(next(counter)))
            if status != 201:
                failures[f"submit {status}"] = failures.get(f"submit {status}", 0) + 1
                continue
            dossier = json.loads(body)
            for _ in range(20):
                state = dossier["status"]
                if state == "returned":
                    done += 1
                    break
                if state in NEXT_ACTION:
                    action, role = NEXT_ACTION[state], "reception"
                elif state == "processed":
                    action, role = "return_result", "reception"
                else:
                    open_steps = [s for s in dossier["steps"] if s["ended_at"] is None]
                    step = open_steps[0]
                    role = ROLE_TOKEN.get(step["role"], "specialist")
                    later = [s for s in dossier["steps"] if s["stage"] > step["stage"]]
                    action = "forward" if later or step["role"] != "leader" else "complete"
                payload: dict[str, Any] = {"expected_version": dossier["version"]}
                # Read by complete only (a refused forward falls back to complete below).
                payload["result_summary"] = "Đã giải quyết."
                if action == "return_result":
                    payload["return_method"] = "online"
                # Completing needs what was decided (the tracking book prints it).
                payload["result_summary"] = "Đã giải quyết, cấp kết quả theo yêu cầu."
                status, _, body = await _post(
                    conn, f"/api/v1/dossiers/{dossier['code']}/actions/{action}",
                    tokens[role], payload,
                )  # fmt: skip
                if status != 200:
                    if action == "forward":
                        # The last step, or one that only completes: a leader completes.
                        role = "leader"
                        status, _, body = await _post(
                            conn, f"/api/v1/dossiers/{dossier['code']}/actions/complete",
                            tokens[role], payload,
                        )  # fmt: skip
                    if status != 200:
                        key = f"{action} {status} {json.loads(body).get('code')}"
                        failures[key] = failures.get(key, 0) + 1
                        break
                dossier = json.loads(body)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "dossiers_through_lifecycle": done,
        "dossiers_per_second": round(done / elapsed, 2),
        "hours_for_1m_dossiers": round(1_000_000 / (done / elapsed) / 3600, 1) if done else None,
        "failures": failures,
    }


def lifecycle(ctx: dict[str, Any], *, host: str, port: int, seconds: float, loadgen: Any) -> dict:
    return asyncio.run(_drive(ctx, host, port, max(seconds, 10), loadgen, clients=32))


def overload(ctx: dict[str, Any], *, host: str, port: int, seconds: float, loadgen: Any) -> dict:
    sustainable = ctx.get("sustainable_rps")
    make = submit_request(ctx)
    if not sustainable:
        probe = asyncio.run(loadgen.closed_loop(host, port, make, clients=8, seconds=seconds))
        sustainable = probe.summary()["throughput_rps"]
    rate = 4 * float(sustainable)
    surge = asyncio.run(
        loadgen.open_loop(host, port, make, rate=rate, seconds=60, keep_bodies=True)
    )
    accepted = _codes(surge)
    # Recovery: a gentle load right after the surge, second by second.
    recovery = []
    for second in range(15):
        r = asyncio.run(loadgen.open_loop(host, port, make, rate=max(sustainable / 4, 5),
                                          seconds=1))  # fmt: skip
        s = r.summary()
        recovery.append({"second": second + 1, "statuses": s["statuses"], "p99_ms": s["p99_ms"]})
    normal_after = next(
        (
            row["second"]
            for row in recovery
            if set(row["statuses"]) <= {"201"} and (row["p99_ms"] or 1e9) < 1000
        ),
        None,
    )
    other_5xx = {k: v for k, v in surge.statuses.items() if k >= 500 and k != 503}
    ctx["overload_codes"] = accepted
    summary = surge.summary()
    return {
        "sustainable_rps": sustainable,
        "offered_rps": round(rate, 1),
        "surge": summary,
        "refused_without_retry_after": surge.refused_without_retry_after,
        "other_5xx": {str(k): v for k, v in other_5xx.items()},
        "accepted": len(accepted),
        "normal_again_after_s": normal_after,
        "recovery": recovery,
    }


def mixed(ctx: dict[str, Any], *, host: str, port: int, seconds: float, loadgen: Any) -> dict:
    from bench import mixed as mixed_scenario  # the province's traffic (issue 22)

    return mixed_scenario.mixed(ctx, host=host, port=port, seconds=seconds, loadgen=loadgen)


def signin_surge(
    ctx: dict[str, Any], *, host: str, port: int, seconds: float, loadgen: Any
) -> dict:
    from bench import signin_surge as surge  # a 4× sign-in surge (issue 22)

    return surge.signin_surge(ctx, host=host, port=port, seconds=seconds, loadgen=loadgen)


SCENARIOS: dict[str, Callable[..., dict]] = {
    "submit": submit,
    "lookup": lookup,
    "lifecycle": lifecycle,
    "overload": overload,
    "mixed": mixed,
    "signin_surge": signin_surge,
}
