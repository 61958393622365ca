"""SMS through Kannel's smsbox HTTP ``sendsms`` interface, with delivery reports."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.urls import path, reverse

from congso.notify.channels import Provider, SendError, providers
from congso.notify.models import Message
from congso.notify.phone import to_e164

# Kannel DLR types: 1 delivered to phone, 2 failed at phone, 4 buffered, 8 accepted by the
# SMSC (operator), 16 rejected by the SMSC. Ask for all of them.
DLR_MASK = 31


def dlr_url(message: Message) -> str:
    path = reverse("notify:kannel-dlr", kwargs={"key": message.key})
    # %d: DLR type, %A: the SMSC's answer; Kannel fills them in when it calls back.
    base = settings.NOTIFY_DLR_BASE_URL.rstrip("/")
    return f"{base}{path}?attempt={message.attempts}&type=%d&answer=%A"


@providers.register
class KannelProvider(Provider):
    id = "kannel"
    label = "Kannel (smsbox sendsms)"
    channel = "sms"
    url_prefix = "kannel"

    def urlpatterns(self) -> list[Any]:
        from congso.contrib.kannel import views

        return [path("dlr/<uuid:key>/", views.kannel_dlr, name="kannel-dlr")]

    def send(self, message: Message) -> str:
        params = {
            "username": settings.NOTIFY_KANNEL_USER,
            "password": settings.NOTIFY_KANNEL_PASSWORD,
            "from": settings.NOTIFY_SMS_SENDER,
            "to": to_e164(message.recipient)[1:],
            "text": message.body,
            "charset": "UTF-8",
            "coding": "2" if settings.NOTIFY_SMS_UNICODE else "0",
            "dlr-mask": str(DLR_MASK),
            "dlr-url": dlr_url(message),
        }
        url = f"{settings.NOTIFY_KANNEL_URL}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(  # noqa: S310 - configured http(s) URL
                url, timeout=settings.NOTIFY_KANNEL_TIMEOUT
            ) as response:
                answer = response.read().decode("utf-8", "replace").strip()
        except urllib.error.HTTPError as exc:
            answer = exc.read().decode("utf-8", "replace").strip()
            # 4xx: Kannel refused this message (bad number, auth): retrying will not help.
            raise SendError(
                f"Kannel HTTP {exc.code}: {answer}", permanent=400 <= exc.code < 500
            ) from exc
        except OSError as exc:
            raise SendError(f"Kannel không phản hồi: {exc}") from exc
        # "0: Accepted for delivery" or "3: Queued for later delivery"
        if answer[:1] not in {"0", "3"}:
            raise SendError(f"Kannel: {answer}")
        return answer[:255]
