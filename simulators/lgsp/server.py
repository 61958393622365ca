"""The provincial integration platform (LGSP) and the national public-service portal (DVCQG)
behind it, on loopback, with fault injection.

* ``POST /auth`` ``{"username", "password"}`` → ``{"error_code": 0, "session"}`` (or
  ``error_code`` 1, "Sai tài khoản");
* ``POST /service`` ``{"session", "madonvi", "service", "data"}`` with the header
  ``X-Message-Id`` (a UUID; HTTP 400 without it) → ``{"error_code", "message", "message_id",
  "data"}``. ``error_code`` 401 when the session is unknown or expired. Services:

  - ``TraCuuHoSo`` ``{MaHoSo}`` → ``{"TonTai": bool, "HoSo": {…, "TienDo": [...]} | null}``;
  - ``DongBoHoSoMC`` ``{isUpdating, data: [hồ sơ]}`` → per dossier ``{MaHoSo, error_code}``:
    ``2`` exists already (``isUpdating`` false), ``3`` not found (``isUpdating`` true), ``4``
    invalid against ``schemas/dossier.json`` (with the validation message);
  - ``CapNhatTienDoHoSoMC`` ``{data: [tiến độ]}`` → appends each (``3`` unknown dossier, ``4``
    invalid against ``schemas/progress.json``).

  - the bridged services ``CSDLDC.TraCuuCongDan`` and ``VDXP.<op>`` (``bridge.py``): relayed to
    the population database and the document axis.

  The data of every call is validated against ``schemas/requests.json`` (``error_code`` 4).
  - ``GuiThongDiepLienThong`` ``{NoiNhan, ThongDiep}`` → routes a system's message to another
    system on the platform (``NoiNhan``: its unit code; ``3`` unknown recipient) →
    ``{MaThongDiep}``; ``NhanThongDiepLienThong`` ``{SoLuong}`` → the caller's undelivered
    messages ``{ThongDiep: [{MaThongDiep, NoiGui, NoiNhan, GuiLuc, ThongDiep}]}`` (until
    acknowledged, in order); ``XacNhanThongDiepLienThong`` ``{MaThongDiep: [...]}`` acknowledges
    (removes) them. The platform stamps the sender (``NoiGui``) from the session; it does not
    read or check the message (its signature is the systems' business).

  Systems: the main account (``username``/``password``/``unit_code``) and ``systems`` (more
  accounts, one per congso instance on the platform); ``madonvi`` must be the session's unit.
* ``/_sim/…`` — control: ``POST /_sim/faults {"faults": [...]}`` queues faults for the next
  service calls — ``timeout`` (do the work, answer after ``timeout_seconds``: the client gives
  up first), ``5xx`` (HTTP 502, nothing done), ``wrong_code`` (HTTP 200 with ``error_code`` 99,
  nothing done), ``duplicate`` (do the work, answer with the *previous* call's message id — a
  duplicated reply), ``expire_session``; ``POST /_sim/config`` (``fault_rate``,
  ``random_faults``, ``seed``, ``timeout_seconds``: random faults on that share of calls;
  ``upstreams``: the bridged back-ends),
  ``POST /_sim/tamper {"MaHoSo", "delete": true | "set": {…}}`` (change the portal behind
  congso's back), ``POST /_sim/deliver {"NoiGui", "NoiNhan", "ThongDiep"}`` (put a message
  in a mailbox as if a system had sent it: a forgery, a copy), ``POST /_sim/reset``,
  ``GET /_sim/state`` (the portal's dossiers, counters, the mailboxes and every routed
  message).

``python -m simulators.lgsp serve --config FILE`` runs it (``process.py`` writes the file).
"""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import threading
import time
import urllib.parse
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from simulators.lgsp import bridge

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SESSION_EXPIRED = 401
POPULATION_SERVICE = "CSDLDC.TraCuuCongDan"


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


def _first_error(validator: Draft202012Validator, value: Any) -> str | None:
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    if not errors:
        return None
    where = "/".join(str(p) for p in errors[0].path) or "(gốc)"
    return f"{where}: {errors[0].message}"[:300]


