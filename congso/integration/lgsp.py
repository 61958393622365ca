"""The one client of the provincial integration platform (LGSP) — used by the portal sync and
meant for every national service reached through the platform (population database, document
axis).

The protocol (the DVCQG adapter as OpenCPS and provincial systems call it; docs/integration.md):

* ``POST {url}/auth`` ``{"username", "password"}`` → ``{"error_code": 0, "session"}``;
* ``POST {url}/service`` ``{"session", "madonvi", "service": "<name>", "data": {…}}`` with the
  headers ``X-Message-Id`` (a fresh UUID per call, as an X-Road security server stamps every
  message), ``X-Client`` (the province's unit code) and ``X-Service`` → ``{"error_code": 0,
  "message", "message_id": <echo>, "data"}``. ``error_code`` 401: the session expired (the
  client signs in again once and repeats the call); any other non-zero code: refused.

Every call is logged (:class:`~congso.integration.models.LgspCall`: message id, service,
outcome, HTTP status, duration); a circuit breaker per platform fails calls at once after
``LGSP_BREAKER_FAILURES`` consecutive failures, for ``LGSP_BREAKER_SECONDS``, then lets one
trial call through. Standard library HTTP (``urllib``), like the other gateways of congso.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from congso.core.errors import DomainError
from congso.exchange.platform import PlatformError
from congso.integration.models import LgspCall

SESSION_EXPIRED = 401


class LgspError(DomainError):
    """A call that did not succeed. ``uncertain``: the platform may have done the work (a
    timeout, an answer that does not match the request): look before doing it again."""

    status = 503

    def __init__(
        self,
        code: str,
        message: str,
        *,
        uncertain: bool = False,
        service_code: int | None = None,
    ) -> None:
        super().__init__(code, message)
        self.uncertain = uncertain
        #: The service's own ``error_code`` when it refused the request.
        self.service_code = service_code


def _error(code: str, message: str, **kwargs: Any) -> LgspError:
    return LgspError(code, message, **kwargs)


@dataclass(frozen=True)
class Platform:
    """The LGSP of one province (settings ``CONGSO_LGSP_*`` and ``CONGSO_LGSP_PROVINCES``)."""

    province: str
    url: str
    username: str
    password: str = field(repr=False)
    unit_code: str
    timeout: float

    @property
    def key(self) -> str:
        return f"{self.province}|{self.url}"


def platform(province: str = "") -> Platform:
    overrides: dict[str, Any] = {}
    if settings.LGSP_PROVINCES:
        overrides = json.loads(settings.LGSP_PROVINCES).get(province, {})
    url = str(overrides.get("url", settings.LGSP_URL)).rstrip("/")
    if not url:
        raise _error(
            "lgsp_not_configured",
            "Chưa cấu hình nền tảng tích hợp (LGSP) của tỉnh (CONGSO_LGSP_URL).",
        )
    return Platform(
        province=province,
        url=url,
        username=str(overrides.get("username", settings.LGSP_USERNAME)),
        password=str(overrides.get("password", settings.LGSP_PASSWORD)),
        unit_code=str(overrides.get("unit_code", settings.LGSP_UNIT_CODE)),
        timeout=float(overrides.get("timeout", settings.LGSP_TIMEOUT)),
    )


class Breaker:
    """Closed → open after ``failures`` consecutive failures → half-open after ``seconds``
    (one trial call; success closes, failure opens again). One per platform and process."""

    def __init__(self) -> None:
        self.failures = 0
        self.opened_at: float | None = None
        self.lock = threading.Lock()

    def allow(self) -> bool:
        with self.lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at >= settings.LGSP_BREAKER_SECONDS:
                self.opened_at = time.monotonic()  # half-open: this one call, then wait again
                return True
            return False

    def success(self) -> None:
        with self.lock:
            self.failures = 0
            self.opened_at = None

    def failure(self) -> None:
        with self.lock:
            self.failures += 1
            if self.failures >= settings.LGSP_BREAKER_FAILURES:
                self.opened_at = time.monotonic()

    @property
    def open(self) -> bool:
        return self.opened_at is not None


_BREAKERS: dict[str, Breaker] = {}
_SESSIONS: dict[str, str] = {}
_GUARD = threading.Lock()


def breaker(target: Platform) -> Breaker:
    with _GUARD:
        return _BREAKERS.setdefault(target.key, Breaker())


def reset() -> None:
    """Forget sessions and breaker states (tests; a configuration change)."""
    with _GUARD:
        _BREAKERS.clear()
        _SESSIONS.clear()


def _post(
    target: Platform, path: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the configured platform URL
        target.url + path,
        data=data,
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=target.timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")[:200]
        code = "lgsp_unavailable" if exc.code >= 500 else "lgsp_refused"
        raise _error(code, f"LGSP trả lời HTTP {exc.code}: {text}") from exc
    except TimeoutError as exc:
        raise _error(
            "lgsp_unavailable", "LGSP không trả lời trong thời gian chờ.", uncertain=True
        ) from exc
    except urllib.error.URLError as exc:
        uncertain = isinstance(exc.reason, TimeoutError | socket.timeout)
        raise _error(
            "lgsp_unavailable", f"Không kết nối được LGSP: {exc.reason}", uncertain=uncertain
        ) from exc
    except OSError as exc:  # a reset connection after the request went out
        raise _error("lgsp_unavailable", f"Mất kết nối với LGSP: {exc}", uncertain=True) from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise _error("lgsp_unavailable", "LGSP trả lời không phải JSON.", uncertain=True) from exc
    if not isinstance(answer, dict):
        raise _error("lgsp_unavailable", "LGSP trả lời sai định dạng.", uncertain=True)
    return status, answer


def _session(target: Platform, *, renew: bool = False) -> str:
    if not renew and (token := _SESSIONS.get(target.key)):
        return token
    if not target.username:
        raise _error("lgsp_not_configured", "Chưa cấu hình tài khoản LGSP (CONGSO_LGSP_USERNAME).")
    _, answer = _post(
        target, "/auth", {"username": target.username, "password": target.password}, {}
    )
    if answer.get("error_code") != 0 or not answer.get("session"):
        raise _error(
            "lgsp_refused",
            f"LGSP từ chối đăng nhập: {str(answer.get('message', ''))[:200]}",
        )
    token = str(answer["session"])
    _SESSIONS[target.key] = token
    return token


def call(
    service: str, data: dict[str, Any], *, province: str = "", subject: str = ""
) -> dict[str, Any]:
    """Call ``service`` through the province's LGSP; returns the answer's ``data`` (a dict).

    Raises :class:`LgspError` (``circuit_open``, ``lgsp_unavailable``, ``lgsp_refused``,
    ``lgsp_not_configured``); every outcome is logged with the call's message id."""
    target = platform(province)
    message_id = uuid.uuid4()
    body_hash = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    started, clock = timezone.now(), time.monotonic()
    log = LgspCall(
        message_id=message_id,
        province=province,
        service=service,
        subject=subject[:60],
        request_sha256=body_hash,
        started_at=started,
    )
    gate = breaker(target)
    if not gate.allow():
        log.outcome = LgspCall.Outcome.CIRCUIT_OPEN
        log.save()
        raise _error(
            "circuit_open", "LGSP đang tạm ngắt mạch sau nhiều lỗi liên tiếp; sẽ thử lại sau."
        )
    headers = {
        "X-Message-Id": str(message_id),
        "X-Client": target.unit_code,
        "X-Service": service,
    }
    status: int | None = None
    try:
        answer: dict[str, Any] = {}
        for renew in (False, True):
            body = {
                "session": _session(target, renew=renew),
                "madonvi": target.unit_code,
                "service": service,
                "data": data,
            }
            status, answer = _post(target, "/service", body, headers)
            if answer.get("error_code") != SESSION_EXPIRED:
                break
        if answer.get("message_id") != str(message_id):
            raise _error(
                "lgsp_unavailable",
                "Câu trả lời của LGSP không khớp mã thông điệp đã gửi (trả lời trùng hoặc lạc).",
                uncertain=True,
            )
        if answer.get("error_code") != 0:
            log.error_code = str(answer.get("error_code"))[:30]
            code = answer.get("error_code")
            raise _error(
                "lgsp_refused",
                f"Dịch vụ {service} trả lỗi {code}: {str(answer.get('message', ''))[:300]}",
                service_code=code if isinstance(code, int) else None,
            )
    except LgspError as exc:
        if exc.code == "lgsp_refused":
            gate.success()  # the platform works; it refused this request
            log.outcome = LgspCall.Outcome.REFUSED
        else:
            gate.failure()
            log.outcome = (
                LgspCall.Outcome.TIMEOUT if exc.uncertain else LgspCall.Outcome.UNAVAILABLE
            )
        log.http_status = status
        log.detail = exc.message[:500]
        log.duration_ms = int((time.monotonic() - clock) * 1000)
        log.save()
        raise
    gate.success()
    log.outcome = LgspCall.Outcome.OK
    log.http_status = status
    log.duration_ms = int((time.monotonic() - clock) * 1000)
    log.save()
    result = answer.get("data")
    return result if isinstance(result, dict) else {"value": result}


def bridge(service: str, data: dict[str, Any], *, subject: str = "") -> dict[str, Any]:
    """:func:`call` for the adapters below this app (``congso.exchange.platform``): the
    population database and the document axis reached through the platform. Every call is in
    the request log like the portal sync's."""
    try:
        return call(service, data, subject=subject)
    except LgspError as exc:
        raise PlatformError(exc.message, unavailable=exc.code != "lgsp_refused") from exc
