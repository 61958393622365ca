"""The mixed scenario (bench/mixed.py) on one node and on two behind nginx, in the same run.

One cluster (deploy/cluster.py: nginx, two gunicorn nodes, PgBouncer in transaction mode,
PostgreSQL, a Celery worker and beat) is started and loaded once; then, at each client count,
the mixed traffic is sent straight to node 1 (one node; node 2 idles) and then to nginx (both
nodes). Around each run the CPU time each process of the cluster used is read from /proc
(utime + stime of the process and its children, in seconds), so the report says where the two
cores went. PostgreSQL's own processes belong to the machine's shared server and are not
counted per run (other work may run on it). Prints one JSON object.

    .venv/bin/python -m bench.nodes_bench            # BENCH_SECONDS=10, clients 8 and 32
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen, mixed, scenarios  # noqa: E402
from deploy.cluster import Cluster  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = [int(c) for c in os.environ.get("BENCH_CLIENTS", "8,32").split(",")]
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (after the "comm)" field)
    return total / TICKS


def _snapshot(cluster: Cluster) -> dict[str, float]:
    return {name: _cpu_seconds(pids) for name, pids in cluster.pids().items()}


def measure(cluster: Cluster, ctx: dict[str, Any], port: int, clients: int) -> dict[str, Any]:
    before, started = _snapshot(cluster), time.perf_counter()
    report = asyncio.run(mixed._run(ctx, "127.0.0.1", port, SECONDS, clients, loadgen))
    elapsed = time.perf_counter() - started
    after = _snapshot(cluster)
    cpu = {name: round(after.get(name, 0) - before.get(name, 0), 2) for name in after}
    requests = sum(kind["ok"] for kind in report["kinds"].values())
    report["cpu_seconds"] = cpu
    report["cpu_share_of_two_cores"] = round(sum(cpu.values()) / (2 * elapsed), 2)
    report["web_cpu_ms_per_request"] = round(
        1000 * sum(v for k, v in cpu.items() if k.startswith("web")) / max(requests, 1), 1
    )
    return report


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="congso-nodes-bench-"))
    cluster = Cluster(
        root,
        env={"CONGSO_LOOKUP_LIMIT": "0", "CONGSO_LOG_LEVEL": "WARNING"},
        web_workers=int(os.environ.get("BENCH_WEB_WORKERS", "2")),
    )
    with cluster:
        ctx = scenarios.prepare(env=cluster.env, run=lambda *a: cluster.manage(*a))
        mixed.prepare(ctx, ctx["run"])
        seed = asyncio.run(
            loadgen.closed_loop("127.0.0.1", cluster.ports["web1"], scenarios.submit_request(ctx),
                                clients=2, seconds=2, keep_bodies=True)
        )  # fmt: skip
        ctx["codes"] = [json.loads(b)["code"] for b in seed.bodies]
        levels: dict[str, Any] = {}
        for clients in CLIENTS:
            one = measure(cluster, ctx, cluster.ports["web1"], clients)
            two = measure(cluster, ctx, cluster.nginx_port, clients)
            levels[str(clients)] = {
                "one_node": one,
                "two_nodes_nginx": two,
                "gain": round(two["total_rps"] / one["total_rps"], 2) if one["total_rps"] else None,
            }
        print(
            json.dumps(
                {
                    "scenario": "nodes",
                    "seconds": SECONDS,
                    "web_workers_per_node": cluster.env["CONGSO_WEB_WORKERS"],
                    "web_threads_per_worker": cluster.env["CONGSO_WEB_THREADS"],
                    "cores": os.cpu_count(),
                    "levels": levels,
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