@dataclass
class State:
    username: str
    password: str
    unit_code: str
    timeout_seconds: float = 3.0
    fault_rate: float = 0.0
    random_faults: list[str] = field(default_factory=lambda: ["5xx", "wrong_code", "duplicate"])
    rng: random.Random = field(default_factory=lambda: random.Random(20))  # noqa: S311
    faults: deque[str] = field(default_factory=deque)
    #: Session token → the unit code of the system that signed in.
    sessions: dict[str, str] = field(default_factory=dict)
    #: More systems on the platform: ``[{"username", "password", "unit_code"}]``.
    systems: list[dict[str, str]] = field(default_factory=list)
    #: Unit code → messages waiting for that system (liên thông routing).
    mailboxes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Every message routed, in order (for the tests).
    routed: list[dict[str, Any]] = field(default_factory=list)
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: Counter[str] = field(default_factory=Counter)
    last_message_id: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    dossier_schema: Draft202012Validator = field(default_factory=lambda: _validator("dossier.json"))
    progress_schema: Draft202012Validator = field(
        default_factory=lambda: _validator("progress.json")
    )
    requests: dict[str, Draft202012Validator] = field(default_factory=dict)
    #: The bridged back-ends: ``{"CSDLDC": {"url", "token"}, "VDXP": {"url"}}`` (``bridge.py``).
    upstreams: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        schemas = json.loads((SCHEMAS / "requests.json").read_text(encoding="utf-8"))
        for service in SERVICES:
            self.requests[service] = Draft202012Validator(schemas[service])
        self.requests[POPULATION_SERVICE] = Draft202012Validator(schemas[POPULATION_SERVICE])
        for op in bridge.AXIS_OPS:
            self.requests[f"VDXP.{op}"] = Draft202012Validator(schemas["VDXP"])

    def accounts(self) -> dict[str, tuple[str, str]]:
        """Username → (password, unit code) of every system on the platform."""
        found = {self.username: (self.password, self.unit_code)}
        for system in self.systems:
            found[system["username"]] = (system["password"], system["unit_code"])
        return found

    def units(self) -> set[str]:
        return {unit for _password, unit in self.accounts().values()}

    def route(self, sender: str, recipient: str, message: Any) -> str:
        """Put ``message`` in ``recipient``'s mailbox (under the state's lock)."""
        item = {
            "MaThongDiep": secrets.token_hex(16),
            "NoiGui": sender,
            "NoiNhan": recipient,
            "GuiLuc": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "ThongDiep": message,
        }
        self.mailboxes.setdefault(recipient, []).append(item)
        self.routed.append(item)
        self.counters["routed"] += 1
        return str(item["MaThongDiep"])

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "dossiers": json.loads(json.dumps(self.dossiers)),
                "counters": dict(self.counters),
                "faults": list(self.faults),
                "sessions": len(self.sessions),
                "mailboxes": json.loads(json.dumps(self.mailboxes)),
                "routed": json.loads(json.dumps(self.routed)),
            }

    def next_fault(self) -> str:
        with self.lock:
            if self.faults:
                return self.faults.popleft()
            if self.fault_rate and self.rng.random() < self.fault_rate:
                return self.rng.choice(self.random_faults)
            return ""


def _lookup(state: State, data: dict[str, Any]) -> tuple[int, str, Any]:
    found = state.dossiers.get(data["MaHoSo"])
    return 0, "Thành công", {"TonTai": found is not None, "HoSo": found}


def _sync_dossiers(state: State, data: dict[str, Any]) -> tuple[int, str, Any]:
    results = []
    for item in data["data"]:
        code = item.get("MaHoSo", "") if isinstance(item, dict) else ""
        problem = _first_error(state.dossier_schema, item)
        if problem:
            results.append({"MaHoSo": code, "error_code": 4, "message": problem})
            state.counters["invalid"] += 1
            continue
        existing = state.dossiers.get(code)
        if existing is not None and not data["isUpdating"]:
            results.append({"MaHoSo": code, "error_code": 2, "message": "Hồ sơ đã tồn tại"})
            continue
        if existing is None and data["isUpdating"]:
            results.append({"MaHoSo": code, "error_code": 3, "message": "Không tìm thấy hồ sơ"})
            continue
        progress = existing["TienDo"] if existing else []
        statuses = existing["LichSuTrangThai"] if existing else []
        if not statuses or statuses[-1] != item["TrangThaiHoSo"]:
            statuses = [*statuses, item["TrangThaiHoSo"]]
        state.dossiers[code] = {**item, "TienDo": progress, "LichSuTrangThai": statuses}
        state.counters["updated" if existing else "created"] += 1
        results.append({"MaHoSo": code, "error_code": 0, "message": "Thành công"})
    failed = [r for r in results if r["error_code"]]
    return (
        (failed[0]["error_code"] if len(results) == 1 and failed else 0),
        (failed[0]["message"] if len(results) == 1 and failed else "Thành công"),
        {"KetQua": results},
    )


