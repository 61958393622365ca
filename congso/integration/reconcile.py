"""The nightly reconciliation: the day's dossiers (those that changed that day) compared, field
by field, with what the national portal holds (``TraCuuHoSo``), and the day's "% synced within
5 minutes" (changes whose sync item was confirmed within 5 minutes of the change).

What congso holds for a dossier is the payload of its latest sync item (the state after its
last change) and its number of handling lines; a difference is one row per field, plus
``_ton_tai`` (missing on the portal), ``_tien_do`` (a different number of handling lines) and
``_chua_gui`` (items not yet confirmed: pending, dead or refused, with the reason).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from congso.integration import lgsp, sync
from congso.integration.models import ReconciliationDifference, ReconciliationRun, SyncItem


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def differences(
    item: SyncItem, held: dict[str, Any] | None, unsent: list[SyncItem]
) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    if unsent:
        first = unsent[0]
        reason = first.last_error or first.get_state_display()
        rows.append(("_chua_gui", f"{len(unsent)} mục ({first.get_state_display()})", reason))
    if held is None:
        rows.append(("_ton_tai", "có", "không có"))
        return rows
    for name, value in item.dossier_payload.items():
        if held.get(name) != value:
            rows.append((name, str(value), str(held.get(name, ""))))
    count = len(held.get("TienDo") or [])
    if count != item.seq:
        rows.append(("_tien_do", str(item.seq), str(count)))
    return rows


def run(day: date | None = None) -> ReconciliationRun:
    """Reconcile ``day`` (yesterday, local time, by default) and store the run."""
    day = day or timezone.localdate() - timedelta(days=1)
    start, end = _bounds(day)
    result = ReconciliationRun.objects.create(day=day, started_at=timezone.now())
    changes = SyncItem.objects.filter(created_at__gte=start, created_at__lt=end)
    within, total = sync.synced_within(changes)
    dossier_ids = sorted(set(changes.values_list("dossier_id", flat=True)))
    found: list[ReconciliationDifference] = []
    differing = 0
    error = ""
    for dossier_id in dossier_ids:
        items = list(SyncItem.objects.filter(dossier_id=dossier_id).order_by("seq"))
        latest = items[-1]
        unsent = [i for i in items if i.state not in sync.DONE]
        held = None
        if latest.state != SyncItem.State.REFUSED:
            try:
                answer = lgsp.call(
                    sync.LOOKUP,
                    {"MaHoSo": latest.dossier_code},
                    province=latest.province,
                    subject=latest.dossier_code,
                )
            except lgsp.LgspError as exc:
                error = f"Không tra cứu được cổng: {exc.message}"
                break
            held = answer.get("HoSo") if answer.get("TonTai") else None
        rows = differences(latest, held, unsent)
        if rows:
            differing += 1
        found.extend(
            ReconciliationDifference(
                run=result,
                dossier_id=dossier_id,
                dossier_code=latest.dossier_code,
                field=name,
                local_value=local[:1000],
                portal_value=portal[:1000],
            )
            for name, local, portal in rows
        )
    with transaction.atomic():
        ReconciliationDifference.objects.bulk_create(found)
        result.dossiers = len(dossier_ids)
        result.differences = differing
        result.changes = total
        result.synced_within_5_min = within
        result.error = error
        result.finished_at = timezone.now()
        result.save()
    return result
