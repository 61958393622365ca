"""A webhook receiver on loopback, as docs/integration.md describes one: it checks the
signature and the timestamp, drops ids it has already seen, answers 2xx; ``down`` makes it
answer 503 (an outage)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from congso.integration.webhooks import verify


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.down = False
        self.accepted: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        self.duplicates = 0
        self.forged = 0
        self.refused_while_down = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.handle(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/congso"

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            if self.down:
                self.refused_while_down += 1
                return 503
            if not verify(self.secret, headers, body):
                self.forged += 1
                return 401
            event = json.loads(body)
            if event["id"] in self.seen:
                self.duplicates += 1
                return 200
            self.seen.add(event["id"])
            self.accepted.append(event)
            return 204

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