def _progress(state: State, data: dict[str, Any]) -> tuple[int, str, Any]:
    results = []
    for item in data["data"]:
        code = item.get("MaHoSo", "") if isinstance(item, dict) else ""
        problem = _first_error(state.progress_schema, item)
        if problem:
            results.append({"MaHoSo": code, "error_code": 4, "message": problem})
            state.counters["invalid"] += 1
            continue
        existing = state.dossiers.get(code)
        if existing is None:
            results.append({"MaHoSo": code, "error_code": 3, "message": "Không tìm thấy hồ sơ"})
            continue
        existing["TienDo"].append(item)
        state.counters["progress"] += 1
        results.append({"MaHoSo": code, "error_code": 0, "message": "Thành công"})
    failed = [r for r in results if r["error_code"]]
    return (
        (failed[0]["error_code"] if len(results) == 1 and failed else 0),
        (failed[0]["message"] if len(results) == 1 and failed else "Thành công"),
        {"KetQua": results},
    )


def _send_message(state: State, data: dict[str, Any], caller: str) -> tuple[int, str, Any]:
    recipient = data["NoiNhan"]
    if recipient not in state.units():
        return 3, f"Không có hệ thống {recipient} trên nền tảng", None
    return 0, "Thành công", {"MaThongDiep": state.route(caller, recipient, data["ThongDiep"])}


def _receive_messages(state: State, data: dict[str, Any], caller: str) -> tuple[int, str, Any]:
    waiting = state.mailboxes.get(caller, [])
    return 0, "Thành công", {"ThongDiep": waiting[: int(data.get("SoLuong", 20))]}


def _ack_messages(state: State, data: dict[str, Any], caller: str) -> tuple[int, str, Any]:
    done = set(data["MaThongDiep"])
    waiting = state.mailboxes.get(caller, [])
    state.mailboxes[caller] = [item for item in waiting if item["MaThongDiep"] not in done]
    return 0, "Thành công", {"DaXacNhan": len(waiting) - len(state.mailboxes[caller])}


