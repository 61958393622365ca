"""Webhooks: congso's own events for other systems (docs/integration.md, "Webhooks").

* :func:`fan_out` — a handler of the dossiers' event outbox (after commit, in the worker): one
  :class:`Delivery` per matching subscription (event type, agency, procedure), idempotent.
* The message is a *thin* CloudEvents 1.0 event (structured mode, ``application/cloudevents+
  json``): what happened to which dossier, and where to read it — not the dossier itself.
* Signed like the Standard Webhooks specification: ``webhook-id`` (the event id, the same on
  every retry — receivers drop ids they have seen), ``webhook-timestamp`` (Unix seconds —
  receivers refuse old ones: no replay), ``webhook-signature: v1,<base64 HMAC-SHA256 of
  "id.timestamp.body" with the subscription's secret>``.
* :func:`deliver_due` — retries with exponential back-off and jitter, a delivery log, a dead
  delivery after ``WEBHOOK_MAX_ATTEMPTS``; after ``WEBHOOK_SUSPEND_AFTER`` dead deliveries in a
  row the subscription is suspended and its owner told by e-mail. Deliveries wait (they are
  not dropped) while a subscription is suspended; :func:`reactivate` lets them go.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import DomainError, NotFound, PermissionDenied
from congso.core.types import Actor
from congso.core.worker import enqueue
from congso.dossiers.models import Dossier, DossierEvent
from congso.integration.models import Delivery, Subscription

log = logging.getLogger(__name__)

PREFIX = "vn.congso."
#: The channels (CloudEvents type prefixes). Dossier events are published now; the others are
#: reserved for the apps that will publish them (documents, payments, feedback).
CHANNELS = ("dossier", "document", "payment", "feedback")
CLAIM = timedelta(minutes=2)
MAX_BODY = 64 * 1024


def event_type(kind: str) -> str:
    """``dossier.receive`` → ``vn.congso.dossier.receive``."""
    return PREFIX + kind


def _valid_type(value: str) -> bool:
    if not value.startswith(PREFIX):
        return False
    channel, _, rest = value[len(PREFIX) :].partition(".")
    return channel in CHANNELS and bool(rest) and all(c.isalnum() or c in "_*" for c in rest)


def matches(subscription: Subscription, kind: str, agency: str, procedure: str) -> bool:
    if subscription.agency_code and subscription.agency_code != agency:
        return False
    if subscription.procedure_code and subscription.procedure_code != procedure:
        return False
    if not subscription.event_types:
        return True
    for wanted in subscription.event_types:
        if wanted == kind or (wanted.endswith(".*") and kind.startswith(wanted[:-1])):
            return True
    return False


def cloud_event(event: DossierEvent, dossier: Dossier) -> dict[str, Any]:
    base = settings.SIGNING_PUBLIC_URL.rstrip("/")
    return {
        "specversion": "1.0",
        "id": f"dossier-event-{event.pk}",
        "source": f"{base}/api/v1/dossiers",
        "type": event_type(event.kind),
        "subject": dossier.code,
        "time": timezone.localtime(event.created_at).isoformat(),
        "datacontenttype": "application/json",
        "data": {
            "code": dossier.code,
            "action": event.payload.get("action"),
            "status": event.payload.get("status"),
            "national_status": event.payload.get("national_status"),
            "version": event.payload.get("version"),
            "agency": dossier.competent_agency.code,
            "procedure": dossier.procedure_version.procedure.code,
            "url": f"{base}/api/v1/dossiers/{dossier.code}",
        },
    }


def fan_out(event: DossierEvent) -> None:
    """Queue the event for every subscription that wants it (a dossiers event handler)."""
    subscriptions = list(Subscription.objects.filter(active=True))
    if not subscriptions:
        return
    dossier = Dossier.objects.select_related(
        "competent_agency", "procedure_version__procedure"
    ).get(pk=event.dossier_id)
    message = cloud_event(event, dossier)
    kind = message["type"]
    agency, procedure = dossier.competent_agency.code, dossier.procedure_version.procedure.code
    now = timezone.now()
    queued = False
    for subscription in subscriptions:
        if matches(subscription, kind, agency, procedure):
            queued = True
            Delivery.objects.get_or_create(
                subscription=subscription,
                event_id=message["id"],
                defaults={
                    "event_type": kind,
                    "subject": dossier.code,
                    "message": message,
                    "next_attempt_at": now,
                    "created_at": now,
                },
            )
    if queued:  # send now rather than at the next periodic run
        enqueue("integration.webhooks")


# --- Signing -------------------------------------------------------------------------------------


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def verify(
    secret: str,
    headers: dict[str, str],
    body: bytes,
    *,
    tolerance: int = 300,
    now: int | None = None,
) -> bool:
    """The receiver's check (documented in docs/integration.md; used by the tests): a valid
    signature over id, timestamp and body, and a timestamp within ``tolerance`` seconds."""
    lowered = {k.lower(): v for k, v in headers.items()}
    message_id = lowered.get("webhook-id", "")
    try:
        timestamp = int(lowered.get("webhook-timestamp", ""))
    except ValueError:
        return False
    if abs((now if now is not None else int(time.time())) - timestamp) > tolerance:
        return False
    expected = signature(secret, message_id, timestamp, body)
    offered = lowered.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, sig) for sig in offered)


# --- Delivering ----------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    base = min(settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=base * random.uniform(0.5, 1.5))  # noqa: S311 - jitter


def claim(now: datetime, limit: int) -> list[Delivery]:
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(
                state=Delivery.State.PENDING,
                next_attempt_at__lte=now,
                subscription__active=True,
                subscription__suspended_at__isnull=True,
            )
            .order_by("next_attempt_at", "pk")[:limit]
        )
        if rows:
            Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(next_attempt_at=now + CLAIM)
    return rows


def _post(delivery: Delivery) -> tuple[int, str]:
    body = json.dumps(delivery.message, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - the subscriber's http(s) URL, checked
        delivery.subscription.callback_url,
        data=body,
        headers={
            "Content-Type": "application/cloudevents+json; charset=utf-8",
            "User-Agent": "congso-webhooks/1",
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(
                delivery.subscription.secret, delivery.event_id, timestamp, body
            ),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.WEBHOOK_TIMEOUT
        ) as response:
            return response.status, response.read(500).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(500).decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        return 0, str(exc)[:500]


def _suspend(subscription: Subscription, reason: str) -> None:
    now = timezone.now()
    updated = Subscription.objects.filter(pk=subscription.pk, suspended_at__isnull=True).update(
        suspended_at=now, suspended_reason=reason
    )
    if not updated:
        return
    email = getattr(subscription.owner, "email", "")
    if email:
        send_mail(
            subject=f"[congso] Webhook «{subscription.name}» đã bị tạm dừng",
            message=(
                f"Địa chỉ {subscription.callback_url} không nhận được sự kiện nhiều lần liên "
                f"tiếp nên đăng ký webhook «{subscription.name}» đã bị tạm dừng lúc "
                f"{timezone.localtime(now):%H:%M %d/%m/%Y}.\n\nLý do: {reason}\n\nCác sự kiện "
                "mới vẫn được giữ lại. Khi địa chỉ nhận hoạt động trở lại, hãy kích hoạt lại "
                "đăng ký (API: POST /api/v1/webhooks/{id}/reactivate) để nhận tiếp."
            ),
            from_email=None,
            recipient_list=[email],
            fail_silently=True,
        )
    log.warning("webhook subscription %s suspended: %s", subscription.pk, reason)


def deliver(delivery: Delivery) -> bool:
    status, answer = _post(delivery)
    now = timezone.now()
    subscription = delivery.subscription
    if 200 <= status < 300:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.DELIVERED,
            attempts=delivery.attempts + 1,
            last_status=status,
            last_error="",
            delivered_at=now,
        )
        Subscription.objects.filter(pk=subscription.pk).update(dead_in_a_row=0)
        return True
    attempts = delivery.attempts + 1
    error = f"HTTP {status}: {answer}" if status else f"Không gửi được: {answer}"
    if attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.DEAD,
            attempts=attempts,
            last_status=status or None,
            last_error=error[:2000],
        )
        Subscription.objects.filter(pk=subscription.pk).update(dead_in_a_row=F("dead_in_a_row") + 1)
        dead = Subscription.objects.values_list("dead_in_a_row", flat=True).get(pk=subscription.pk)
        if dead >= settings.WEBHOOK_SUSPEND_AFTER:
            _suspend(subscription, f"{dead} sự kiện liên tiếp không gửi được; lần cuối: {error}")
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts,
            last_status=status or None,
            last_error=error[:2000],
            next_attempt_at=now + backoff(attempts),
        )
    return False


def _usable(subscription_id: int) -> bool:
    return Subscription.objects.filter(
        pk=subscription_id, active=True, suspended_at__isnull=True
    ).exists()


def deliver_due(*, limit: int | None = None) -> int:
    tried = 0
    while limit is None or tried < limit:
        batch = claim(timezone.now(), 20)
        if not batch:
            break
        suspended: set[int] = set()
        for delivery in batch:
            if delivery.subscription_id in suspended or not _usable(delivery.subscription_id):
                suspended.add(delivery.subscription_id)
                # Back in the queue as it was: delivered once the subscription is reactivated.
                Delivery.objects.filter(pk=delivery.pk).update(
                    next_attempt_at=delivery.next_attempt_at
                )
                continue
            deliver(delivery)
            tried += 1
    return tried


# --- Subscriptions (the write path of the API and the admin) -------------------------------------


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise DomainError(
            "invalid_callback_url",
            "Địa chỉ nhận phải là một URL http(s) đầy đủ, tối đa 500 ký tự.",
            field="callback_url",
        )
    if (
        parts.scheme == "http"
        and not settings.DEBUG
        and parts.hostname
        not in (
            "127.0.0.1",
            "localhost",
            "::1",
        )
    ):
        raise DomainError(
            "invalid_callback_url",
            "Địa chỉ nhận phải dùng https (http chỉ dùng được với máy cục bộ).",
            field="callback_url",
        )
    return url


def _check_types(values: list[str]) -> list[str]:
    for value in values:
        if not _valid_type(value):
            raise DomainError(
                "invalid_event_type",
                f"Loại sự kiện «{value[:80]}» không hợp lệ: dạng vn.congso.<kênh>.<thao tác> "
                f"hoặc vn.congso.<kênh>.*, kênh là một trong {', '.join(CHANNELS)}.",
                field="event_types",
            )
    return list(dict.fromkeys(values))


def subscribe(
    *,
    actor: Actor,
    name: str,
    callback_url: str,
    event_types: list[str] | None = None,
    agency_code: str = "",
    procedure_code: str = "",
) -> tuple[Subscription, str]:
    """Create a subscription owned by ``actor``; returns it and its secret (shown once)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("login_required", "Cần đăng nhập để đăng ký webhook.")
    if not actor.has_perm("integration.add_subscription"):
        raise PermissionDenied(
            "forbidden",
            "Tài khoản chưa được cấp quyền đăng ký nhận sự kiện (integration.add_subscription).",
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        subscription = Subscription.objects.create(
            owner=actor,  # type: ignore[misc]  # a signed-in user (checked above)
            name=(name or "Webhook").strip()[:100],
            callback_url=_check_url(callback_url),
            secret=secret,
            event_types=_check_types(event_types or []),
            agency_code=(agency_code or "").strip()[:13],
            procedure_code=(procedure_code or "").strip()[:30],
            created_at=timezone.now(),
        )
        record(
            actor=actor,
            action="integration.webhook.subscribe",
            target=subscription,
            before=None,
            after={"url": subscription.callback_url, "types": subscription.event_types},
        )
    return subscription, secret


def owned(actor: Actor, subscription_id: int) -> Subscription:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None or (
        subscription.owner_id != getattr(actor, "pk", None)
        and not getattr(actor, "is_superuser", False)
    ):
        raise NotFound("not_found", "Không tìm thấy đăng ký webhook.")
    return subscription


def unsubscribe(*, actor: Actor, subscription_id: int) -> None:
    with transaction.atomic():
        subscription = owned(actor, subscription_id)
        record(
            actor=actor,
            action="integration.webhook.unsubscribe",
            target=subscription,
            before={"url": subscription.callback_url},
            after=None,
        )
        subscription.delete()


def reactivate(*, actor: Actor, subscription_id: int) -> Subscription:
    with transaction.atomic():
        subscription = owned(actor, subscription_id)
        before = {
            "suspended_at": subscription.suspended_at,
            "reason": subscription.suspended_reason,
        }
        subscription.suspended_at = None
        subscription.suspended_reason = ""
        subscription.dead_in_a_row = 0
        subscription.active = True
        subscription.save()
        Delivery.objects.filter(subscription=subscription, state=Delivery.State.PENDING).update(
            next_attempt_at=timezone.now()
        )
        record(
            actor=actor,
            action="integration.webhook.reactivate",
            target=subscription,
            before=before,
            after={"suspended_at": None},
        )
    return subscription


def resend(*, actor: Actor, delivery_id: int) -> Delivery:
    """Queue a delivery again now (a dead one, or a delivered one the receiver lost)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound("not_found", "Không tìm thấy lần gửi webhook.")
        owned(actor, delivery.subscription_id)
        if delivery.state == Delivery.State.PENDING:
            raise DomainError("nothing_to_resend", "Sự kiện này đang chờ gửi.")
        before = {"state": delivery.state, "attempts": delivery.attempts}
        delivery.state = Delivery.State.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        record(
            actor=actor,
            action="integration.webhook.resend",
            target=delivery.subscription,
            before=before,
            after={"delivery": delivery.pk, "state": delivery.state},
        )
    return delivery
