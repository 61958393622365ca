"""Synchronising dossiers with the national public-service portal through the LGSP.

* :func:`record_change` — the dossiers' ``on_change`` hook: in the change's own transaction, one
  :class:`SyncItem` with the dossier payload and the handling line as they are now (the outbox).
* :func:`send_due` — the worker: small batches of the *first* unfinished item of each dossier
  (order kept per dossier), each sent and its result recorded on its own; retries with
  exponential back-off and jitter; a dead letter after ``SYNC_MAX_ATTEMPTS`` with its reason.
* Idempotent: the portal is looked up (``TraCuuHoSo``) before a dossier is created and after any
  uncertain attempt (a timeout, a reply that does not match); the dossier payload is not sent
  again when its SHA-256 equals what the portal holds; a handling line is sent only when the
  portal holds fewer lines than its sequence number.
* :func:`sync_again` — an officer puts dead or refused items back in the queue (audited).
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from congso.audit.services import record
from congso.core.types import Actor
from congso.dossiers.models import Dossier, DossierHistory
from congso.integration import lgsp, payloads, selectors
from congso.integration.mapping import national_code_of
from congso.integration.models import PortalRecord, SyncItem

log = logging.getLogger(__name__)

CREATE = "DongBoHoSoMC"
PROGRESS = "CapNhatTienDoHoSoMC"
LOOKUP = "TraCuuHoSo"
EXISTS, NOT_FOUND, INVALID = 2, 3, 4
#: An item claimed by a worker is not handed to another one for this long.
CLAIM = timedelta(minutes=2)
DONE = (SyncItem.State.SENT, SyncItem.State.SKIPPED)


# --- The outbox (in the dossier's transaction) ------------------------------------------------


def record_change(dossier: Dossier, *, action: str, from_status: str, now: datetime) -> None:
    """Append the change to the dossier's sync queue (registered on ``dossiers.on_change``)."""
    history = (
        DossierHistory.objects.filter(dossier=dossier)
        .select_related("step__department", "agency")
        .order_by("-pk")
        .first()
    )
    if history is None:  # every change writes its history row before the hook runs
        return
    if _transferred_in(dossier):
        return
    last = SyncItem.objects.filter(dossier=dossier).aggregate(seq=Max("seq"))["seq"] or 0
    state, error = SyncItem.State.PENDING, ""
    try:
        payloads.check_national(dossier)
        code = payloads.national_code(dossier.status, timezone.localdate(now))
    except payloads.SyncRefused as exc:
        state, error, code = SyncItem.State.REFUSED, exc.message, dossier.national_status
    dossier_payload = payloads.dossier_payload(dossier, status_code=code)
    province = dossier.competent_agency.province
    SyncItem.objects.create(
        dossier=dossier,
        dossier_code=dossier.code,
        seq=last + 1,
        action=action,
        province=province.code if province else "",
        dossier_payload=dossier_payload,
        progress_payload=payloads.progress_payload(dossier, history, status_code=code),
        payload_sha256=payloads.digest(dossier_payload),
        state=state,
        last_error=error,
        next_attempt_at=now,
        created_at=now,
    )


def _transferred_in(dossier: Dossier) -> bool:
    """A local copy of a dossier another system transferred here (liên thông) is not synced:
    the portal holds the origin's dossier, whose progress carries this system's news
    (docs/integration.md, "Transfers between systems")."""
    return DossierHistory.objects.filter(dossier=dossier, action="receive_transferred").exists()


# --- Sending -------------------------------------------------------------------------------------


def _heads(now: datetime, limit: int) -> list[SyncItem]:
    """Claim up to ``limit`` due items, each the first unfinished one of its dossier."""
    earlier = SyncItem.objects.filter(dossier_id=OuterRef("dossier_id"), seq__lt=OuterRef("seq"))
    with transaction.atomic():
        items = list(
            SyncItem.objects.select_for_update(skip_locked=True)
            .filter(state=SyncItem.State.PENDING, next_attempt_at__lte=now)
            .exclude(Exists(earlier.exclude(state__in=DONE)))
            .order_by("next_attempt_at", "pk")[:limit]
        )
        if items:
            SyncItem.objects.filter(pk__in=[i.pk for i in items]).update(
                next_attempt_at=now + CLAIM
            )
    return items


def backoff(attempts: int) -> timedelta:
    """``SYNC_BACKOFF_SECONDS`` × 2^(attempts−1), ±50 % jitter, at most one hour."""
    base = min(settings.SYNC_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * random.uniform(0.5, 1.5))  # noqa: S311 - jitter


def _portal_view(item: SyncItem, portal: PortalRecord) -> None:
    """Look the dossier up on the portal and believe what it says."""
    found = lgsp.call(
        LOOKUP, {"MaHoSo": item.dossier_code}, province=item.province, subject=item.dossier_code
    )
    held = found.get("HoSo") if found.get("TonTai") else None
    portal.created_on_portal = isinstance(held, dict)
    if isinstance(held, dict):
        progress = held.get("TienDo") or []
        portal.progress_count = len(progress)
        dossier_part = {k: v for k, v in held.items() if k not in ("TienDo", "LichSuTrangThai")}
        portal.last_sha256 = payloads.digest(dossier_part)
    else:
        portal.progress_count = 0
        portal.last_sha256 = ""


def _send_dossier(item: SyncItem, portal: PortalRecord) -> None:
    data = {"isUpdating": portal.created_on_portal, "data": [item.dossier_payload]}
    try:
        lgsp.call(CREATE, data, province=item.province, subject=item.dossier_code)
    except lgsp.LgspError as exc:
        if exc.service_code not in (EXISTS, NOT_FOUND):
            raise
        # The portal knows better than our record: flip create/update and send once more.
        data["isUpdating"] = exc.service_code == EXISTS
        lgsp.call(CREATE, data, province=item.province, subject=item.dossier_code)
    portal.created_on_portal = True
    portal.last_sha256 = item.payload_sha256