SERVICES: dict[str, Any] = {
    "TraCuuHoSo": _lookup,
    "DongBoHoSoMC": _sync_dossiers,
    "CapNhatTienDoHoSoMC": _progress,
}
#: The routing services take the caller's unit code too.
ROUTING: dict[str, Any] = {
    "GuiThongDiepLienThong": _send_message,
    "NhanThongDiepLienThong": _receive_messages,
    "XacNhanThongDiepLienThong": _ack_messages,
}
SERVICES.update(ROUTING)


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def state(self) -> State:
        return self.server.state

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            return None

    def _json(self, payload: Any, status: int = 200) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (a timeout fault)
            self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/_sim/state":
            self._json(self.state.snapshot())
        else:
            self._json({"error_code": 404, "message": "Không có dịch vụ"}, 404)

    def do_POST(self) -> None:
        body = self._body()
        path = urllib.parse.urlsplit(self.path).path
        if not isinstance(body, dict):
            self._json({"error_code": 400, "message": "Nội dung không phải JSON"}, 400)
            return
        route = {
            "/auth": self._auth,
            "/service": self._service,
            "/_sim/faults": self._faults,
            "/_sim/config": self._config,
            "/_sim/reset": self._reset,
            "/_sim/tamper": self._tamper,
            "/_sim/deliver": self._deliver,
        }.get(path)
        if route is None:
            self._json({"error_code": 404, "message": "Không có dịch vụ"}, 404)
            return
        route(body)

    def _auth(self, body: dict[str, Any]) -> None:
        state = self.state
        account = state.accounts().get(str(body.get("username", "")))
        if account is None or body.get("password") != account[0]:
            self._json({"error_code": 1, "message": "Sai tài khoản hoặc mật khẩu"})
            return
        session = secrets.token_hex(16)
        with state.lock:
            state.sessions[session] = account[1]
            state.counters["auth"] += 1
        self._json({"error_code": 0, "message": "Thành công", "session": session})

    def _service(self, body: dict[str, Any]) -> None:  # noqa: PLR0912 - one branch per fault
        state = self.state
        message_id = self.headers.get("X-Message-Id", "")
        if len(message_id) != 36:
            self._json({"error_code": 400, "message": "Thiếu X-Message-Id"}, 400)
            return
        fault = state.next_fault()
        with state.lock:
            state.counters["calls"] += 1
            if fault:
                state.counters[f"fault:{fault}"] += 1
            if fault == "expire_session":
                state.sessions.clear()
            caller = state.sessions.get(str(body.get("session", "")))
            if caller is None:
                answer = {"error_code": SESSION_EXPIRED, "message": "Phiên làm việc hết hạn"}
                self._json({**answer, "message_id": message_id, "data": None})
                return
            if body.get("madonvi") != caller:
                self._json(
                    {
                        "error_code": 5,
                        "message": "Mã đơn vị không được phép",
                        "message_id": message_id,
                        "data": None,
                    }
                )
                return
        if fault == "5xx":
            self._json({"message": "Bad Gateway"}, 502)
            return
        if fault == "wrong_code":
            self._json(
                {"error_code": 99, "message": "Lỗi không xác định", "message_id": message_id}
            )
            return
        service = str(body.get("service", ""))
        handler = SERVICES.get(service)
        data = body.get("data")
        if service == POPULATION_SERVICE or service.startswith("VDXP."):
            self._bridged(service, data, message_id, fault)
            return
        with state.lock:
            if handler is None:
                code, message, result = 6, f"Không có dịch vụ {service}", None
            elif problem := _first_error(state.requests[service], data):
                code, message, result = 4, problem, None
                state.counters["invalid"] += 1
            else:
                assert isinstance(data, dict)
                if service in ROUTING:
                    code, message, result = handler(state, data, caller)
                else:
                    code, message, result = handler(state, data)
            previous, state.last_message_id = state.last_message_id, message_id
        if fault == "timeout":
            time.sleep(state.timeout_seconds)
        echo = previous if fault == "duplicate" and previous else message_id
        self._json({"error_code": code, "message": message, "message_id": echo, "data": result})

    def _bridged(self, service: str, data: Any, message_id: str, fault: str) -> None:
        """A bridged service (``bridge.py``): relayed outside the state lock."""
        state = self.state
        with state.lock:
            validator = state.requests.get(service)
            upstream = state.upstreams.get(service.split(".", 1)[0])
            previous, state.last_message_id = state.last_message_id, message_id
            state.counters[f"bridge:{service}"] += 1
        problem = (
            f"Không có dịch vụ {service}"
            if validator is None
            else _first_error(validator, data)
            or (bridge.axis_problem(service.split(".", 1)[1], data) if "VDXP." in service else None)
        )
        result: dict[str, Any] | None = None
        if problem:
            code, message = 4 if validator is not None else 6, problem
        elif upstream is None:
            code, message = 6, f"Nền tảng chưa kết nối dịch vụ {service}"
        else:
            assert isinstance(data, dict)
            code, message = 0, "Thành công"
            relay = bridge.population if service == POPULATION_SERVICE else bridge.axis
            result = relay(upstream, data, state.timeout_seconds)
        if fault == "timeout":
            time.sleep(state.timeout_seconds)
        echo = previous if fault == "duplicate" and previous else message_id
        self._json({"error_code": code, "message": message, "message_id": echo, "data": result})

    def _faults(self, body: dict[str, Any]) -> None:
        with self.state.lock:
            self.state.faults.extend(str(name) for name in body.get("faults", []))
        self._json({"ok": True})

    def _config(self, body: dict[str, Any]) -> None:
        state = self.state
        with state.lock:
            if "fault_rate" in body:
                state.fault_rate = float(body["fault_rate"])
            if "random_faults" in body:
                state.random_faults = [str(f) for f in body["random_faults"]]
            if "seed" in body:
                state.rng = random.Random(int(body["seed"]))  # noqa: S311 - a test's dice
            if "timeout_seconds" in body:
                state.timeout_seconds = float(body["timeout_seconds"])
            if "upstreams" in body:
                state.upstreams = dict(body["upstreams"])
        self._json({"ok": True})

    def _tamper(self, body: dict[str, Any]) -> None:
        """Change the portal behind congso's back (a reconciliation has something to find)."""
        state = self.state
        code = str(body.get("MaHoSo", ""))
        with state.lock:
            if body.get("delete"):
                state.dossiers.pop(code, None)
            elif code in state.dossiers:
                state.dossiers[code].update(body.get("set") or {})
        self._json({"ok": True})

    def _deliver(self, body: dict[str, Any]) -> None:
        """Put a message in a system's mailbox as if another had sent it (a forgery, a copy)."""
        state = self.state
        with state.lock:
            platform_id = state.route(
                str(body.get("NoiGui", "")), str(body.get("NoiNhan", "")), body.get("ThongDiep")
            )
        self._json({"ok": True, "MaThongDiep": platform_id})

    def _reset(self, body: dict[str, Any]) -> None:
        state = self.state
        with state.lock:
            state.dossiers.clear()
            state.faults.clear()
            state.counters.clear()
            state.sessions.clear()
            state.mailboxes.clear()
            state.routed.clear()
            state.fault_rate = 0.0
        self._json({"ok": True})


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: State) -> None:
        super().__init__(address, Handler)
        self.state = state


def serve(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    state = State(
        username=config["username"],
        password=config["password"],
        unit_code=config["unit_code"],
        timeout_seconds=float(config.get("timeout_seconds", 3.0)),
        systems=list(config.get("systems") or []),
        upstreams=dict(config.get("upstreams") or {}),
    )
    server = Server(("127.0.0.1", int(config.get("port", 0))), state)
    port_file = Path(config["port_file"])
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(server.server_address[1]), encoding="utf-8")
    tmp.replace(port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
