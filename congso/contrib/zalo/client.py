"""Zalo's HTTP API as congso uses it: send a ZNS template message, refresh the OA access token,
and the signature of Zalo's callbacks. Standard library only; no state.

* ``POST {CONGSO_ZALO_API_URL}/message/template``, header ``access_token``, JSON body
  ``{"phone": "84…", "template_id", "template_data": {…}, "tracking_id"[, "mode"]}`` →
  ``{"error": 0, "message": "Success", "data": {"msg_id", "sent_time", "quota"}}`` or
  ``{"error": <negative code>, "message": …}`` (HTTP 200 in both cases).
* ``POST {CONGSO_ZALO_OAUTH_URL}/v4/oa/access_token``, header ``secret_key`` (the app's secret
  key), form body ``refresh_token, app_id, grant_type=refresh_token`` →
  ``{"access_token", "refresh_token", "expires_in"}``; the refresh token is single use.
* Callbacks carry ``X-ZEvent-Signature: mac=<sha256 hex of app_id + body + timestamp + OA
  secret key>``, ``timestamp`` being the one in the JSON body.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

#: The ZNS error codes that say "try again later" (Zalo's table, zalo.cloud/zns/guidelines/
#: handle-error-code): unknown error, and sending outside the allowed hours. Every other
#: negative code is final for this message (bad number, no Zalo account, the user refuses
#: ZNS, template not approved or data invalid, out of quota…) and the notice goes by SMS.
TRANSIENT_ERRORS = frozenset({-100, -133})
#: Access token invalid or expired: refresh it, then send again.
TOKEN_INVALID = -124
#: What the citizen's officer reads for the common final codes.
REASONS = {
    -108: "Số điện thoại không hợp lệ với Zalo.",
    -109: "Mã mẫu ZNS không hợp lệ.",
    -111: "Mẫu ZNS không có dữ liệu.",
    -112: "Dữ liệu của mẫu ZNS không hợp lệ (thiếu hoặc sai tham số).",
    -114: "Người dùng không nhận được ZNS (tài khoản, tùy chọn nhận hoặc phiên bản Zalo).",
    -115: "Tài khoản ZNS hết hạn mức (số dư).",
    -117: "OA hoặc ứng dụng không có quyền dùng mẫu này.",
    -118: "Số điện thoại không có tài khoản Zalo (hoặc đã bị khóa).",
    -119: "Tài khoản Zalo không nhận được ZNS.",
    -124: "Access token của OA không hợp lệ hoặc đã hết hạn.",
    -131: "Mẫu ZNS chưa được duyệt.",
}


class ZaloUnavailable(Exception):
    """No usable answer from Zalo (network, timeout, HTTP 5xx): try again later."""


class ZaloRefused(Exception):
    """Zalo answered with an HTTP error status other than 5xx."""


@dataclass(frozen=True)
class Answer:
    error: int
    message: str
    data: dict[str, Any]


def _post(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(  # noqa: S310 - configured https URL
            request, timeout=settings.ZALO_TIMEOUT
        ) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")[:200]
        if exc.code >= 500:
            raise ZaloUnavailable(f"Zalo HTTP {exc.code}: {text}") from exc
        raise ZaloRefused(f"Zalo HTTP {exc.code}: {text}") from exc
    except OSError as exc:  # timeouts, refused connections, DNS
        raise ZaloUnavailable(f"Zalo không phản hồi: {exc}") from exc
    try:
        decoded = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise ZaloUnavailable(f"Zalo trả lời không phải JSON: {raw[:200]!r}") from exc
    if not isinstance(decoded, dict):
        raise ZaloUnavailable(f"Zalo trả lời không đúng dạng: {raw[:200]!r}")
    return decoded


def send_template(
    *, access_token: str, phone: str, template_id: str, data: dict[str, str], tracking_id: str
) -> Answer:
    body: dict[str, Any] = {
        "phone": phone,
        "template_id": template_id,
        "template_data": data,
        "tracking_id": tracking_id,
    }
    if settings.ZALO_DEVELOPMENT_MODE:
        body["mode"] = "development"
    decoded = _post(
        f"{settings.ZALO_API_URL.rstrip('/')}/message/template",
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json", "access_token": access_token},
    )
    try:
        error = int(decoded.get("error", -100))
    except (TypeError, ValueError):
        error = -100
    data_out = decoded.get("data")
    return Answer(
        error, str(decoded.get("message", "")), data_out if isinstance(data_out, dict) else {}
    )


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int


class RefreshFailed(Exception):
    """Zalo refused the refresh token (used, expired or revoked): the app must be authorised
    again and the new tokens put in the environment."""


def refresh(*, refresh_token: str) -> Tokens:
    decoded = _post(
        f"{settings.ZALO_OAUTH_URL.rstrip('/')}/v4/oa/access_token",
        urllib.parse.urlencode(
            {
                "refresh_token": refresh_token,
                "app_id": settings.ZALO_APP_ID,
                "grant_type": "refresh_token",
            }
        ).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "secret_key": settings.ZALO_APP_SECRET,
        },
    )
    access, new_refresh = decoded.get("access_token"), decoded.get("refresh_token")
    if not access or not new_refresh:
        reason = decoded.get("error_description") or decoded.get("error_name") or decoded
        raise RefreshFailed(f"Zalo từ chối làm mới token: {reason}")
    try:
        expires_in = int(decoded.get("expires_in", 0))
    except (TypeError, ValueError):
        expires_in = 0
    return Tokens(str(access), str(new_refresh), expires_in)


def signature(*, app_id: str, body: str, timestamp: str, oa_secret: str) -> str:
    """The ``X-ZEvent-Signature`` value Zalo sends with a callback."""
    digest = hashlib.sha256(f"{app_id}{body}{timestamp}{oa_secret}".encode()).hexdigest()
    return f"mac={digest}"
