"""Reads: a dossier's messages, failures, counts per day and channel."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from congso.notify.models import Message


def dossier_messages(*, dossier_id: int) -> QuerySet[Message]:
    """What the dossier page shows: every message with its delivery status."""
    return (
        Message.objects.filter(dossier_id=dossier_id)
        .only(
            "kind", "channel", "recipient", "status", "created_at", "sending_at", "sent_at",
            "delivered_at", "failed_at", "operator_answer", "last_error", "dossier_id",
        )
        .order_by("created_at", "pk")
    )  # fmt: skip


def failures() -> QuerySet[Message]:
    return Message.objects.filter(status__in=[Message.Status.FAILED, Message.Status.DEAD]).order_by(
        "-failed_at", "-pk"
    )


def counts_per_day(*, since: date, until: date) -> list[dict[str, Any]]:
    """Messages per local day and channel, with how many were delivered/sent/failed."""
    tz = timezone.get_current_timezone()
    rows = (
        Message.objects.filter(created_at__date__gte=since, created_at__date__lte=until)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "channel", "status")
        .annotate(n=Count("pk"), duplicates=Sum("duplicates"))
        .order_by("day", "channel", "status")
    )
    out: dict[tuple[date, str], dict[str, Any]] = {}
    for row in rows:
        entry = out.setdefault(
            (row["day"], row["channel"]),
            {"day": row["day"], "channel": row["channel"], "total": 0, "duplicates": 0},
        )
        entry[row["status"]] = row["n"]
        entry["total"] += row["n"]
        entry["duplicates"] += row["duplicates"] or 0
    return list(out.values())


def daily_counts(start: date, end: date) -> list[dict[str, Any]]:
    """For the indicators: per local day (of creation, ``start``..``end`` inclusive) and channel,
    ``sent`` = accepted by the gateway (SMTP 250 / Kannel accepted, delivered or not),
    ``delivered`` = delivery confirmed by the operator (SMS only; e-mail has no receipt),
    ``failed`` = refused, undeliverable or given up (``failed`` + ``dead``)."""
    tz = timezone.get_current_timezone()
    S = Message.Status
    rows = (
        Message.objects.annotate(day=TruncDate("created_at", tzinfo=tz))
        .filter(day__gte=start, day__lte=end)
        .values("day", "channel")
        .annotate(
            sent=Count("pk", filter=Q(status__in=[S.SENT, S.DELIVERED, S.NO_REPORT])),
            delivered=Count("pk", filter=Q(status=S.DELIVERED)),
            failed=Count("pk", filter=Q(status__in=[S.FAILED, S.DEAD])),
        )
        .order_by("day", "channel")
    )
    return [
        {
            "day": row["day"],
            "channel": row["channel"],
            "sent": row["sent"],
            "delivered": row["delivered"],
            "failed": row["failed"],
        }
        for row in rows
    ]
