"""An OpenID provider standing for VNeID or the national portal's SSO (WSO2 Identity Server),
on loopback, with fault injection. Tokens are signed with ``joserfc`` (RS256, JWK sets).

Paths follow WSO2 IS, as the national portal's SSO (``xacthuc.dichvucong.gov.vn``) exposes them:

* ``GET /oauth2/token/.well-known/openid-configuration`` — discovery; the issuer is
  ``<base>/oauth2/token`` (WSO2's default).
* ``GET /oauth2/jwks`` — the signing keys (the current one and, after a rotation, the previous).
* ``GET /oauth2/authorize`` — the authorization-code request (``client_id``, ``redirect_uri``,
  ``state``, ``nonce``, ``code_challenge`` + ``S256``, ``acr_values=LoA1|LoA2``); answers the
  login page listing the seeded accounts (``/authenticationendpoint/login``). A level-2 account
  may sign in at level 1 (password) or 2 (the VNeID app); when ``LoA2`` is asked, level 1 is
  not offered.
* ``POST /oauth2/token`` — ``grant_type=authorization_code``: client authentication (basic or
  form), single-use code, the redirect URI, the PKCE verifier; answers an access token and an
  RS256 ID token (``iss, aud, sub, exp, iat, nonce, acr, amr``, plus the profile's claims).
* ``GET /oauth2/userinfo`` — Bearer access token; the profile's claims: ``vneid`` gives
  ``sub, SoDinhDanh, HoVaTen, NgayThangNamSinh, loAs, IAL, LoaiTaiKhoan``; ``dvcqg`` adds
  ``SoDienThoai, ThuDienTu, GioiTinh, ThuongTru, NoiOHienNay, QuocTich, MaSoThue`` (and
  ``MaSoDoanhNghiep, TenDoanhNghiep`` for a person who represents an enterprise).
* ``GET /oidc/logout`` — RP-initiated logout (``id_token_hint``, ``post_logout_redirect_uri``
  registered, ``state``).
* ``/_sim/…`` — control: ``POST /_sim/faults {"faults": [...]}`` queues faults, each
  ``name`` or ``name:endpoint`` (endpoint ``discovery``, ``jwks``, ``token``, ``userinfo``;
  default ``token``): ``5xx``, ``timeout`` (answer after ``timeout_seconds``),
  ``wrong_audience``, ``expired_token``, ``clock_ahead`` (iat a minute ahead),
  ``bad_signature`` (signed by a key not published, with the current key's id),
  ``unknown_key`` (signed by a fresh key, published from then on: a rotation at the moment of
  signing), ``wrong_nonce``, ``wrong_issuer``, ``hs256`` (HMAC-signed with the client
  secret), ``userinfo_other_sub`` (the userinfo names another subject). ``POST /_sim/rotate``
  makes a new current key (the old one stays published unless ``{"drop_old": true}``);
  ``POST /_sim/reset``; ``GET /_sim/state``
  (logins, token requests, JWKS fetches, logouts; never tokens).

``python -m simulators.vneid serve --config FILE`` runs it (``process.py`` writes the file).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from simulators.vneid.citizens import SEEDED, SimCitizen

ENDPOINTS = ("discovery", "jwks", "token", "userinfo")


def _new_key() -> RSAKey:
    kid = secrets.token_hex(8)
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class State:
    profile: str  # vneid | dvcqg
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    base: str = ""
    timeout_seconds: float = 3.0
    token_seconds: int = 300
    citizens: dict[str, SimCitizen] = field(default_factory=dict)
    keys: list[RSAKey] = field(default_factory=list)  # keys[-1] is current
    faults: deque[tuple[str, str]] = field(default_factory=deque)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    access: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        return f"{self.base}/oauth2/token"

    def take_fault(self, endpoint: str) -> str | None:
        with self.lock:
            for index, (name, target) in enumerate(self.faults):
                if target == endpoint:
                    del self.faults[index]
                    return name
        return None

    def event(self, kind: str, **data: Any) -> None:
        with self.lock:
            self.log.append({"kind": kind, "at": time.time(), **data})


def claims_for(state: State, citizen: SimCitizen, level: int) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": citizen.sub,
        "SoDinhDanh": citizen.personal_id,
        "HoVaTen": citizen.full_name,
        "NgayThangNamSinh": citizen.birth_date,
        "loAs": str(level),
        "IAL": citizen.level,
        "LoaiTaiKhoan": 1,
    }
    if state.profile == "dvcqg":
        claims.update(
            {
                "SoDienThoai": citizen.phone,
                "ThuDienTu": citizen.email,
                "GioiTinh": 1 if citizen.male else 0,
                "ThuongTru": citizen.permanent,
                "NoiOHienNay": citizen.current,
                "QuocTich": "VN",
                "MaSoThue": citizen.tax_code,
            }
        )
        if citizen.business_tax_code:
            claims["MaSoDoanhNghiep"] = citizen.business_tax_code
            claims["TenDoanhNghiep"] = citizen.business_name
    return claims


def _signed_id_token(state: State, claims: dict[str, Any], fault: str | None) -> str:
    """The ID token for ``claims``, with the token fault ``fault`` applied."""
    now = int(claims["iat"])
    key = state.keys[-1]
    if fault == "wrong_audience":
        claims["aud"] = "another-client"
        claims["azp"] = "another-client"
    elif fault == "expired_token":
        claims["iat"] = now - 3600
        claims["exp"] = now - 1800
    elif fault == "clock_ahead":
        # The provider's clock runs a minute ahead: iat (and nbf) in the RP's future.
        claims["iat"] = claims["nbf"] = claims["auth_time"] = now + 60
    elif fault == "bad_signature":
        forger = _new_key()
        key = RSAKey.import_key(
            forger.as_dict(private=True) | {"kid": state.keys[-1].kid},
        )
    elif fault == "unknown_key":
        # The provider rotated its key just now: the new key is published from now on.
        new = _new_key()
        with state.lock:
            state.keys.append(new)
        key = new
    elif fault == "wrong_nonce":
        claims["nonce"] = secrets.token_urlsafe(16)
    elif fault == "wrong_issuer":
        claims["iss"] = "https://sso.example.invalid/oauth2/token"
    if fault == "hs256":
        # The classic confusion: HMAC with the client secret instead of the provider's key.
        secret = OctKey.import_key(state.client_secret.encode())
        return jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, secret)
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


class Handler(BaseHTTPRequestHandler):
    server_version = "vneid-sim"
    state: State

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- Plumbing ---------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode())

    def _html(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/html; charset=utf-8")

    def _redirect(self, url: str) -> None:
        self._send(302, b"", "text/plain", {"Location": url})

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return json.loads(raw or "{}")
        return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))

    def _fault(self, endpoint: str) -> bool:
        """Apply a transport fault queued for ``endpoint``; True when the request is answered."""
        fault = self.state.take_fault(endpoint) if endpoint in ENDPOINTS else None
        if fault is None:
            return False
        if fault == "timeout":
            time.sleep(self.state.timeout_seconds)
            self._json(504, {"error": "timeout"})
            return True
        if fault == "5xx":
            self._json(502, {"error": "bad_gateway"})
            return True
        # Token faults are applied by the token endpoint itself: put it back.
        with self.state.lock:
            self.state.faults.appendleft((fault, endpoint))
        return False

    # --- Routes -----------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        routes = {
            "/oauth2/token/.well-known/openid-configuration": self.discovery,
            "/oauth2/jwks": self.jwks,
            "/oauth2/authorize": lambda: self.authorize(query),
            "/oauth2/userinfo": self.userinfo,
            "/oidc/logout": lambda: self.logout(query),
            "/_sim/state": self.sim_state,
        }
        route = routes.get(url.path)
        if route is None:
            self._json(404, {"error": "not_found"})
            return
        route()

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        routes = {
            "/authenticationendpoint/login": self.login,
            "/oauth2/token": self.token,
            "/oauth2/userinfo": self.userinfo,
            "/_sim/faults": self.sim_faults,
            "/_sim/rotate": self.sim_rotate,
            "/_sim/reset": self.sim_reset,
            "/_sim/config": self.sim_config,
            "/_sim/logout_token": self.sim_logout_token,
        }
        route = routes.get(url.path)
        if route is None:
            self._json(404, {"error": "not_found"})
            return
        route()

    def discovery(self) -> None:
        if self._fault("discovery"):
            return
        self.state.event("discovery")
        base = self.state.base
        self._json(
            200,
            {
                "issuer": self.state.issuer,
                "authorization_endpoint": f"{base}/oauth2/authorize",
                "token_endpoint": f"{base}/oauth2/token",
                "userinfo_endpoint": f"{base}/oauth2/userinfo",
                "jwks_uri": f"{base}/oauth2/jwks",
                "end_session_endpoint": f"{base}/oidc/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": True,
                "acr_values_supported": ["LoA1", "LoA2"],
                "grant_types_supported": ["authorization_code"],
            },
        )

    def jwks(self) -> None:
        if self._fault("jwks"):
            return
        self.state.event("jwks")
        keys = KeySet(list(self.state.keys))
        self._json(200, keys.as_dict(private=False))

    def _client_error(self, text: str) -> None:
        self._html(400, f"<!doctype html><meta charset=utf-8><p>{html.escape(text)}</p>")

    def authorize(self, query: dict[str, str]) -> None:
        state = self.state
        if query.get("client_id") != state.client_id:
            self._client_error("Ứng dụng không được đăng ký (client_id).")
            return
        if query.get("redirect_uri") not in state.redirect_uris:
            self._client_error("Địa chỉ trả về (redirect_uri) không được đăng ký.")
            return
        redirect_uri = query["redirect_uri"]
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            self._redirect(
                redirect_uri
                + "?"
                + urllib.parse.urlencode(
                    {"error": "invalid_request", "state": query.get("state", "")}
                )
            )
            return
        wants_two = "LoA2" in query.get("acr_values", "").split()
        carried = {
            k: query.get(k, "")
            for k in (
                "client_id",
                "redirect_uri",
                "state",
                "nonce",
                "code_challenge",
                "code_challenge_method",
            )
        }
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in carried.items()
        )
        title = "VNeID" if state.profile == "vneid" else "Cổng Dịch vụ công quốc gia"
        rows = []
        for citizen in state.citizens.values():
            buttons = []
            for level in (1, 2):
                if level > citizen.level or (wants_two and level < 2):
                    continue
                label = "mức 1 (mật khẩu)" if level == 1 else "mức 2 (ứng dụng VNeID)"
                buttons.append(
                    f'<button type="submit" name="login" value="{citizen.sub}:{level}" '
                    f'data-sub="{citizen.sub}" data-level="{level}">Đăng nhập {label}</button>'
                )
            note = "" if buttons else "<em>Tài khoản mức 1 không đăng nhập được ở mức 2.</em>"
            rows.append(
                f"<li><strong>{html.escape(citizen.full_name)}</strong> "
                f"· {citizen.personal_id} · tài khoản mức {citizen.level} "
                f"{' '.join(buttons)}{note}</li>"
            )
        cancel = '<button type="submit" name="login" value="cancel">Hủy, quay lại dịch vụ</button>'
        page = (
            "<!doctype html><html lang=vi><meta charset=utf-8>"
            f"<title>{title} — đăng nhập (mô phỏng)</title>"
            f"<h1>{title} — đăng nhập (mô phỏng)</h1>"
            f"<p>Mức xác thực yêu cầu: {'mức 2' if wants_two else 'mức 1'}.</p>"
            f'<form method="post" action="/authenticationendpoint/login">{hidden}'
            f"<ul>{''.join(rows)}</ul>{cancel}</form></html>"
        )
        self._html(200, page)

    def login(self) -> None:
        state = self.state
        form = self._form()
        redirect_uri = form.get("redirect_uri", "")
        if form.get("client_id") != state.client_id or redirect_uri not in state.redirect_uris:
            self._client_error("Yêu cầu đăng nhập không hợp lệ.")
            return
        choice = form.get("login", "")
        if choice == "cancel":
            self._redirect(
                redirect_uri
                + "?"
                + urllib.parse.urlencode({"error": "access_denied", "state": form.get("state", "")})
            )
            return
        sub, _, level_text = choice.partition(":")
        citizen = state.citizens.get(sub)
        level = int(level_text) if level_text.isdigit() else 0
        if citizen is None or not 1 <= level <= citizen.level:
            self._client_error("Tài khoản hoặc mức đăng nhập không có.")
            return
        code = secrets.token_urlsafe(24)
        with state.lock:
            state.codes[code] = {
                "sub": sub,
                "level": level,
                "nonce": form.get("nonce", ""),
                "redirect_uri": redirect_uri,
                "code_challenge": form.get("code_challenge", ""),
                "code_challenge_method": form.get("code_challenge_method", ""),
                "expires": time.time() + 60,
            }
        state.event("login", sub=sub, level=level)
        self._redirect(
            redirect_uri
            + "?"
            + urllib.parse.urlencode({"code": code, "state": form.get("state", "")})
        )

    def _client_authenticated(self, form: dict[str, str]) -> bool:
        header = self.headers.get("Authorization", "")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return False
            client_id, _, secret = decoded.partition(":")
            client_id, secret = urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
        return client_id == self.state.client_id and secrets.compare_digest(
            secret, self.state.client_secret
        )

    def token(self) -> None:
        state = self.state
        if self._fault("token"):
            return
        form = self._form()
        if not self._client_authenticated(form):
            state.event("token", outcome="invalid_client")
            self._json(401, {"error": "invalid_client"})
            return
        if form.get("grant_type") != "authorization_code":
            self._json(400, {"error": "unsupported_grant_type"})
            return
        with state.lock:
            grant = state.codes.pop(form.get("code", ""), None)
        if grant is None or grant["expires"] < time.time():
            state.event("token", outcome="invalid_grant")
            self._json(400, {"error": "invalid_grant", "error_description": "code"})
            return
        if grant["redirect_uri"] != form.get("redirect_uri"):
            self._json(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
            return
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant["code_challenge_method"] != "S256" or not secrets.compare_digest(
                expected, grant["code_challenge"]
            ):
                state.event("token", outcome="pkce")
                self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                return
        citizen = state.citizens[grant["sub"]]
        fault = state.take_fault("token")
        now = int(time.time())
        claims = {
            "iss": state.issuer,
            "aud": state.client_id,
            "azp": state.client_id,
            "iat": now,
            "exp": now + state.token_seconds,
            "auth_time": now,
            "nonce": grant["nonce"],
            "sid": f"sid-{citizen.sub}",
            "acr": f"LoA{grant['level']}",
            "amr": ["pwd"] if grant["level"] == 1 else ["mfa", "app"],
            **claims_for(state, citizen, grant["level"]),
        }
        id_token = _signed_id_token(state, claims, fault)
        access_token = secrets.token_urlsafe(32)
        with state.lock:
            state.access[access_token] = {
                "sub": "vneid-someone-else" if fault == "userinfo_other_sub" else citizen.sub,
                "level": grant["level"],
                "citizen": citizen.sub,
            }
        state.event("token", outcome="ok", sub=citizen.sub, fault=fault or "")
        self._json(
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": state.token_seconds,
                "id_token": id_token,
                "scope": "openid",
            },
        )

    def sim_logout_token(self) -> None:
        """A back-channel logout token (what the provider POSTs to the RP's
        ``backchannel_logout_uri``) for ``{"sub", "sid", "fault"}``, signed with the current key;
        faults: ``wrong_audience``, ``expired_token``, ``bad_signature``, ``no_event``,
        ``with_nonce``."""
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        state = self.state
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": state.issuer,
            "aud": state.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(16),
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
        }
        if body.get("sub"):
            claims["sub"] = body["sub"]
        if body.get("sid"):
            claims["sid"] = body["sid"]
        fault = body.get("fault", "")
        key = state.keys[-1]
        if fault == "wrong_audience":
            claims["aud"] = "another-client"
        elif fault == "expired_token":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif fault == "no_event":
            claims.pop("events")
        elif fault == "with_nonce":
            claims["nonce"] = "n"
        elif fault == "bad_signature":
            key = RSAKey.import_key(_new_key().as_dict(private=True) | {"kid": key.kid})
        token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"}, claims, key)
        state.event("logout_token", sub=body.get("sub", ""), fault=fault)
        self._json(200, {"logout_token": token})

    def userinfo(self) -> None:
        if self._fault("userinfo"):
            return
        header = self.headers.get("Authorization", "")
        grant = self.state.access.get(header[7:]) if header.startswith("Bearer ") else None
        if grant is None:
            self._send(
                401, b"", "application/json", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
            return
        self.state.event("userinfo", sub=grant["sub"])
        citizen = self.state.citizens[grant.get("citizen", grant["sub"])]
        self._json(200, claims_for(self.state, citizen, grant["level"]) | {"sub": grant["sub"]})

    def logout(self, query: dict[str, str]) -> None:
        target = query.get("post_logout_redirect_uri", "")
        hint = query.get("id_token_hint", "")
        sub = ""
        if hint:
            try:
                token = jwt.decode(hint, KeySet(list(self.state.keys)), algorithms=["RS256"])
                sub = str(token.claims.get("sub", ""))
            except Exception:
                sub = ""
        self.state.event("logout", sub=sub, hinted=bool(sub))
        if target and target in self.state.post_logout_redirect_uris:
            suffix = (
                "?" + urllib.parse.urlencode({"state": query["state"]})
                if query.get("state")
                else ""
            )
            self._redirect(target + suffix)
            return
        self._html(200, "<!doctype html><meta charset=utf-8><p>Bạn đã đăng xuất khỏi VNeID.</p>")

    # --- Control ----------------------------------------------------------------------------

    def sim_faults(self) -> None:
        names = self._form().get("faults", [])
        with self.state.lock:
            for item in names:
                name, _, endpoint = str(item).partition(":")
                self.state.faults.append((name, endpoint or "token"))
        self._json(200, {"queued": len(self.state.faults)})

    def sim_rotate(self) -> None:
        payload = self._form()
        with self.state.lock:
            self.state.keys.append(_new_key())
            if payload.get("drop_old"):
                self.state.keys = self.state.keys[-1:]
        self._json(200, {"kids": [k.kid for k in self.state.keys]})

    def sim_config(self) -> None:
        payload = self._form()
        with self.state.lock:
            for name in ("redirect_uris", "post_logout_redirect_uris"):
                if name in payload:
                    setattr(self.state, name, list(payload[name]))
            if "timeout_seconds" in payload:
                self.state.timeout_seconds = float(payload["timeout_seconds"])
        self._json(200, {"ok": True})

    def sim_reset(self) -> None:
        with self.state.lock:
            self.state.faults.clear()
            self.state.codes.clear()
            self.state.access.clear()
            self.state.log.clear()
        self._json(200, {"ok": True})

    def sim_state(self) -> None:
        with self.state.lock:
            payload = {
                "profile": self.state.profile,
                "issuer": self.state.issuer,
                "kids": [k.kid for k in self.state.keys],
                "faults": [f"{n}:{e}" for n, e in self.state.faults],
                "log": list(self.state.log),
                "citizens": [c.as_dict() for c in self.state.citizens.values()],
            }
        self._json(200, payload)


def serve(config_path: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    state = State(
        profile=config["profile"],
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        redirect_uris=list(config["redirect_uris"]),
        post_logout_redirect_uris=list(config["post_logout_redirect_uris"]),
        timeout_seconds=float(config.get("timeout_seconds", 3.0)),
        citizens={c.sub: c for c in SEEDED},
        keys=[_new_key()],
    )
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", int(config.get("port", 0))), handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    Path(config["port_file"]).write_text(str(server.server_address[1]), encoding="utf-8")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
