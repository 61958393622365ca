"""The population database's look-up as a provincial integration platform (LGSP) relays it,
on loopback, with fault injection (wave2-anchors §2.2).

* ``POST /lgsp/csdldancu/congdan`` — header ``Authorization: Bearer <token>``; JSON
  ``{HoVaTen (upper case, no diacritics), SoDinhDanh, Nam (birth year), MaTichHop, MaDVC,
  MaCanBo, MaYeuCau}``: the three identity parts must all match. The answer is JSON
  ``{"message": "<SOAP envelope>"}`` whose body holds ``KetQua`` (``0`` found, ``1`` no such
  personal ID, ``2`` the name or birth year does not match — which one is not said) and
  ``CongdanCollection/CongDan{SoDinhDanh, HoVaTen{Ten}, GioiTinh, DanToc, TonGiao,
  TinhTrangHonNhan, NgayThangNamSinh{NgayThangNam, Nam}, NoiDangKyKhaiSinh, QueQuan, ThuongTru,
  NoiOHienTai{MaTinhThanh, MaPhuongXa, ChiTiet}, Cha, Me, VoChong, ChuHo{HoVaTen, SoDinhDanh,
  QuanHe}, SoSoHoKhau, QuocTich}``. Addresses are unit codes after the 2025 reform: no
  ``MaQuanHuyen`` (congso also reads answers that still carry one). ``MaYeuCau`` must be new.
* ``/_sim/…`` — ``POST /_sim/faults {"faults": [...]}``: ``timeout``, ``5xx``, ``not_found``,
  ``name_mismatch`` for the next look-ups; ``POST /_sim/reset``; ``GET /_sim/state`` (the
  look-ups received: request id, procedure, officer, outcome); ``GET /_sim/resident/<id>``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from simulators.population.residents import PROVINCE, Resident, generate

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def plain_upper(name: str) -> str:
    """Upper case without diacritics (Đ → D), spaces collapsed: how the LGSP wants names."""
    text = name.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )
    return " ".join(stripped.upper().split())


@dataclass
class State:
    token: str
    timeout_seconds: float
    residents: dict[str, Resident]
    faults: deque[str] = field(default_factory=deque)
    seen: set[str] = field(default_factory=set)
    log: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _place(resident: Resident) -> str:
    return (
        f"<MaTinhThanh>{PROVINCE}</MaTinhThanh><MaPhuongXa>{resident.commune_code}</MaPhuongXa>"
        f"<ChiTiet>{escape(resident.address_detail)}</ChiTiet>"
    )


def _person(state: State, pid: str, tag: str, relation: str = "") -> str:
    other = state.residents.get(pid)
    if other is None:
        return f"<{tag}/>"
    extra = f"<QuanHe>{escape(relation)}</QuanHe>" if relation else ""
    return (
        f"<{tag}><HoVaTen>{escape(other.full_name)}</HoVaTen>"
        f"<SoDinhDanh>{other.personal_id}</SoDinhDanh>{extra}</{tag}>"
    )


def citizen_xml(state: State, r: Resident) -> str:
    return (
        "<CongDan>"
        f"<SoDinhDanh>{r.personal_id}</SoDinhDanh><SoCMND/>"
        f"<HoVaTen><Ten>{escape(r.full_name)}</Ten></HoVaTen>"
        f"<GioiTinh>{1 if r.male else 2}</GioiTinh><DanToc>{r.ethnicity}</DanToc>"
        f"<TonGiao>{r.religion}</TonGiao><TinhTrangHonNhan>{r.marital}</TinhTrangHonNhan>"
        "<NhomMau/>"
        f"<NgayThangNamSinh><NgayThangNam>{r.birth_date}</NgayThangNam>"
        f"<Nam>{r.birth_date[:4]}</Nam></NgayThangNamSinh>"
        f"<NoiDangKyKhaiSinh>{_place(r)}</NoiDangKyKhaiSinh>"
        f"<QueQuan>{_place(r)}</QueQuan>"
        f"<ThuongTru>{_place(r)}</ThuongTru>"
        f"<NoiOHienTai>{_place(r)}</NoiOHienTai>"
        f"{_person(state, r.father, 'Cha')}{_person(state, r.mother, 'Me')}"
        f"{_person(state, r.spouse, 'VoChong')}"
        f"{_person(state, r.head, 'ChuHo', r.relation)}"
        f"<SoSoHoKhau>{r.household}</SoSoHoKhau><QuocTich>VN</QuocTich>"
        "</CongDan>"
    )


def envelope(result: str, body: str = "") -> str:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body>'
        f"<KetQua>{result}</KetQua><CongdanCollection>{body}</CongdanCollection>"
        "</soap:Body></soap:Envelope>"
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "csdldancu-sim"
    state: State

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return None

    def do_GET(self) -> None:
        if self.path == "/_sim/state":
            with self.state.lock:
                self._json(200, {"log": list(self.state.log), "faults": list(self.state.faults)})
            return
        if self.path.startswith("/_sim/resident/"):
            found = self.state.residents.get(self.path.rsplit("/", 1)[-1])
            self._json(200 if found else 404, found.as_dict() if found else {})
            return
        self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        if self.path == "/_sim/faults":
            with self.state.lock:
                self.state.faults.extend((self._body() or {}).get("faults", []))
            self._json(200, {"queued": len(self.state.faults)})
            return
        if self.path == "/_sim/reset":
            with self.state.lock:
                self.state.faults.clear()
                self.state.log.clear()
                self.state.seen.clear()
            self._json(200, {"ok": True})
            return
        if self.path == "/lgsp/csdldancu/congdan":
            self.lookup()
            return
        self._json(404, {"error": "not_found"})

    def lookup(self) -> None:
        state = self.state
        header = self.headers.get("Authorization", "")
        if not secrets.compare_digest(header, f"Bearer {state.token}"):
            self._json(401, {"error": "invalid_token"})
            return
        query = self._body()
        needed = ("HoVaTen", "SoDinhDanh", "Nam", "MaTichHop", "MaDVC", "MaYeuCau")
        if not isinstance(query, dict) or any(not str(query.get(k) or "") for k in needed):
            self._json(400, {"error": "invalid_request", "message": "Thiếu tham số bắt buộc."})
            return
        request_id = str(query["MaYeuCau"])
        with state.lock:
            fault = state.faults.popleft() if state.faults else None
            replayed = request_id in state.seen
            state.seen.add(request_id)
        entry = {
            "MaYeuCau": request_id,
            "MaDVC": query.get("MaDVC"),
            "MaCanBo": query.get("MaCanBo", ""),
            "at": time.time(),
        }
        if replayed:
            self._json(409, {"error": "duplicate_request", "message": "MaYeuCau đã dùng."})
            return
        if fault == "timeout":
            time.sleep(state.timeout_seconds)
        if fault in {"timeout", "5xx"}:
            state.log.append({**entry, "outcome": fault})
            self._json(502, {"error": "bad_gateway"})
            return
        resident = state.residents.get(str(query["SoDinhDanh"]))
        if resident is None or fault == "not_found":
            outcome, message = "not_found", envelope("1")
        elif (
            fault == "name_mismatch"
            or plain_upper(resident.full_name) != str(query["HoVaTen"])
            or resident.birth_date[:4] != str(query["Nam"])
        ):
            outcome, message = "mismatch", envelope("2")
        else:
            outcome, message = "found", envelope("0", citizen_xml(state, resident))
        with state.lock:
            state.log.append({**entry, "outcome": outcome})
        self._json(200, {"message": message})


def serve(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    state = State(
        token=config["token"],
        timeout_seconds=float(config.get("timeout_seconds", 3.0)),
        residents=generate(int(config.get("households", 900))),
    )
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", int(config.get("port", 0))), handler)
    server.daemon_threads = True
    Path(config["port_file"]).write_text(str(server.server_address[1]), encoding="utf-8")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
