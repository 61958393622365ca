"""Reads: a dossier's messages, failures, counts per day and channel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from congso.notify.channels import channels
from congso.notify.models import Message, NotifyDailyFigure


def dossier_messages(*, dossier_id: int) -> QuerySet[Message]:
    """What the dossier page shows: every message with its delivery status."""
    return (
        Message.objects.filter(dossier_id=dossier_id)
        .only(
            "kind", "channel", "recipient", "status", "created_at", "sending_at", "sent_at",
            "delivered_at", "failed_at", "operator_answer", "last_error", "dossier_id",
            "fallback_for_id",
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


def daily_counts(
    start: date, end: date, *, agency_ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """For the indicators: per local day (of creation, ``start``..``end`` inclusive) and channel,
    ``sent`` = accepted by the gateway (SMTP 250 / Kannel accepted, delivered or not),
    ``delivered`` = delivery confirmed by the operator (SMS only; e-mail has no receipt),
    ``failed`` = refused, undeliverable or given up (``failed`` + ``dead``).

    Read from :class:`NotifyDailyFigure` (kept in step with every status change), not from the
    messages; ``agency_ids`` limits it to the messages of those agencies' dossiers."""
    rows = NotifyDailyFigure.objects.filter(day__gte=start, day__lte=end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    grouped = (
        rows.values("day", "channel")
        .annotate(
            sent=Sum(F("sent") + F("delivered") + F("no_report")),
            delivered=Sum("delivered"),
            failed=Sum(F("failed") + F("dead")),
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
        for row in grouped
        if row["sent"] or row["failed"] or row["delivered"]
    ]


def channel_totals(
    start: date, end: date, *, agency_ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """The period's totals per channel (every configured channel, in registry order: SMS first;
    then any other channel with messages in the period): ``sent``, ``delivered``, ``failed`` as
    in :func:`daily_counts`, and ``delivery_rate`` = delivered / sent in percent (one decimal;
    None when nothing was sent or the channel has no delivery receipt, as e-mail)."""
    totals: dict[str, dict[str, Any]] = {}
    for row in daily_counts(start, end, agency_ids=agency_ids):
        entry = totals.setdefault(
            row["channel"], {"channel": row["channel"], "sent": 0, "delivered": 0, "failed": 0}
        )
        for name in ("sent", "delivered", "failed"):
            entry[name] += row[name]
    shown = [channel.id for channel in channels.enabled()]
    shown += sorted(set(totals) - set(shown))
    out = []
    for channel in shown:
        entry = totals.get(channel, {"channel": channel, "sent": 0, "delivered": 0, "failed": 0})
        entry["label"] = channels.label(channel)
        receipts = channel in channels and channels.get(channel).delivery_reports
        entry["delivery_rate"] = (
            (Decimal(entry["delivered"] * 100) / entry["sent"]).quantize(Decimal("0.1"))
            if entry["sent"] and receipts
            else None
        )
        out.append(entry)
    return out
