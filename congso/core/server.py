"""Gunicorn worker with admission control: under overload, refuse quickly instead of queueing.

Gunicorn's threaded worker hands every readable connection to a thread pool whose queue has no
bound: during a surge requests wait there until clients time out, and the whole portal stalls.
This worker stamps each request with the time it waited for a thread (in a header only the
server can set); ``LoadSheddingMiddleware`` answers 503 with ``Retry-After`` at once when that
wait is longer than ``CONGSO_SHED_QUEUE_MS``, before any database work. Accepted requests are
served normally, so nothing accepted is lost and the queue drains within seconds of the surge.
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

QUEUE_WAIT_HEADER = "X-CONGSO-QUEUE-WAIT"


class SheddingThreadWorker(ThreadWorker):
    def enqueue_req(self, conn: Any) -> None:
        conn.congso_enqueued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        waited = time.monotonic() - getattr(conn, "congso_enqueued_at", time.monotonic())
        # Drop any copy a client sent, then add the server's own measurement.
        req.headers = [(k, v) for k, v in req.headers if k.upper() != QUEUE_WAIT_HEADER]
        req.headers.append((QUEUE_WAIT_HEADER, f"{waited:.4f}"))
        return super().handle_request(req, conn)
