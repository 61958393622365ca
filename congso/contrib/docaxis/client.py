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

With ``CONGSO_DOCAXIS_VIA_LGSP`` the same requests go through the province's integration
platform (services ``VDXP.SendEdoc``, ``VDXP.GetReceivedEdocList``, ``VDXP.GetEdoc``,
``VDXP.UpdateStatus``, ``VDXP.GetAgencies``) with the one LGSP client.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

from congso.exchange import platform


class AxisUnavailable(Exception):
    """No usable answer (network, timeout, HTTP 5xx, not JSON): try again later."""


class AxisRefused(Exception):
    """The axis said no (authentication, a malformed request): retrying will not help."""


def _via_platform(
    op: str, method: str, path: str, body: bytes | None, headers: dict[str, str]
) -> bytes:
    """The same request carried by the province's integration platform (service ``VDXP.<op>``,
    the LGSP client's session, message id, breaker and request log); the platform relays it to
    the axis with this system's credentials and hands back the axis's answer as it came."""
    data = {
        "method": method,
        "path": path,
        "headers": headers,
        "body_b64": base64.b64encode(body or b"").decode("ascii"),
    }
    try:
        answer = platform.call(f"VDXP.{op}", data, subject=headers.get("X-To", "")[:60])
    except platform.PlatformError as exc:
        if exc.unavailable:
            raise AxisUnavailable(f"Nền tảng tích hợp (LGSP) không chuyển được: {exc}") from exc
        raise AxisRefused(f"Nền tảng tích hợp (LGSP) từ chối: {exc}") from exc
    status = answer.get("status")
    try:
        content = base64.b64decode(str(answer.get("body_b64") or ""), validate=True)
    except ValueError as exc:
        raise AxisUnavailable("Nền tảng tích hợp trả lời không đúng dạng.") from exc
    if not isinstance(status, int) or status >= 500:
        raise AxisUnavailable(f"Trục liên thông lỗi HTTP {status} (qua LGSP).")
    if status >= 400:
        text = content.decode("utf-8", "replace")[:300]
        raise AxisRefused(f"Trục liên thông từ chối (HTTP {status}, qua LGSP): {text}")
    return content


def _request(
    op: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    all_headers = {
        "X-System-Id": settings.DOCAXIS_SYSTEM_ID,
        "X-Secret": settings.DOCAXIS_SECRET,
        **(headers or {}),
    }
    if settings.DOCAXIS_VIA_LGSP:
        return _via_platform(op, method, path, body, all_headers)
    base = settings.DOCAXIS_URL.rstrip("/")
    if not base:
        raise AxisRefused("Chưa cấu hình địa chỉ trục liên thông (CONGSO_DOCAXIS_URL).")
    request = urllib.request.Request(  # noqa: S310 - the configured axis URL
        base + path, data=body, method=method, headers=all_headers
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
            "SendEdoc",
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
    answer = _json(_request("GetReceivedEdocList", "GET", "/api/edoc/received"))
    return [item for item in answer or [] if isinstance(item, dict) and item.get("docId")]


def fetch(doc_id: str) -> bytes:
    return _request("GetEdoc", "GET", f"/api/edoc/{urllib.parse.quote(doc_id, safe='')}")


def confirm(doc_id: str) -> None:
    _json(
        _request(
            "UpdateStatus",
            "POST",
            f"/api/edoc/{urllib.parse.quote(doc_id, safe='')}/status",
            body=json.dumps({"status": "done"}).encode(),
            headers={"Content-Type": "application/json"},
        )
    )


def agencies() -> list[dict[str, Any]]:
    answer = _json(_request("GetAgencies", "GET", "/api/agencies"))
    return [item for item in answer or [] if isinstance(item, dict)]
