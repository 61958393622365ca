"""The Zalo APIs congso uses, on loopback, with fault injection.

* ``POST /message/template`` — ZNS: header ``access_token`` checked (``-124`` when invalid or
  expired), JSON ``{phone, template_id, template_data, tracking_id}`` checked against the
  approved templates (``-108`` bad phone, ``-109`` unknown template, ``-112`` parameters that do
  not match, ``-118`` a number with no Zalo account); on success a ``msg_id`` and, shortly
  after, a ``user_received_message`` callback to the webhook, signed
  ``X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret key)``.
* ``POST /v4/oa/access_token`` — the refresh: header ``secret_key`` (the app's), form
  ``app_id, grant_type=refresh_token, refresh_token``; the refresh token is single use; a new
  access and refresh token are issued and the old access token stops working.
* ``/_sim/…`` — control (not Zalo's): ``POST /_sim/faults {"faults": [...]}`` queues faults
  for the next sends — ``timeout`` (accept, then answer after ``timeout_seconds``), ``5xx``
  (answer 502, send nothing), ``duplicate_callback``, ``forged_callback`` (signed with a wrong
  key), ``no_callback``, ``expire_token`` (the current access token stops working first);
  ``POST /_sim/config``, ``POST /_sim/revoke`` (refresh token and access token revoked),
  ``POST /_sim/reset`` (forget messages and faults, tokens valid again), ``GET /_sim/state``
  (messages, callbacks and their answers, tokens).

``python -m simulators.zalo serve --config FILE`` runs it (``process.py`` writes the file).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def _ms() -> str:
    return str(int(time.time() * 1000))


@dataclass
class State:
    app_id: str
    app_secret: str
    oa_secret: str
    oa_id: str
    access_token: str
    refresh_token: str
    webhook: str = ""
    templates: dict[str, frozenset[str]] = field(default_factory=dict)
    no_zalo: set[str] = field(default_factory=set)
    timeout_seconds: float = 3.0
    callback_delay: float = 0.2
    access_valid: bool = True
    refresh_valid: bool = True
    faults: deque[str] = field(default_factory=deque)
    messages: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    refreshes: int = 0
    #: Callbacks scheduled and not yet answered (a test waits for none before it ends).
    pending: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "messages": list(self.messages),
                "callbacks": list(self.callbacks),
                "faults": list(self.faults),
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "access_valid": self.access_valid,
                "refresh_valid": self.refresh_valid,
                "refreshes": self.refreshes,
                "webhook": self.webhook,
                "pending": self.pending,
            }


def signature(app_id: str, body: str, timestamp: str, secret: str) -> str:
    return "mac=" + hashlib.sha256(f"{app_id}{body}{timestamp}{secret}".encode()).hexdigest()


def _post_callback(state: State, message: dict[str, Any], webhook: str, *, forged: bool) -> None:
    timestamp = _ms()
    event = {
        "app_id": state.app_id,
        "event_name": "user_received_message",
        "sender": {"id": state.oa_id},
        "recipient": {"id": hashlib.sha256(message["phone"].encode()).hexdigest()[:19]},
        "message": {
            "msg_id": message["msg_id"],
            "tracking_id": message["tracking_id"],
            "delivery_time": timestamp,
        },
        "timestamp": timestamp,
    }
    body = json.dumps(event, separators=(",", ":"))
    secret = "not-the-oa-secret" if forged else state.oa_secret
    request = urllib.request.Request(  # noqa: S310 - the configured loopback webhook
        webhook,
        data=body.encode(),
        headers={
            "Content-Type": "application/json",
            "X-ZEvent-Signature": signature(state.app_id, body, timestamp, secret),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, answer = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, exc.read().decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        status, answer = 0, str(exc)
    with state.lock:
        state.callbacks.append(
            {"msg_id": message["msg_id"], "forged": forged, "status": status, "answer": answer}
        )
        state.pending -= 1


def _schedule_callbacks(state: State, message: dict[str, Any], fault: str) -> None:
    if not state.webhook or fault == "no_callback":
        return
    plan = {"duplicate_callback": [False, False], "forged_callback": [True]}.get(fault, [False])
    with state.lock:
        state.pending += len(plan)
        webhook = state.webhook

    def run() -> None:
        for forged in plan:
            time.sleep(state.callback_delay)
            _post_callback(state, message, webhook, forged=forged)

    threading.Thread(target=run, daemon=True).start()


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

    def _json(self, payload: Any, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/_sim/state":
            self._json(self.state.snapshot())
        else:
            self._json({"error": -106, "message": "Method unsupported"}, 404)

    def do_POST(self) -> None:
        body = self._body()
        routes = {
            "/message/template": self._send_template,
            "/v4/oa/access_token": self._refresh,
            "/_sim/faults": self._faults,
            "/_sim/config": self._config,
            "/_sim/revoke": self._revoke,
            "/_sim/reset": self._reset,
        }
        route = routes.get(urllib.parse.urlsplit(self.path).path)
        if route is None:
            self._json({"error": -106, "message": "Method unsupported"}, 404)
            return
        route(body)

    # --- Zalo -------------------------------------------------------------------------------

    def _send_template(self, body: bytes) -> None:
        state = self.state
        with state.lock:
            fault = state.faults.popleft() if state.faults else ""
            if fault == "expire_token":
                state.access_valid = False
        if fault == "5xx":
            self._json({"error": -100, "message": "Bad gateway (simulated)"}, 502)
            return
        with state.lock:
            token_ok = state.access_valid and self.headers.get("access_token") == state.access_token
        if not token_ok:
            self._json({"error": -124, "message": "Access token invalid"})
            return
        try:
            request = json.loads(body.decode("utf-8"))
        except ValueError:
            request = None
        refusal = self._refusal(request)
        if refusal is not None:
            self._json(refusal)
            return
        assert isinstance(request, dict)
        phone = str(request["phone"])
        template_id = str(request["template_id"])
        data = request["template_data"]
        message = {
            "msg_id": secrets.token_hex(10),
            "phone": phone,
            "template_id": template_id,
            "template_data": data,
            "tracking_id": str(request.get("tracking_id", "")),
            "mode": str(request.get("mode", "")),
            "sent_time": _ms(),
        }
        with state.lock:
            state.messages.append(message)
            remaining = max(0, 500 - len(state.messages))
        _schedule_callbacks(state, message, fault)
        if fault == "timeout":
            time.sleep(state.timeout_seconds)
        self._json(
            {
                "error": 0,
                "message": "Success",
                "data": {
                    "msg_id": message["msg_id"],
                    "sent_time": message["sent_time"],
                    "quota": {"dailyQuota": "500", "remainingQuota": str(remaining)},
                },
            }
        )

    def _refusal(self, request: Any) -> dict[str, Any] | None:
        """Zalo's answer to a malformed or unsendable request; None when it is sendable."""
        if not isinstance(request, dict):
            return {"error": -122, "message": "Body format invalid"}
        phone = str(request.get("phone", ""))
        template_id = str(request.get("template_id", ""))
        data = request.get("template_data")
        if not (phone.startswith("84") and phone.isdigit() and len(phone) == 11):
            return {"error": -108, "message": "Phone number invalid"}
        if template_id not in self.state.templates:
            return {"error": -109, "message": "Template ID invalid"}
        if not isinstance(data, dict) or set(data) != self.state.templates[template_id]:
            return {"error": -112, "message": "Template data invalid"}
        if "0" + phone[2:] in self.state.no_zalo:
            return {"error": -118, "message": "Zalo account not existed"}
        return None

    def _refresh(self, body: bytes) -> None:
        state = self.state
        form = {key: values[-1] for key, values in urllib.parse.parse_qs(body.decode()).items()}
        with state.lock:
            if self.headers.get("secret_key") != state.app_secret:
                self._json({"error": -14002, "error_name": "Invalid app secret key"})
                return
            if form.get("app_id") != state.app_id or form.get("grant_type") != "refresh_token":
                self._json({"error": -14001, "error_name": "Invalid parameter"})
                return
            if not state.refresh_valid or form.get("refresh_token") != state.refresh_token:
                self._json(
                    {
                        "error": -14014,
                        "error_name": "Invalid refresh token",
                        "error_description": "Refresh token is invalid or has been used",
                    }
                )
                return
            state.access_token = f"sim-access-{secrets.token_hex(8)}"
            state.refresh_token = f"sim-refresh-{secrets.token_hex(8)}"
            state.access_valid = True
            state.refreshes += 1
            tokens = {
                "access_token": state.access_token,
                "refresh_token": state.refresh_token,
                "expires_in": "90000",
            }
        self._json(tokens)

    # --- Control ----------------------------------------------------------------------------

    def _faults(self, body: bytes) -> None:
        faults = json.loads(body or b"{}").get("faults", [])
        with self.state.lock:
            self.state.faults.extend(str(item) for item in faults)
        self._json({"queued": len(self.state.faults)})

    def _config(self, body: bytes) -> None:
        changes = json.loads(body or b"{}")
        with self.state.lock:
            if "webhook" in changes:
                self.state.webhook = str(changes["webhook"])
            if "timeout_seconds" in changes:
                self.state.timeout_seconds = float(changes["timeout_seconds"])
            if "callback_delay" in changes:
                self.state.callback_delay = float(changes["callback_delay"])
            if "no_zalo" in changes:
                self.state.no_zalo = {str(phone) for phone in changes["no_zalo"]}
        self._json({"ok": True})

    def _revoke(self, body: bytes) -> None:
        with self.state.lock:
            self.state.access_valid = False
            self.state.refresh_valid = False
        self._json({"ok": True})

    def _reset(self, body: bytes) -> None:
        """Forget the messages, callbacks and faults; the current tokens work again."""
        with self.state.lock:
            self.state.messages.clear()
            self.state.callbacks.clear()
            self.state.faults.clear()
            self.state.access_valid = self.state.refresh_valid = True
        self._json({"ok": True})


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: State) -> None:
        super().__init__(address, Handler)
        self.state = state


def load_templates(path: Path) -> dict[str, frozenset[str]]:
    """The approved templates: ``{"templates": [{"template_id", "params": {name: …}}, …]}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        str(item["template_id"]): frozenset(item["params"]) for item in data.get("templates", [])
    }


def serve(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    state = State(
        app_id=config["app_id"],
        app_secret=config["app_secret"],
        oa_secret=config["oa_secret"],
        oa_id=config.get("oa_id", "2900000000000000001"),
        access_token=config["access_token"],
        refresh_token=config["refresh_token"],
        webhook=config.get("webhook", ""),
        templates=load_templates(Path(config["templates"])),
        no_zalo=set(config.get("no_zalo", [])),
    )
    server = Server(("127.0.0.1", int(config.get("port", 0))), state)
    port_file = Path(config["port_file"])
    port_file.write_text(str(server.server_address[1]), encoding="utf-8")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
