"""The platform's bridged services: the LGSP relays a connected system's request to a national
back-end (the population database, the document axis) and hands back its answer, as a
provincial LGSP (an ESB) does for the services it publishes.

* ``CSDLDC.TraCuuCongDan`` — the look-up query (``HoVaTen``, ``SoDinhDanh``, …) is posted to the
  population database with the *platform's* bearer token (the province's credentials stay at
  the platform); the answer's HTTP status and JSON body come back as
  ``{"status", "body"}``.
* ``VDXP.<op>`` — ``{"method", "path", "headers", "body_b64"}`` is relayed to the document axis
  with the system's own ``X-System-Id``/``X-Secret`` (the axis tells systems apart); the answer
  comes back as ``{"status", "content_type", "body_b64"}``. Only the axis operations congso's
  adapter knows are relayed, each on its own method and path.

An upstream that does not answer is ``{"status": 502}``: the platform carried the call, the
back-end failed (the client retries as it would a direct 5xx).
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from typing import Any

#: ``VDXP.<op>`` → the method and path pattern it may carry.
AXIS_OPS = {
    "SendEdoc": ("POST", re.compile(r"/api/edoc/send")),
    "GetReceivedEdocList": ("GET", re.compile(r"/api/edoc/received")),
    "GetEdoc": ("GET", re.compile(r"/api/edoc/[^/]+")),
    "UpdateStatus": ("POST", re.compile(r"/api/edoc/[^/]+/status")),
    "GetAgencies": ("GET", re.compile(r"/api/agencies")),
}
#: The headers of a system's axis request the platform passes on.
AXIS_HEADERS = (
    "X-System-Id",
    "X-Secret",
    "X-Message-Type",
    "X-To",
    "X-Message-Key",
    "Content-Type",
)


def _relay(request: urllib.request.Request, timeout: float) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()
    except OSError:
        return 502, "", b""


def population(upstream: dict[str, Any], data: dict[str, Any], timeout: float) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the configured loopback upstream
        str(upstream["url"]),
        data=json.dumps(data, ensure_ascii=False).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {upstream.get('token', '')}",
        },
    )
    status, _, body = _relay(request, timeout)
    try:
        decoded = json.loads(body.decode("utf-8")) if body else None
    except ValueError:
        decoded = None
    return {"status": status, "body": decoded}


def axis_problem(op: str, data: dict[str, Any]) -> str | None:
    """Why this relay request is not one the platform carries (``None``: it is)."""
    allowed = AXIS_OPS.get(op)
    if allowed is None:
        return f"Không có dịch vụ VDXP.{op}"
    method, pattern = allowed
    if data.get("method") != method or not pattern.fullmatch(str(data.get("path", ""))):
        return f"VDXP.{op} không mang {data.get('method')} {data.get('path')}"
    return None


def axis(upstream: dict[str, Any], data: dict[str, Any], timeout: float) -> dict[str, Any]:
    headers = data.get("headers") or {}
    body = base64.b64decode(str(data.get("body_b64") or ""))
    request = urllib.request.Request(  # noqa: S310 - the configured loopback upstream
        str(upstream["url"]).rstrip("/") + str(data["path"]),
        data=body if data["method"] == "POST" else None,
        method=str(data["method"]),
        headers={k: str(v) for k, v in headers.items() if k in AXIS_HEADERS},
    )
    status, content_type, content = _relay(request, timeout)
    return {
        "status": status,
        "content_type": content_type,
        "body_b64": base64.b64encode(content).decode("ascii"),
    }
