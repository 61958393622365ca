"""A small HTTP/1.1 load generator on asyncio (keep-alive, no dependencies).

Two modes:

* closed loop — ``clients`` connections, each sending its next request when the previous answer
  arrives (throughput and latency at a given concurrency);
* open loop — requests started at a fixed ``rate`` whatever the server does (a surge), each on
  a free pooled connection or a new one.

Requests come from a factory ``make(i) -> (method, path, headers, body)`` so every request can
carry its own data. Results: counts per status, latency percentiles, Retry-After on refusals.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

Request = tuple[str, str, dict[str, str], bytes]
Factory = Callable[[int], Request]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, every answered request
    ok_latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    refused_without_retry_after: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    bodies: list[bytes] = field(default_factory=list)  # bodies of 2xx answers, when kept
    samples: dict[int, str] = field(default_factory=dict)  # first body of each other status
    elapsed: float = 0.0

    def summary(self) -> dict[str, object]:
        ok = sum(n for s, n in self.statuses.items() if 200 <= s < 300)
        return {
            "requests": sum(self.statuses.values()),
            "ok": ok,
            "throughput_rps": round(ok / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": pct(self.ok_latencies, 50),
            "p95_ms": pct(self.ok_latencies, 95),
            "p99_ms": pct(self.ok_latencies, 99),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            **({"samples": self.samples} if self.samples else {}),
        }


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return round(ordered[index] * 1000, 2)


class Conn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        """Send ``req``; a reused keep-alive connection the server closed while idle is
        replaced once (as every HTTP client does), never counted as a server refusal."""
        reused = self.writer is not None
        try:
            return await self._request(req)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            if not reused:
                raise
            self.close()
            return await self._request(req)

    async def _request(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        method, path, headers, body = req
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        parts = status_line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            raise ValueError(f"bad status line {status_line[:80]!r}")
        status = int(parts[1])
        got: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            key, _, value = line.decode("latin-1").partition(":")
            name = key.strip().lower()
            # Several Set-Cookie headers (a sign-in sets the session and a new CSRF cookie).
            joined = name == "set-cookie" and name in got
            got[name] = f"{got[name]}\n{value.strip()}" if joined else value.strip()
        if got.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    await self.reader.readline()
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            data = b"".join(chunks)
        else:
            data = await self.reader.readexactly(int(got.get("content-length", "0")))
        if got.get("connection", "").lower() == "close":
            self.close()
        return status, got, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _one(conn: Conn, req: Request, result: Result, keep_bodies: bool) -> None:
    started = time.perf_counter()
    try:
        status, headers, body = await conn.request(req)
    except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
        conn.close()
        result.errors[type(exc).__name__] += 1
        result.samples.setdefault(0, str(exc)[:200])
        return
    took = time.perf_counter() - started
    result.statuses[status] += 1
    result.latencies.append(took)
    if 200 <= status < 300:
        result.ok_latencies.append(took)
        if keep_bodies:
            result.bodies.append(body)
    else:
        result.samples.setdefault(status, body[:300].decode("utf-8", "replace"))
        if status in (429, 503) and "retry-after" not in headers:
            result.refused_without_retry_after += 1


async def closed_loop(
    host: str, port: int, make: Factory, *, clients: int, seconds: float, keep_bodies: bool = False
) -> Result:
    result = Result()
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        conn = Conn(host, port)
        while time.perf_counter() < deadline:
            await _one(conn, make(next(counter)), result, keep_bodies)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.elapsed = time.perf_counter() - started
    return result


async def open_loop(
    host: str, port: int, make: Factory, *, rate: float, seconds: float, max_conns: int = 1024,
    keep_bodies: bool = False,
) -> Result:  # fmt: skip
    result = Result()
    idle: list[Conn] = []
    in_flight: set[asyncio.Task[None]] = set()
    open_conns = 0

    async def fire(i: int) -> None:
        nonlocal open_conns
        conn = idle.pop() if idle else None
        if conn is None:
            open_conns += 1
            conn = Conn(host, port)
        await _one(conn, make(i), result, keep_bodies)
        idle.append(conn)

    started = time.perf_counter()
    i = 0
    while (now := time.perf_counter()) - started < seconds:
        due = int((now - started) * rate)
        while i < due:
            if open_conns - len(idle) >= max_conns:
                result.errors["client_pool_full"] += 1
            else:
                task = asyncio.ensure_future(fire(i))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            i += 1
        await asyncio.sleep(0.002)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(asyncio.gather(*in_flight), timeout=60)
    result.elapsed = time.perf_counter() - started
    for conn in idle:
        conn.close()
    return result
