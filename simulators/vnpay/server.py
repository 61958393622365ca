"""A VNPay gateway and a collecting bank, on loopback, with fault injection.

Gateway (VNPay API 2.1.0, as congso uses it):

* ``GET /paymentv2/vpcpay.html?vnp_…&vnp_SecureHash=…`` — the pay page: the request's
  HMAC-SHA512 and terminal code are checked (a bad one shows VNPay's "sai chữ ký" page, code
  97); the citizen presses *Thanh toán* or *Hủy giao dịch* (``POST /paymentv2/pay``).
* On payment: a transaction number, a line in the day's statement, the server-to-server IPN
  (``GET <ipn_url>?vnp_…`` signed like the request; the JSON answer ``{"RspCode", "Message"}``
  is recorded) and the browser sent back to ``vnp_ReturnUrl`` with the same signed parameters.
* ``POST /_sim/pay {"url", "action": "pay"|"cancel"}`` — the same as the pay page's buttons,
  for tests without a browser; answers ``{"return_url", "transaction_no"}``.

Bank (VietQR transfers to the collecting account): ``POST /_sim/bank/transfer {"amount",
"description"[, "account"]}`` books a credit in the bank's statement and, when a bank webhook is
configured, posts ``{"transaction_id", "account", "amount", "description", "time"}`` with
``X-Signature: hex(HMAC-SHA256(bank_secret, raw body))``.

Faults (``POST /_sim/faults {"faults": [...]}``, each used by the next payment or transfer):
``delay`` (the IPN after ``delay_seconds``, the browser first), ``duplicate`` (the IPN twice),
``out_of_order`` (the success, then a stale failure of the same transaction), ``failure_first``
(a failure notification, then the success), ``forged`` (signed with a wrong secret),
``wrong_amount`` (a validly signed IPN for 1,000 đồng more), ``stale`` (a pay date two hours
old: a replay), ``no_ipn`` (the money is taken, congso is never told).

Statements: ``GET /_sim/statement?day=YYYY-MM-DD`` (gateway) and ``GET /_sim/bank/statement?
day=…`` (bank) answer the CSV congso imports (``provider_ref,reference,booked_at,amount_vnd,
note``); the same files are written to the run directory (``vnpay-YYYYMMDD.csv``,
``bank-YYYYMMDD.csv``) as the day's statement files.

Merchant API: ``POST /merchant_webapi/api/transaction`` (JSON) answers ``querydr`` and ``refund``
signed with HMAC-SHA512 over "|"-joined fields (:func:`merchant_api`).

``/_sim/config``, ``/_sim/reset``, ``GET /_sim/state`` as in the Zalo simulator.
``python -m simulators.vnpay serve --config FILE`` runs it (``process.py`` writes the file).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import html
import io
import json
import threading
import time
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
COLUMNS = ("provider_ref", "reference", "booked_at", "amount_vnd", "note")


def sign(params: dict[str, str], secret: str) -> str:
    # Written again here on purpose (not imported from congso): the simulator checks congso
    # against VNPay's published rule, not against congso's own code.
    text = "&".join(
        f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(v)}"
        for k, v in sorted(params.items())
        if k.startswith("vnp_") and k not in UNSIGNED and v != ""
    )
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


#: The merchant API's signed fields, in order (joined by "|"), per command and for answers.
PIPE_FIELDS = {
    "querydr": (
        "vnp_RequestId",
        "vnp_Version",
        "vnp_Command",
        "vnp_TmnCode",
        "vnp_TxnRef",
        "vnp_TransactionDate",
        "vnp_CreateDate",
        "vnp_IpAddr",
        "vnp_OrderInfo",
    ),
    "refund": (
        "vnp_RequestId",
        "vnp_Version",
        "vnp_Command",
        "vnp_TmnCode",
        "vnp_TransactionType",
        "vnp_TxnRef",
        "vnp_Amount",
        "vnp_TransactionNo",
        "vnp_TransactionDate",
        "vnp_CreateBy",
        "vnp_CreateDate",
        "vnp_IpAddr",
        "vnp_OrderInfo",
    ),
    "answer": (
        "vnp_ResponseId",
        "vnp_Command",
        "vnp_ResponseCode",
        "vnp_Message",
        "vnp_TmnCode",
        "vnp_TxnRef",
        "vnp_Amount",
        "vnp_BankCode",
        "vnp_PayDate",
        "vnp_TransactionNo",
        "vnp_TransactionType",
        "vnp_TransactionStatus",
        "vnp_OrderInfo",
    ),
}


def pipe_sign(params: dict[str, str], fields: tuple[str, ...], secret: str) -> str:
    text = "|".join(str(params.get(name, "")) for name in fields)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=VN)


@dataclass
class State:
    tmn_code: str
    hash_secret: str
    ipn_url: str = ""
    bank_account: str = ""
    bank_secret: str = ""
    bank_webhook: str = ""
    run_dir: str = ""
    delay_seconds: float = 0.5
    faults: deque[str] = field(default_factory=deque)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    ipns: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    request_ids: set[str] = field(default_factory=set)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    next_no: int = 14000000
    pending: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "transactions": list(self.transactions),
                "transfers": list(self.transfers),
                "ipns": list(self.ipns),
                "webhooks": list(self.webhooks),
                "refunds": list(self.refunds),
                "faults": list(self.faults),
                "pending": self.pending,
                "ipn_url": self.ipn_url,
                "bank_webhook": self.bank_webhook,
            }

    def take_faults(self) -> set[str]:
        with self.lock:
            taken = set(self.faults)
            self.faults.clear()
            return taken

    def statement(self, rows: list[dict[str, Any]], day: datetime.date) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            booked = datetime.datetime.fromisoformat(row["booked_at"])
            if booked.astimezone(VN).date() == day:
                writer.writerow([row[c] for c in COLUMNS])
        return out.getvalue()

    def write_statements(self, day: datetime.date) -> None:
        if not self.run_dir:
            return
        for prefix, rows in (("vnpay", self.transactions), ("bank", self.transfers)):
            path = Path(self.run_dir) / f"{prefix}-{day:%Y%m%d}.csv"
            path.write_text(self.statement(rows, day), encoding="utf-8")


def _deliver(state: State, url: str, record: dict[str, Any], *, delay: float) -> None:
    def run() -> None:
        try:
            if delay:
                time.sleep(delay)
            request = urllib.request.Request(  # noqa: S310 - loopback congso
                record["url"], data=record.get("body"), headers=record.get("headers", {})
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    record["status"] = response.status
                    record["answer"] = response.read().decode("utf-8", "replace")
            except urllib.error.HTTPError as exc:
                record["status"] = exc.code
                record["answer"] = exc.read().decode("utf-8", "replace")
            except OSError as exc:
                record["status"] = 0
                record["answer"] = str(exc)
            record.pop("body", None)
        finally:
            with state.lock:
                state.pending -= 1

    with state.lock:
        state.pending += 1
    threading.Thread(target=run, daemon=True).start()


def _ipn(state: State, params: dict[str, str], *, forged: bool, label: str, delay: float) -> None:
    if not state.ipn_url:
        return
    signed = dict(params)
    signed["vnp_SecureHash"] = sign(signed, "forged-secret" if forged else state.hash_secret)
    record: dict[str, Any] = {
        "label": label,
        "txn_ref": params.get("vnp_TxnRef"),
        "url": state.ipn_url + "?" + urllib.parse.urlencode(signed),
    }
    with state.lock:
        state.ipns.append(record)
    _deliver(state, state.ipn_url, record, delay=delay)


def _check_request(state: State, params: dict[str, str]) -> str:
    """'' when the pay request verifies, else the reason."""
    given = params.get("vnp_SecureHash", "")
    if not hmac.compare_digest(given.lower().encode(), sign(params, state.hash_secret).encode()):
        return "97"
    if params.get("vnp_TmnCode") != state.tmn_code:
        return "02"
    if params.get("vnp_Version") != "2.1.0" or params.get("vnp_CurrCode") != "VND":
        return "03"
    try:
        if int(params.get("vnp_Amount", "")) <= 0:
            return "04"
    except ValueError:
        return "04"
    return ""


def pay(state: State, url: str, action: str) -> dict[str, Any]:
    """The citizen pressed a button on the pay page for the request ``url``."""
    query = urllib.parse.urlsplit(url).query
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    reason = _check_request(state, params)
    if reason:
        return {"error": reason}
    faults = state.take_faults()
    now = _now()
    if "stale" in faults:
        now -= datetime.timedelta(hours=2)
    with state.lock:
        state.next_no += 1
        number = str(state.next_no)
    paid = action == "pay"
    result = {
        "vnp_TmnCode": state.tmn_code,
        "vnp_Amount": params["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": f"VNP{number}",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
        "vnp_PayDate": now.strftime("%Y%m%d%H%M%S"),
        "vnp_ResponseCode": "00" if paid else "24",
        "vnp_TransactionNo": number,
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TxnRef": params["vnp_TxnRef"],
    }
    if paid:
        with state.lock:
            state.transactions.append(
                {
                    "provider_ref": number,
                    "reference": params["vnp_TxnRef"],
                    "booked_at": now.isoformat(),
                    "amount_vnd": int(params["vnp_Amount"]) // 100,
                    "note": params.get("vnp_OrderInfo", ""),
                }
            )
            state.write_statements(now.date())
    ipn = dict(result)
    if "wrong_amount" in faults:
        ipn["vnp_Amount"] = str(int(ipn["vnp_Amount"]) + 100_000)
    failure = dict(result, vnp_ResponseCode="99", vnp_TransactionStatus="02")
    delay = state.delay_seconds if "delay" in faults else 0.0
    if "no_ipn" not in faults:
        forged = "forged" in faults
        if "failure_first" in faults and paid:
            _ipn(state, failure, forged=forged, label="failure", delay=delay)
            _ipn(state, ipn, forged=forged, label="success", delay=delay + 0.3)
        else:
            _ipn(state, ipn, forged=forged, label="result", delay=delay)
            if "duplicate" in faults:
                _ipn(state, ipn, forged=forged, label="duplicate", delay=delay + 0.3)
            if "out_of_order" in faults and paid:
                _ipn(state, failure, forged=forged, label="stale_failure", delay=delay + 0.3)
    back = dict(result)
    back["vnp_SecureHash"] = sign(back, state.hash_secret)
    return_url = params.get("vnp_ReturnUrl", "") + "?" + urllib.parse.urlencode(back)
    return {"return_url": return_url, "transaction_no": number if paid else ""}


def merchant_api(state: State, body: dict[str, Any]) -> dict[str, str]:  # noqa: PLR0911
    """``POST /merchant_webapi/api/transaction``: ``querydr`` (a transaction's status) and
    ``refund`` (``vnp_TransactionType`` 02 full, 03 partial). Codes: 00 done, 91 transaction
    not found, 94 the same request id twice, 95 refused (more than what is left), 97 bad
    checksum, 99 other. The answer is signed with the "answer" fields. Faults: ``refund_refused``
    (95), ``forged`` (answer signed with a wrong secret)."""
    params = {str(k): str(v) for k, v in body.items()}
    command = params.get("vnp_Command", "")
    answer = {
        "vnp_ResponseId": hashlib.sha256(params.get("vnp_RequestId", "").encode()).hexdigest()[:32],
        "vnp_Command": command,
        "vnp_TmnCode": state.tmn_code,
        "vnp_TxnRef": params.get("vnp_TxnRef", ""),
        "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
    }
    fields = PIPE_FIELDS.get(command)
    given = params.get("vnp_SecureHash", "")
    if fields is None or not hmac.compare_digest(
        given.lower().encode(), pipe_sign(params, fields, state.hash_secret).encode()
    ):
        return answer | {"vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"}
    faults = state.take_faults()

    def signed(values: dict[str, str]) -> dict[str, str]:
        secret = "forged-secret" if "forged" in faults else state.hash_secret
        return values | {"vnp_SecureHash": pipe_sign(values, PIPE_FIELDS["answer"], secret)}

    with state.lock:
        if params.get("vnp_TmnCode") != state.tmn_code:
            return signed(answer | {"vnp_ResponseCode": "99", "vnp_Message": "Merchant invalid"})
        if params["vnp_RequestId"] in state.request_ids:
            return signed(answer | {"vnp_ResponseCode": "94", "vnp_Message": "Duplicate request"})
        state.request_ids.add(params["vnp_RequestId"])
        paid = next(
            (t for t in state.transactions if t["reference"] == params.get("vnp_TxnRef")), None
        )
        if paid is None:
            return signed(answer | {"vnp_ResponseCode": "91", "vnp_Message": "Not found"})
        refunded = sum(
            r["amount_vnd"] for r in state.refunds if r["reference"] == paid["reference"]
        )
        booked = datetime.datetime.fromisoformat(paid["booked_at"]).astimezone(VN)
        common = answer | {
            "vnp_BankCode": "NCB",
            "vnp_PayDate": booked.strftime("%Y%m%d%H%M%S"),
        }
        if command == "querydr":
            status = "00" if not refunded else ("06" if refunded < paid["amount_vnd"] else "05")
            return signed(
                common
                | {
                    "vnp_ResponseCode": "00",
                    "vnp_Message": "QueryDR Success",
                    "vnp_Amount": str(paid["amount_vnd"] * 100),
                    "vnp_TransactionNo": paid["provider_ref"],
                    "vnp_TransactionType": "01",
                    "vnp_TransactionStatus": status,
                }
            )
        try:
            amount = int(params.get("vnp_Amount", "")) // 100
        except ValueError:
            amount = 0
        kind = params.get("vnp_TransactionType", "")
        left = paid["amount_vnd"] - refunded
        if (
            "refund_refused" in faults
            or amount <= 0
            or amount > left
            or (kind == "02" and amount != paid["amount_vnd"])
            or kind not in ("02", "03")
            or params.get("vnp_TransactionNo") != paid["provider_ref"]
        ):
            return signed(
                common
                | {"vnp_ResponseCode": "95", "vnp_Message": "Refund refused", "vnp_Amount": ""}
            )
        state.next_no += 1
        number = str(state.next_no)
        state.refunds.append(
            {
                "provider_ref": number,
                "reference": paid["reference"],
                "original": paid["provider_ref"],
                "amount_vnd": amount,
                "type": kind,
                "by": params.get("vnp_CreateBy", ""),
                "at": _now().isoformat(),
            }
        )
        return signed(
            common
            | {
                "vnp_ResponseCode": "00",
                "vnp_Message": "Refund success",
                "vnp_Amount": str(amount * 100),
                "vnp_TransactionNo": number,
                "vnp_TransactionType": kind,
                "vnp_TransactionStatus": "05" if amount == left else "06",
            }
        )


def transfer(state: State, body: dict[str, Any]) -> dict[str, Any]:
    """A credit to the collecting account (a citizen paid a VietQR code in their bank app)."""
    faults = state.take_faults()
    now = _now()
    if "stale" in faults:
        now -= datetime.timedelta(hours=2)
    with state.lock:
        state.next_no += 1
        number = f"FT{state.next_no}"
        line = {
            "provider_ref": number,
            "reference": "",
            "booked_at": now.isoformat(),
            "amount_vnd": int(body["amount"]),
            "note": str(body.get("description", "")),
        }
        state.transfers.append(line)
        state.write_statements(now.date())
    if state.bank_webhook and "no_ipn" not in faults:
        payload = {
            "transaction_id": number,
            "account": str(body.get("account") or state.bank_account),
            "amount": int(body["amount"]) + (1000 if "wrong_amount" in faults else 0),
            "description": line["note"],
            "time": now.isoformat(),
        }
        raw = json.dumps(payload).encode()
        secret = "forged-secret" if "forged" in faults else state.bank_secret
        signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        copies = 2 if "duplicate" in faults else 1
        for index in range(copies):
            record: dict[str, Any] = {
                "label": "duplicate" if index else "credit",
                "transaction_id": number,
                "url": state.bank_webhook,
                "body": raw,
                "headers": {"Content-Type": "application/json", "X-Signature": signature},
            }
            with state.lock:
                state.webhooks.append(record)
            delay = (state.delay_seconds if "delay" in faults else 0.0) + 0.3 * index
            _deliver(state, state.bank_webhook, record, delay=delay)
    return {"transaction_id": number}


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>VNPAY - Cổng thanh toán (mô phỏng)</title></head><body>
<h1>Cổng thanh toán VNPAY (mô phỏng)</h1>
<p>Đơn hàng: <strong id="txn">{txn}</strong></p><p>Nội dung: {info}</p>
<p>Số tiền: <strong id="amount">{amount}</strong> VND</p>
<form method="post" action="/paymentv2/pay"><input type="hidden" name="url" value="{url}">
<button name="action" value="pay" id="pay">Thanh toán</button>
<button name="action" value="cancel" id="cancel">Hủy giao dịch</button></form></body></html>"""

ERROR_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>VNPAY</title>
</head><body><h1>Thông báo</h1><p id="error">Giao dịch không hợp lệ (mã lỗi {code}).</p>
</body></html>"""


class Handler(BaseHTTPRequestHandler):
    server_version = "VNPaySimulator/1.0"
    state: State

    def log_message(self, format: str, *args: Any) -> None:
        print(f"{self.address_string()} {format % args}", flush=True)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: int = 200) -> None:
        self._send(status, json.dumps(value, default=str).encode(), "application/json")

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        if parts.path == "/paymentv2/vpcpay.html":
            reason = _check_request(self.state, query)
            if reason:
                self._send(400, ERROR_PAGE.format(code=reason).encode(), "text/html; charset=utf-8")
                return
            page = PAGE.format(
                txn=html.escape(query["vnp_TxnRef"]),
                info=html.escape(query.get("vnp_OrderInfo", "")),
                amount=f"{int(query['vnp_Amount']) // 100:,}".replace(",", "."),
                url=html.escape(self.path),
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")
        elif parts.path in ("/_sim/statement", "/_sim/bank/statement"):
            day = datetime.date.fromisoformat(query.get("day") or _now().date().isoformat())
            rows = (
                self.state.transactions if parts.path == "/_sim/statement" else self.state.transfers
            )
            with self.state.lock:
                text = self.state.statement(list(rows), day)
            self._send(200, text.encode(), "text/csv; charset=utf-8")
        elif parts.path == "/_sim/state":
            self._json(self.state.snapshot())
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        raw = self._body()
        if parts.path == "/paymentv2/pay":
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            result = pay(self.state, form.get("url", ""), form.get("action", "cancel"))
            if "error" in result:
                page = ERROR_PAGE.format(code=result["error"]).encode()
                self._send(400, page, "text/html; charset=utf-8")
                return
            self._send(302, b"", "text/plain", {"Location": result["return_url"]})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._json({"error": "bad json"}, 400)
            return
        if parts.path == "/merchant_webapi/api/transaction":
            self._json(merchant_api(self.state, body))
        elif parts.path == "/_sim/pay":
            self._json(pay(self.state, body["url"], body.get("action", "pay")))
        elif parts.path == "/_sim/bank/transfer":
            self._json(transfer(self.state, body))
        elif parts.path == "/_sim/faults":
            with self.state.lock:
                self.state.faults.extend(body.get("faults", []))
            self._json({"faults": list(self.state.faults)})
        elif parts.path == "/_sim/config":
            with self.state.lock:
                for key in ("ipn_url", "bank_webhook", "delay_seconds", "bank_account"):
                    if key in body:
                        setattr(self.state, key, body[key])
            self._json({"ok": True})
        elif parts.path == "/_sim/reset":
            with self.state.lock:
                self.state.faults.clear()
                self.state.transactions.clear()
                self.state.transfers.clear()
                self.state.ipns.clear()
                self.state.webhooks.clear()
                self.state.refunds.clear()
            self._json({"ok": True})
        else:
            self._json({"error": "not found"}, 404)


def serve(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    state = State(
        tmn_code=config["tmn_code"],
        hash_secret=config["hash_secret"],
        ipn_url=config.get("ipn_url", ""),
        bank_account=config.get("bank_account", ""),
        bank_secret=config.get("bank_secret", ""),
        bank_webhook=config.get("bank_webhook", ""),
        run_dir=str(config_path.parent),
    )
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", int(config.get("port", 0))), handler)
    server.daemon_threads = True
    Path(config["port_file"]).write_text(str(server.server_address[1]), encoding="utf-8")
    try:
        server.serve_forever()
    finally:
        server.server_close()
