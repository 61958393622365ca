"""The document axis's HTTP interface as congso uses it (modelled on the VXP/"Knobstick" SDK:
``sendEdoc``, ``getReceivedEdocList``, ``getEdoc``, ``updateStatus``). Standard library only.

Every call carries ``X-System-Id`` and ``X-Secret``. Answers are JSON
``{"status": "OK"|"FAIL", "ErrorDesc": …, "data": …}`` except the fetch, which returns the
package bytes.

* ``POST /api/edoc/send`` — body the edXML package, headers ``X-Message-Type`` (``edoc`` or
  ``status``), ``X-To`` (the recipient's organ id) and ``X-Message-Key`` (ours, for the
  logs) → ``data.docId``;
* ``GET /api/edoc/received`` → ``data: [{docId, to, messagetype, created}]`` (not yet
  confirmed);
* ``GET /api/edoc/<docId>`` → the package;
* ``POST /api/edoc/<docId>/status`` ``{"status": "done"}`` → confirmed (no longer listed);
* ``GET /api/agencies`` → ``data: [{code, name, parent, active}]``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings


class AxisUnavailable(Exception):
    """No usable answer (network, timeout, HTTP 5xx, not JSON): try again later."""


class AxisRefused(Exception):
    """The axis said no (authentication, a malformed request): retrying will not help."""


def _request(
    method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> bytes:
    base = settings.DOCAXIS_URL.rstrip("/")
    if not base:
        raise AxisRefused("Chưa cấu hình địa chỉ trục liên thông (CONGSO_DOCAXIS_URL).")
    request = urllib.request.Request(  # noqa: S310 - the configured axis URL
        base + path,
        data=body,
        method=method,
        headers={
            "X-System-Id": settings.DOCAXIS_SYSTEM_ID,
            "X-Secret": settings.DOCAXIS_SECRET,
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.DOCAXIS_TIMEOUT
        ) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")[:300]
        if exc.code >= 500:
            raise AxisUnavailable(f"Trục liên thông lỗi HTTP {exc.code}: {text}") from exc
        raise AxisRefused(f"Trục liên thông từ chối (HTTP {exc.code}): {text}") from exc
    except OSError as exc:  # timeouts, refused connections, DNS
        raise AxisUnavailable(f"Trục liên thông không phản hồi: {exc}") from exc


def _json(raw: bytes) -> Any:
    try:
        decoded = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise AxisUnavailable(f"Trục liên thông trả lời không phải JSON: {raw[:200]!r}") from exc
    if not isinstance(decoded, dict):
        raise AxisUnavailable("Trục liên thông trả lời không đúng dạng.")
    if decoded.get("status") != "OK":
        raise AxisRefused(str(decoded.get("ErrorDesc") or decoded)[:300])
    return decoded.get("data")


def send(*, data: bytes, message_type: str, to: str, key: str) -> str:
    answer = _json(
        _request(
            "POST",
            "/api/edoc/send",
            body=data,
            headers={
                "Content-Type": "application/xml",
                "X-Message-Type": message_type,
                "X-To": to,
                "X-Message-Key": urllib.parse.quote(key, safe=""),
            },
        )
    )
    if not isinstance(answer, dict) or not answer.get("docId"):
        raise AxisUnavailable("Trục liên thông không trả mã văn bản.")
    return str(answer["docId"])


def received() -> list[dict[str, Any]]:
    answer = _json(_request("GET", "/api/edoc/received"))
    return [item for item in answer or [] if isinstance(item, dict) and item.get("docId")]


def fetch(doc_id: str) -> bytes:
    return _request("GET", f"/api/edoc/{urllib.parse.quote(doc_id, safe='')}")


def confirm(doc_id: str) -> None:
    _json(
        _request(
            "POST",
            f"/api/edoc/{urllib.parse.quote(doc_id, safe='')}/status",
            body=json.dumps({"status": "done"}).encode(),
            headers={"Content-Type": "application/json"},
        )
    )


def agencies() -> list[dict[str, Any]]:
    answer = _json(_request("GET", "/api/agencies"))
    return [item for item in answer or [] if isinstance(item, dict)]
