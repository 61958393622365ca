"""The Zalo app's writes: the ZNS attempt record (``msg_id`` ↔ message and attempt) and the
delivery callback, verified and handed to the notify service."""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congso.contrib.zalo import client
from congso.contrib.zalo.models import ZnsSend
from congso.core.errors import DomainError, NotFound
from congso.notify import services as notify
from congso.notify.models import Message

log = logging.getLogger(__name__)

#: The callback event of a ZNS message that reached the citizen's device.
RECEIVED = "user_received_message"


def tracking_id(message: Message) -> str:
    """What we send as ``tracking_id``: the message's key and the attempt number, so even a
    callback for an attempt whose answer we never got (a timeout) finds its message."""
    return f"{message.key.hex}-{message.attempts}"


def _parse_tracking(value: Any) -> tuple[str, int] | None:
    key, _, attempt = str(value or "").partition("-")
    try:
        return str(uuid.UUID(hex=key)), int(attempt)
    except ValueError:
        return None


def send_record(*, message: Message, msg_id: str) -> None:
    """Zalo accepted this attempt of ``message`` as ``msg_id``."""
    with transaction.atomic():
        ZnsSend.objects.get_or_create(
            msg_id=msg_id[:64],
            defaults={
                "message_id": message.pk,
                "attempt": message.attempts,
                "tracking_id": tracking_id(message),
                "sent_at": timezone.now(),
            },
        )


class CallbackRefused(DomainError):
    """A callback that is not Zalo's (bad or missing signature, another app) or not JSON."""

    status = 403


def callback_record(*, body: bytes, signature: str) -> str:
    """Verify one callback of Zalo's and apply it: ``recorded`` (a delivery), ``ignored`` (an
    event congso does not use: the OA's chat events arrive at the same address), ``unknown``
    (a delivery of a message that is not ours). Raises :class:`CallbackRefused`."""
    if not settings.ZALO_OA_SECRET or not settings.ZALO_APP_ID:
        raise CallbackRefused("zalo_not_configured", "Kênh Zalo chưa được cấu hình.")
    try:
        text = body.decode("utf-8")
        data = json.loads(text)
    except ValueError:
        raise CallbackRefused("invalid_callback", "Dữ liệu gọi lại không phải JSON.") from None
    if not isinstance(data, dict):
        raise CallbackRefused("invalid_callback", "Dữ liệu gọi lại không đúng dạng.")
    expected = client.signature(
        app_id=settings.ZALO_APP_ID,
        body=text,
        timestamp=str(data.get("timestamp", "")),
        oa_secret=settings.ZALO_OA_SECRET,
    )
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        log.warning("zalo callback refused: bad signature (event %r)", data.get("event_name"))
        raise CallbackRefused("bad_signature", "Chữ ký X-ZEvent-Signature không đúng.")
    if str(data.get("app_id", settings.ZALO_APP_ID)) != settings.ZALO_APP_ID:
        raise CallbackRefused("wrong_app", "Gọi lại của ứng dụng Zalo khác.")
    if data.get("event_name") != RECEIVED:
        return "ignored"
    raw = data.get("message")
    detail: dict[str, Any] = raw if isinstance(raw, dict) else {}
    msg_id = str(detail.get("msg_id", ""))
    send = (
        ZnsSend.objects.select_related("message").filter(msg_id=msg_id).first() if msg_id else None
    )
    if send is not None:
        key, attempt = str(send.message.key), send.attempt
    else:
        parsed = _parse_tracking(detail.get("tracking_id"))
        if parsed is None:
            return "unknown"
        key, attempt = parsed
    answer = f"Zalo: {RECEIVED} (msg_id {msg_id})" if msg_id else f"Zalo: {RECEIVED}"
    try:
        notify.delivery_report_record(key=key, attempt=attempt, dlr_type=1, answer=answer)
    except NotFound:
        return "unknown"
    return "recorded"
