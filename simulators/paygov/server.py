"""A simulator of the national payment platform (Nền tảng thanh toán của Cổng Dịch vụ công quốc
gia, "PayGov"), on loopback. Its specification is not public: this plays the protocol
*assumed* in docs/payments.md ("National payment platform"), to be replaced by the real one
when the integration document is obtained.

* ``POST /api/v1/payment-orders`` — the partner (congso) creates an order. JSON body
  ``{partner_code, order_id, amount, currency, description, dossier_code, return_url,
  notify_url, expires_at}``; headers ``X-Partner-Code``, ``X-Timestamp`` (Unix seconds) and
  ``X-Signature`` = hex HMAC-SHA256(secret, timestamp + "." + raw body). Answer 201 ``{order_id,
  payment_id, payment_url, status: "PENDING"}`` signed the same way (``X-Timestamp``,
  ``X-Signature``); 401 ``{"code": "97"}`` for a bad signature; 409 ``{"code": "02"}`` for an
  order id already used with another amount.
* ``GET /pay/<payment_id>`` — the pay page (*Thanh toán*, *Hủy*), ``POST /pay/<payment_id>``.
* On payment: the notification ``POST <notify_url>`` JSON ``{partner_code, order_id,
  payment_id, transaction_id, amount, currency, status: PAID|FAILED|CANCELLED, paid_at}``
  signed like the orders (``X-Timestamp``, ``X-Signature``), answered ``{"code", "message"}``
  (recorded); then the browser back to ``return_url?order_id=&status=&ts=&signature=`` with
  signature = HMAC-SHA256(secret, "order_id|status|ts").
* ``POST /_sim/pay {"payment_url", "action"}`` presses a button without a browser.
* Faults (``POST /_sim/faults``, for the next payment): ``duplicate``, ``forged``,
  ``wrong_amount``, ``stale`` (timestamp two hours old), ``no_notify``.
* ``/_sim/reset``, ``GET /_sim/state``. Standard library only.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def signature(secret: str, timestamp: str, body: bytes) -> str:
    # Written here again on purpose: the simulator checks congso against the assumed rule.
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass
class State:
    partner_code: str
    secret: str
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # by payment id
    notifications: list[dict[str, Any]] = field(default_factory=list)
    faults: deque[str] = field(default_factory=deque)
    next_no: int = 880000
    pending: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_faults(self) -> set[str]:
        with self.lock:
            taken = set(self.faults)
            self.faults.clear()
            return taken


def _post(state: State, url: str, payload: dict[str, Any], *, secret: str, ts: int) -> None:
    body = json.dumps(payload).encode()
    stamp = str(ts)
    request = urllib.request.Request(  # noqa: S310 - congso's notification URL
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Partner-Code": state.partner_code,
            "X-Timestamp": stamp,
            "X-Signature": signature(secret, stamp, body),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = response.read().decode()
    except Exception as exc:
        answer = f"error: {exc}"
    with state.lock:
        state.notifications.append({"order_id": payload["order_id"], "answer": answer})


def _notify(state: State, order: dict[str, Any], action: str) -> dict[str, Any]:
    faults = state.take_faults()
    paid = action == "pay"
    with state.lock:
        state.next_no += 1
        number = f"NTT{state.next_no}"
        order["status"] = "PAID" if paid else "CANCELLED"
        order["transaction_id"] = number if paid else ""
    now = datetime.datetime.now(datetime.UTC)
    ts = int(time.time()) - (7200 if "stale" in faults else 0)
    payload = {
        "partner_code": state.partner_code,
        "order_id": order["order_id"],
        "payment_id": order["payment_id"],
        "transaction_id": order["transaction_id"],
        "amount": order["amount"] + (1000 if "wrong_amount" in faults else 0),
        "currency": "VND",
        "status": order["status"],
        "paid_at": now.isoformat(),
    }
    secret = "forged-secret" if "forged" in faults else state.secret
    if "no_notify" not in faults:
        times = 2 if "duplicate" in faults else 1
        with state.lock:
            state.pending += 1

        def run() -> None:
            try:
                for _ in range(times):
                    _post(state, order["notify_url"], payload, secret=secret, ts=ts)
            finally:
                with state.lock:
                    state.pending -= 1

        threading.Thread(target=run, daemon=True).start()
    back_ts = str(int(time.time()))
    text = f"{order['order_id']}|{order['status']}|{back_ts}"
    query = urllib.parse.urlencode(
        {
            "order_id": order["order_id"],
            "status": order["status"],
            "ts": back_ts,
            "signature": hmac.new(state.secret.encode(), text.encode(), hashlib.sha256).hexdigest(),
        }
    )
    return {"return_url": f"{order['return_url']}?{query}", "transaction_id": number}


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nền tảng thanh toán (mô phỏng)</title></head><body>
<h1>Nền tảng thanh toán — Cổng Dịch vụ công quốc gia (mô phỏng)</h1>
<p>Hồ sơ: <b>{dossier}</b></p><p>Số tiền: <b data-amount>{amount}</b> đồng</p>
<p>{description}</p>
<form method="post"><button name="action" value="pay" data-pay>Thanh toán</button>
<button name="action" value="cancel">Hủy</button></form></body></html>"""


class Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: int = 200, *, signed: bool = False) -> None:
        body = json.dumps(value).encode()
        headers = {}
        if signed:
            stamp = str(int(time.time()))
            headers = {
                "X-Timestamp": stamp,
                "X-Signature": signature(self.state.secret, stamp, body),
            }
        self._send(status, body, "application/json", headers)

    def _order(self, path: str) -> dict[str, Any] | None:
        return self.state.orders.get(path.rsplit("/", 1)[-1])

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path.startswith("/pay/") and (order := self._order(parts.path)):
            page = PAGE.format(
                dossier=html.escape(order["dossier_code"]),
                amount=f"{order['amount']:,}".replace(",", "."),
                description=html.escape(order["description"]),
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")
        elif parts.path == "/_sim/state":
            with self.state.lock:
                self._json(
                    {
                        "orders": list(self.state.orders.values()),
                        "notifications": list(self.state.notifications),
                        "pending": self.state.pending,
                    }
                )
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if parts.path.startswith("/pay/"):
            order = self._order(parts.path)
            if order is None or order["status"] != "PENDING":
                self._send(409, "Giao dịch đã xử lý.".encode(), "text/plain; charset=utf-8")
                return
            action = dict(urllib.parse.parse_qsl(raw.decode())).get("action", "cancel")
            result = _notify(self.state, order, action)
            self._send(302, b"", "text/plain", {"Location": result["return_url"]})
            return
        if parts.path == "/api/v1/payment-orders":
            self._create(raw)
            return
        body = json.loads(raw or b"{}")
        if parts.path == "/_sim/pay":
            order = self._order(urllib.parse.urlsplit(body["payment_url"]).path)
            if order is None or order["status"] != "PENDING":
                self._json({"error": "not pending"}, 409)
                return
            self._json(_notify(self.state, order, body.get("action", "pay")))
        elif parts.path == "/_sim/faults":
            with self.state.lock:
                self.state.faults.extend(body.get("faults", []))
            self._json({"faults": list(self.state.faults)})
        elif parts.path == "/_sim/reset":
            with self.state.lock:
                self.state.orders.clear()
                self.state.notifications.clear()
                self.state.faults.clear()
            self._json({"ok": True})
        else:
            self._json({"error": "not found"}, 404)

    def _create(self, raw: bytes) -> None:
        stamp = self.headers.get("X-Timestamp", "")
        given = self.headers.get("X-Signature", "")
        expected = signature(self.state.secret, stamp, raw)
        if (
            self.headers.get("X-Partner-Code") != self.state.partner_code
            or not hmac.compare_digest(given.lower(), expected)
            or not stamp.isdigit()
            or abs(time.time() - int(stamp)) > 300
        ):
            self._json({"code": "97", "message": "Sai chữ ký"}, 401)
            return
        request = json.loads(raw)
        with self.state.lock:
            for order in self.state.orders.values():
                if order["order_id"] == request["order_id"]:
                    if order["amount"] != request["amount"]:
                        self._json({"code": "02", "message": "Trùng mã đơn hàng"}, 409)
                        return
                    break
            else:
                payment_id = secrets.token_hex(8)
                order = {
                    "order_id": request["order_id"],
                    "payment_id": payment_id,
                    "amount": int(request["amount"]),
                    "description": request.get("description", ""),
                    "dossier_code": request.get("dossier_code", ""),
                    "return_url": request["return_url"],
                    "notify_url": request["notify_url"],
                    "status": "PENDING",
                    "transaction_id": "",
                }
                self.state.orders[payment_id] = order
        host = self.headers.get("Host", "127.0.0.1")
        self._json(
            {
                "order_id": order["order_id"],
                "payment_id": order["payment_id"],
                "payment_url": f"http://{host}/pay/{order['payment_id']}",
                "status": order["status"],
            },
            201,
            signed=True,
        )


def serve(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    state = State(partner_code=config["partner_code"], secret=config["secret"])
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", int(config.get("port", 0))), handler)
    server.daemon_threads = True
    Path(config["port_file"]).write_text(str(server.server_address[1]), encoding="utf-8")
    try:
        server.serve_forever()
    finally:
        server.server_close()
