"""Webhooks (``/api/v1/webhooks``): subscribe to congso's events, see the delivery log, resend,
reactivate a suspended subscription. Thin: parse, call :mod:`congso.integration.webhooks`,
serialise. The messages themselves are described in docs/integration.md ("Webhooks").

Subscribing needs the permission ``integration.add_subscription`` (granted to the accounts of
connected systems): an event names a dossier, its agency and its status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from congso.api import params
from congso.api.auth import SESSION_OR_TOKEN
from congso.api.schemas import ErrorOut
from congso.integration import webhooks
from congso.integration.models import Delivery, Subscription

router = Router(auth=SESSION_OR_TOKEN)

EVENT_TYPES = (
    "Loại sự kiện CloudEvents, dạng `vn.congso.<kênh>.<thao tác>` (ví dụ "
    "`vn.congso.dossier.receive`) hoặc cả một kênh `vn.congso.dossier.*`; kênh: "
    + ", ".join(webhooks.CHANNELS)
    + ". Rỗng: mọi sự kiện."
)


class SubscriptionIn(Schema):
    name: str = Field(max_length=100, description="Tên gợi nhớ.")
    callback_url: str = Field(max_length=500, description="URL https nhận sự kiện (POST).")
    event_types: list[str] = Field(default_factory=list, max_length=50, description=EVENT_TYPES)
    agency_code: str = Field("", max_length=13, description="Chỉ sự kiện của cơ quan này.")
    procedure_code: str = Field("", max_length=30, description="Chỉ sự kiện của thủ tục này.")


class SubscriptionOut(Schema):
    id: int
    name: str
    callback_url: str
    event_types: list[str]
    agency_code: str
    procedure_code: str
    active: bool
    suspended_at: datetime | None = Field(description="Tạm dừng tự động lúc (địa chỉ hỏng).")
    suspended_reason: str
    created_at: datetime


class NewSubscriptionOut(SubscriptionOut):
    secret: str = Field(
        description="Khóa HMAC-SHA256 để kiểm tra chữ ký webhook-signature; chỉ hiện một lần."
    )


class DeliveryOut(Schema):
    id: int
    event_id: str = Field(description="CloudEvents id, cũng là tiêu đề webhook-id.")
    event_type: str
    subject: str
    state: str = Field(description="pending, delivered, dead.")
    attempts: int
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


def _auth(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def _subscription(row: Subscription) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name": row.name,
        "callback_url": row.callback_url,
        "event_types": list(row.event_types or []),
        "agency_code": row.agency_code,
        "procedure_code": row.procedure_code,
        "active": row.active,
        "suspended_at": _local(row.suspended_at),
        "suspended_reason": row.suspended_reason,
        "created_at": _local(row.created_at),
    }


def _delivery(row: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=row.pk,
        event_id=row.event_id,
        event_type=row.event_type,
        subject=row.subject,
        state=row.state,
        attempts=row.attempts,
        last_status=row.last_status,
        last_error=row.last_error,
        created_at=timezone.localtime(row.created_at),
        delivered_at=_local(row.delivered_at),
    )


@router.post(
    "",
    response={201: NewSubscriptionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Đăng ký nhận sự kiện (webhook)",
)
def subscribe(request: HttpRequest, payload: SubscriptionIn) -> Status[NewSubscriptionOut]:
    """Creates a subscription owned by the caller; the answer carries the signing secret once.
    Errors: `invalid_callback_url`, `invalid_event_type` (400), `forbidden` (403)."""
    row, secret = webhooks.subscribe(
        actor=_auth(request),
        name=payload.name,
        callback_url=payload.callback_url,
        event_types=payload.event_types,
        agency_code=payload.agency_code,
        procedure_code=payload.procedure_code,
    )
    return Status(201, NewSubscriptionOut(secret=secret, **_subscription(row)))


@router.get("", response={200: list[SubscriptionOut], 401: ErrorOut}, summary="Các đăng ký của tôi")
def list_subscriptions(request: HttpRequest) -> list[SubscriptionOut]:
    rows = Subscription.objects.filter(owner_id=getattr(_auth(request), "pk", None))
    return [SubscriptionOut(**_subscription(row)) for row in rows]


@router.delete(
    "/{subscription_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="Hủy một đăng ký",
)
def unsubscribe(request: HttpRequest, subscription_id: params.DbInt) -> HttpResponse:
    webhooks.unsubscribe(actor=_auth(request), subscription_id=subscription_id)
    return HttpResponse(status=204)


@router.post(
    "/{subscription_id}/reactivate",
    response={200: SubscriptionOut, 401: ErrorOut, 404: ErrorOut},
    summary="Kích hoạt lại một đăng ký bị tạm dừng",
)
def reactivate(request: HttpRequest, subscription_id: params.DbInt) -> SubscriptionOut:
    """The events kept while it was suspended are delivered again from now."""
    row = webhooks.reactivate(actor=_auth(request), subscription_id=subscription_id)
    return SubscriptionOut(**_subscription(row))


@router.get(
    "/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], 401: ErrorOut, 404: ErrorOut},
    summary="Nhật ký gửi của một đăng ký (mới nhất trước, tối đa 200)",
)
def deliveries(
    request: HttpRequest, subscription_id: params.DbInt, state: str = ""
) -> list[DeliveryOut]:
    row = webhooks.owned(_auth(request), subscription_id)
    rows = Delivery.objects.filter(subscription=row).order_by("-pk")
    if state:
        rows = rows.filter(state=state)
    return [_delivery(d) for d in rows[:200]]


@router.post(
    "/deliveries/{delivery_id}/resend",
    response={200: DeliveryOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Gửi lại một sự kiện",
)
def resend(request: HttpRequest, delivery_id: params.DbInt) -> DeliveryOut:
    """Queues the event again (same id: a receiver that already has it drops it). Error:
    `nothing_to_resend` (it is waiting to be sent)."""
    return _delivery(webhooks.resend(actor=_auth(request), delivery_id=delivery_id))