def _send(item: SyncItem) -> bool:
    """Send one item; returns whether a call changed anything on the portal."""
    portal, _ = PortalRecord.objects.get_or_create(
        dossier_id=item.dossier_id, defaults={"updated_at": timezone.now()}
    )
    if item.uncertain or not portal.created_on_portal:
        _portal_view(item, portal)
    sent = False
    if portal.last_sha256 != item.payload_sha256:
        _send_dossier(item, portal)
        portal.updated_at = timezone.now()
        portal.save()
        sent = True
    if portal.progress_count < item.seq:
        lgsp.call(
            PROGRESS,
            {"data": [item.progress_payload]},
            province=item.province,
            subject=item.dossier_code,
        )
        portal.progress_count = item.seq
        sent = True
    portal.updated_at = timezone.now()
    portal.save()
    return sent


def _fail(item: SyncItem, exc: lgsp.LgspError, now: datetime) -> None:
    fields: dict[str, Any] = {"last_error": exc.message[:2000]}
    if exc.code in ("circuit_open", "lgsp_not_configured"):
        # Not the item's fault: no attempt counted, wait for the platform.
        fields["next_attempt_at"] = now + timedelta(seconds=settings.LGSP_BREAKER_SECONDS)
    else:
        attempts = item.attempts + 1
        fields["attempts"] = attempts
        fields["uncertain"] = item.uncertain or exc.uncertain
        if exc.service_code == INVALID or attempts >= settings.SYNC_MAX_ATTEMPTS:
            fields["state"] = SyncItem.State.DEAD
            fields["last_error"] = (
                f"Dừng sau {attempts} lần gửi: {exc.message}"
                if exc.service_code != INVALID
                else f"Cổng từ chối dữ liệu (sai đặc tả): {exc.message}"
            )[:2000]
        else:
            fields["next_attempt_at"] = now + backoff(attempts)
    SyncItem.objects.filter(pk=item.pk).update(**fields)


def send_item(item: SyncItem) -> bool:
    """Send ``item`` and record its result; True when it is done."""
    now = timezone.now()
    try:
        sent = _send(item)
    except lgsp.LgspError as exc:
        log.info("sync of %s #%s failed: %s", item.dossier_code, item.seq, exc.message)
        _fail(item, exc, now)
        return False
    SyncItem.objects.filter(pk=item.pk).update(
        state=SyncItem.State.SENT if sent else SyncItem.State.SKIPPED,
        attempts=item.attempts + 1,
        uncertain=False,
        last_error="",
        sent_at=timezone.now(),
    )
    return True


def send_due(*, limit: int | None = None) -> int:
    """Send due items in batches of ``SYNC_BATCH_SIZE`` until none is due (or ``limit`` items
    were tried); returns how many were tried. Stops early when the circuit opens."""
    if not settings.LGSP_URL and not settings.LGSP_PROVINCES:
        return 0
    tried = 0
    while limit is None or tried < limit:
        batch = _heads(timezone.now(), settings.SYNC_BATCH_SIZE)
        if not batch:
            break
        for item in batch:
            send_item(item)
            tried += 1
        if any(lgsp.breaker(lgsp.platform(i.province)).open for i in batch):
            break
    return tried


# --- Officers ------------------------------------------------------------------------------------


def sync_again(*, actor: Actor, items: list[SyncItem]) -> int:
    """Put dead or refused items back in the queue now, the refused ones re-checked (the
    procedure may have got its national code) and their procedure code refreshed."""
    count = 0
    with transaction.atomic():
        for item in SyncItem.objects.select_for_update().filter(
            pk__in=[i.pk for i in items],
            state__in=[SyncItem.State.DEAD, SyncItem.State.REFUSED],
        ):
            before = {"state": item.state, "attempts": item.attempts, "error": item.last_error}
            dossier = Dossier.objects.select_related("procedure_version__procedure").get(
                pk=item.dossier_id
            )
            if item.state == SyncItem.State.REFUSED:
                try:
                    payloads.check_national(dossier)
                except payloads.SyncRefused as exc:
                    item.last_error = exc.message
                    item.save(update_fields=["last_error"])
                    continue
                code = national_code_of(dossier.procedure_version.procedure)
                item.dossier_payload = {**item.dossier_payload, "MaTTHC": code}
                item.payload_sha256 = payloads.digest(item.dossier_payload)
            item.state = SyncItem.State.PENDING
            item.attempts = 0
            item.uncertain = True  # look before sending: the earlier attempts may have landed
            item.next_attempt_at = timezone.now()
            item.last_error = ""
            item.save()
            record(
                actor=actor,
                action="integration.sync_again",
                target=dossier,
                before=before,
                after={"state": item.state, "seq": item.seq},
            )
            count += 1
    return count


def sync_again_dossier(*, actor: Actor, dossier: Dossier) -> int:
    """*Sync again* for one dossier: its dead and refused items back in the queue (audited)."""
    return sync_again(
        actor=actor,
        items=list(
            SyncItem.objects.filter(
                dossier=dossier, state__in=[SyncItem.State.DEAD, SyncItem.State.REFUSED]
            )
        ),
    )


def synced_within(items: Any, minutes: int = 5) -> tuple[int, int]:
    """(items confirmed within ``minutes`` of the change, all items) of a queryset."""
    return selectors.within(items, minutes)
