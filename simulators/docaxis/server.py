"""The national document axis, on loopback, with fault injection.

Each connected system authenticates every call with ``X-System-Id`` and ``X-Secret``
(HTTP 401 otherwise) and serves a set of organ ids (its agencies). A package sent to an organ
id lands in the inbox of the system serving it, where it stays listed until that system
confirms it.

* ``POST /api/edoc/send`` (body: the package; ``X-Message-Type`` edoc|status, ``X-To``) →
  ``{"status": "OK", "data": {"docId"}}``; an unknown ``X-To`` →
  ``{"status": "FAIL", "ErrorDesc"}`` (HTTP 400);
* ``GET /api/edoc/received`` → the caller's unconfirmed packages ``[{docId, to, messagetype,
  from_system, created}]``;
* ``GET /api/edoc/<docId>`` → the package bytes (only to the addressed system);
* ``POST /api/edoc/<docId>/status {"status": "done"}`` → confirmed;
* ``GET /api/agencies`` → the directory ``[{code, name, parent, active}]``.

Control (not the axis's): ``POST /_sim/faults {"faults": [...]}`` queues faults for the next
sends — ``timeout`` (store, then answer after ``timeout_seconds``), ``5xx`` (answer 502, store
nothing), ``duplicate`` (store and deliver the package twice, under two ids); ``POST
/_sim/config {"timeout_seconds"}``; ``POST /_sim/inject {"to", "messagetype", "data"
(base64)}``; ``POST /_sim/reset``; ``GET /_sim/state``; ``GET /_sim/package/<docId>``.

``python -m simulators.docaxis serve --config FILE`` runs it (``process.py`` writes the file).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class State:
    systems: dict[str, dict[str, Any]]
    timeout_seconds: float = 3.0
    faults: deque[str] = field(default_factory=deque)
    #: docId → {to, system, from_system, messagetype, data, created, confirmed, key}
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def system_of(self, organ_id: str) -> str | None:
        for system_id, system in self.systems.items():
            if organ_id in system["organs"]:
                return system_id
        return None

    def store(self, *, to: str, from_system: str, message_type: str, data: bytes, key: str) -> str:
        doc_id = f"AX-{secrets.token_hex(8)}"
        self.packages[doc_id] = {
            "to": to,
            "system": self.system_of(to),
            "from_system": from_system,
            "messagetype": message_type,
            "data": data,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "confirmed": False,
            "key": key,
        }
        return doc_id

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "faults": list(self.faults),
                "packages": [
                    {k: v for k, v in item.items() if k != "data"} | {"docId": doc_id}
                    for doc_id, item in self.packages.items()
                ],
            }


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def state(self) -> State:
        return self.server.state

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, payload: Any, status: int = 200) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _fail(self, status: int, message: str) -> None:
        self._json({"status": "FAIL", "ErrorDesc": message, "data": None}, status)

    def _caller(self) -> str | None:
        system_id = self.headers.get("X-System-Id", "")
        system = self.state.systems.get(system_id)
        if system is None or not secrets.compare_digest(
            self.headers.get("X-Secret", ""), system["secret"]
        ):
            self._fail(401, "Sai mã hệ thống hoặc mật khẩu kết nối.")
            return None
        return system_id

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_sim/state":
            self._json(self.state.snapshot())
            return
        if path.startswith("/_sim/package/"):
            with self.state.lock:
                item = self.state.packages.get(path.rsplit("/", 1)[1])
            if item is None:
                self._fail(404, "no such package")
            else:
                self._json({"data": base64.b64encode(item["data"]).decode()})
            return
        caller = self._caller()
        if caller is None:
            return
        if path == "/api/edoc/received":
            with self.state.lock:
                listed = [
                    {
                        "docId": doc_id,
                        "to": item["to"],
                        "messagetype": item["messagetype"],
                        "from_system": item["from_system"],
                        "created": item["created"],
                    }
                    for doc_id, item in self.state.packages.items()
                    if item["system"] == caller and not item["confirmed"]
                ]
            self._json({"status": "OK", "data": listed})
        elif path == "/api/agencies":
            directory = [
                {
                    "code": organ,
                    "name": system.get("names", {}).get(organ, organ),
                    "parent": _parent(organ),
                    "active": True,
                }
                for system in self.state.systems.values()
                for organ in system["organs"]
            ]
            self._json({"status": "OK", "data": directory})
        elif path.startswith("/api/edoc/"):
            doc_id = urllib.parse.unquote(path.rsplit("/", 1)[1])
            with self.state.lock:
                item = self.state.packages.get(doc_id)
            if item is None or item["system"] != caller:
                self._fail(404, "Không có văn bản này.")
            else:
                self._send(200, item["data"], "application/xml")
        else:
            self._fail(404, "Không có chức năng này.")

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        control = {
            "/_sim/faults": self._faults,
            "/_sim/config": self._config,
            "/_sim/inject": self._inject,
            "/_sim/reset": self._reset,
        }
        if path in control:
            control[path](body)
            return
        caller = self._caller()
        if caller is None:
            return
        if path == "/api/edoc/send":
            self._receive(caller, body)
        elif path.startswith("/api/edoc/") and path.endswith("/status"):
            doc_id = urllib.parse.unquote(path.split("/")[3])
            with self.state.lock:
                item = self.state.packages.get(doc_id)
                if item is not None and item["system"] == caller:
                    item["confirmed"] = True
            if item is None or item["system"] != caller:
                self._fail(404, "Không có văn bản này.")
            else:
                self._json({"status": "OK", "data": {"docId": doc_id}})
        else:
            self._fail(404, "Không có chức năng này.")

    def _receive(self, caller: str, body: bytes) -> None:
        state = self.state
        with state.lock:
            fault = state.faults.popleft() if state.faults else ""
        if fault == "5xx":
            self._fail(502, "Bad gateway (simulated)")
            return
        to = self.headers.get("X-To", "")
        message_type = self.headers.get("X-Message-Type", "")
        key = urllib.parse.unquote(self.headers.get("X-Message-Key", ""))
        if message_type not in ("edoc", "status") or not body:
            self._fail(400, "Thiếu loại gói tin hoặc nội dung.")
            return
        with state.lock:
            if state.system_of(to) is None:
                known = False
            else:
                known = True
                doc_id = state.store(
                    to=to, from_system=caller, message_type=message_type, data=body, key=key
                )
                if fault == "duplicate":
                    state.store(
                        to=to, from_system=caller, message_type=message_type, data=body, key=key
                    )
        if not known:
            self._fail(400, f"Mã định danh {to} không có trên trục.")
            return
        if fault == "timeout":
            time.sleep(state.timeout_seconds)
        self._json({"status": "OK", "data": {"docId": doc_id}})

    # --- Control ----------------------------------------------------------------------------

    def _faults(self, body: bytes) -> None:
        faults = json.loads(body or b"{}").get("faults", [])
        with self.state.lock:
            self.state.faults.extend(str(item) for item in faults)
        self._json({"queued": len(self.state.faults)})

    def _config(self, body: bytes) -> None:
        changes = json.loads(body or b"{}")
        with self.state.lock:
            if "timeout_seconds" in changes:
                self.state.timeout_seconds = float(changes["timeout_seconds"])
        self._json({"ok": True})

    def _inject(self, body: bytes) -> None:
        request = json.loads(body or b"{}")
        with self.state.lock:
            doc_id = self.state.store(
                to=str(request["to"]),
                from_system="_sim",
                message_type=str(request.get("messagetype", "edoc")),
                data=base64.b64decode(request["data"]),
                key="",
            )
        self._json({"docId": doc_id})

    def _reset(self, body: bytes) -> None:
        with self.state.lock:
            self.state.packages.clear()
            self.state.faults.clear()
        self._json({"ok": True})


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: State) -> None:
        super().__init__(address, Handler)
        self.state = state


def serve(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    systems = {str(s["system_id"]): dict(s) for s in config["systems"]}
    state = State(systems=systems)
    server = Server(("127.0.0.1", int(config.get("port", 0))), state)
    Path(config["port_file"]).write_text(str(server.server_address[1]), encoding="utf-8")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def _parent(organ: str) -> str:
    """The People's Committee of the province above a department or a commune
    (``000.00.01.H51`` → ``000.00.00.H51``); none for the committee itself."""
    parts = organ.split(".")
    if len(parts) != 4 or parts[1:3] == ["00", "00"]:
        return ""
    return ".".join([parts[0], "00", "00", parts[3]])
