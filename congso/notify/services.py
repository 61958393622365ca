"""Every write of the notify app: messages from dossier events, sending, delivery reports,
reconciliation, manual resend, templates and preferences.

Sending is at-least-once with duplicate control. :func:`message_send` commits ``sending``
before the gateway is called; the gateway's delivery reports (DLR, keyed by the message's
``key`` and the attempt number) settle a message whose worker died before it recorded the
answer, and :func:`messages_reconcile` resends only a message that stayed ``sending`` with no
report for ``NOTIFY_DLR_GRACE_SECONDS``. Two attempts both reported delivered count as a
duplicate on the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import DomainError, NotFound
from congso.core.models import Job
from congso.core.worker import enqueue
from congso.dossiers.models import Dossier, DossierEvent
from congso.notify import defaults, figures, text
from congso.notify.channels import (
    Channel,
    SendError,
    channel_or_none,
    channels,
    provider_for,
    require_channel,
)
from congso.notify.channels import channels as _registry
from congso.notify.models import (
    DeliveryReport,
    EventKind,
    Message,
    Preference,
    RateWindow,
)
from congso.notify.models import Template as NoticeTemplate
from congso.notify.text import segments

S = Message.Status
OPEN = (S.QUEUED, S.SENDING)


@dataclass(frozen=True)
class Notice:
    kind: str
    mandatory: bool
    urgent: bool = False


# Dossier action (DossierEvent.payload["action"]) → notice. Processing started is informative
# (citizens may unsubscribe from it); the others are notices the law asks for.
NOTICES: dict[str, Notice] = {
    "submit": Notice(EventKind.SUBMITTED, True),  # the acknowledgement of an online submission
    "receive": Notice(EventKind.RECEIVED, True),
    "start_processing": Notice(EventKind.PROCESSING, False),
    "request_supplement": Notice(EventKind.SUPPLEMENT, True, urgent=True),
    "complete": Notice(EventKind.RESULT_READY, True),
    "return_result": Notice(EventKind.RETURNED, True),
    "apologise": Notice(EventKind.APOLOGY, True),
    "refuse": Notice(EventKind.REFUSED, True),
    "not_accept": Notice(EventKind.REFUSED, True),
    "confirm_withdrawal": Notice(EventKind.WITHDRAWN, True),
}


# --- Templates ----------------------------------------------------------------------------------


def template_current(*, event: str, channel: str) -> NoticeTemplate:
    found = NoticeTemplate.objects.filter(event=event, channel=channel).order_by("-version").first()
    if found is not None:
        return found
    # No version yet (a fresh or flushed database): version 1 is the channel's built-in text.
    built_in = channels.get(channel).default_template(event) if channel in channels else None
    if built_in is None:
        raise NotFound("no_template", f"Chưa có mẫu thông báo cho {event} / {channel}.")
    subject, body = built_in
    row, _ = NoticeTemplate.objects.get_or_create(
        event=event, channel=channel, version=1, defaults={"subject": subject, "body": body}
    )
    return row


def template_publish(
    *,
    actor: Any,
    event: str,
    channel: str,
    body: str,
    subject: str = "",
    body_html: str = "",
    external_id: str = "",
    params: dict[str, str] | None = None,
) -> NoticeTemplate:
    """Save a changed text as the next version (older versions stay, as sent)."""
    kind = require_channel(channel)
    if event not in EventKind.values:
        raise DomainError("unknown_event", f"Không có loại thông báo «{event}».", field="event")
    params = dict(params or {})
    render(body, defaults.SAMPLE)  # a syntax error is refused here, not at sending time
    if body_html:
        render(body_html, defaults.SAMPLE, html=True)
    kind.check_template(
        subject=subject, body=body, body_html=body_html, external_id=external_id, params=params
    )
    with transaction.atomic():
        last = (
            NoticeTemplate.objects.select_for_update()
            .filter(event=event, channel=channel)
            .order_by("-version")
            .first()
        )
        row = NoticeTemplate.objects.create(
            event=event,
            channel=channel,
            version=(last.version + 1) if last else 1,
            subject=subject,
            body=body,
            body_html=body_html,
            external_id=external_id,
            params=params,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        after: dict[str, Any] = {"event": event, "channel": channel, "version": row.version}
        if external_id:
            after["external_id"] = external_id
        record(actor=actor, action="notify.template.publish", target=row, after=after)
    return row


render = text.render


def render_notice(template: NoticeTemplate, context: dict[str, Any]) -> dict[str, Any]:
    """Subject, text, HTML, segment count and the channel's payload of ``template`` with
    ``context`` (the template's channel renders it)."""
    return channels.get(template.channel).render(template, context)


def template_preview(template: NoticeTemplate) -> dict[str, Any]:
    out = render_notice(template, defaults.SAMPLE)
    if template.channel == "sms":
        encoding, units, count = segments(out["body"])
        out["segments_label"] = f"{units} ký tự {encoding}, {count} tin"
    return out


# --- Events → messages --------------------------------------------------------------------------


def _local(value: datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{timezone.localtime(value):%H:%M %d/%m/%Y}"


def event_context(event: DossierEvent) -> dict[str, Any]:
    dossier: Dossier = event.dossier
    history = event.history
    data = history.data if history else {}
    agency = dossier.competent_agency
    collect = dossier.desk.name if dossier.desk_id else agency.name
    missing = ", ".join(str(item.get("label", "")) for item in data.get("items", []) or [])
    return {
        "code": dossier.code,
        "applicant": dossier.applicant_name,
        "procedure": dossier.procedure_version.procedure.name,
        "agency": agency.short_name or agency.name,
        "officer": history.actor_label if history else "",
        "at": _local(event.created_at),
        "appointment": _local(dossier.appointment_at) or "chưa có",
        "reason": history.note if history else "",
        "missing": missing,
        "collect": collect,
    }


def _contacts(dossier: Dossier) -> tuple[str, str, Preference | None]:
    citizen = dossier.applicant_citizen
    preference = None
    if citizen is not None:
        preference = Preference.objects.filter(citizen=citizen).first()
    # The dossier's own contact first: the phone typed in the form or given at the counter.
    phone = dossier.applicant_phone or (citizen.phone if citizen else "")
    email = dossier.applicant_email or (citizen.email if citizen else "")
    return phone, email, preference


def wants(preference: Preference | None, channel: Channel) -> bool:
    """Whether the citizen receives ``channel``: their saved choice, else the channel's default."""
    choice = preference.choice(channel.id) if preference is not None else None
    return channel.wanted_by_default() if choice is None else choice


def _dossier_of(event: DossierEvent) -> Dossier:
    dossier = (
        Dossier.objects.select_related(
            "applicant_citizen", "competent_agency", "desk", "procedure_version__procedure"
        )
        .filter(pk=event.dossier_id)
        .get()
    )
    event.dossier = dossier
    return dossier


def messages_for_event(*, event: DossierEvent) -> list[Message]:
    """Create the messages an event calls for (one per allowed channel) and enqueue them.

    A channel with a fallback that is also allowed (Zalo, then SMS) goes alone first; its
    fallback message is created only if it fails for good (:func:`_fall_back`). Runs in the
    event's publishing transaction; (event, channel) is unique, so handling an event again never
    doubles a message."""
    notice = NOTICES.get(str(event.payload.get("action", "")))
    if notice is None:
        return []
    dossier = _dossier_of(event)
    phone, email, preference = _contacts(dossier)
    if preference is not None and preference.unsubscribed and not notice.mandatory:
        return []
    contacts = {"phone": phone, "email": email}
    wanted = [
        channel
        for channel in channels.enabled()
        if contacts.get(channel.contact) and wants(preference, channel)
    ]
    held_back = {channel.fallback for channel in wanted} & {channel.id for channel in wanted}
    context = event_context(event)
    now = timezone.now()
    created = []
    for channel in wanted:
        if channel.id in held_back:
            continue
        message = _create(event, dossier, notice, channel, contacts[channel.contact], context, now)
        if message is not None:
            created.append(message)
            fallback = _fall_back(message) if message.status in ENDED else None
            if fallback is not None:
                created.append(fallback)
    return created


#: A message that ended without reaching the citizen; its channel's fallback takes over.
ENDED = (S.FAILED, S.DEAD, S.SKIPPED, S.NO_REPORT)


def _create(
    event: DossierEvent,
    dossier: Dossier,
    notice: Notice,
    channel: Channel,
    address: str,
    context: dict[str, Any],
    now: datetime,
    *,
    fallback_for: Message | None = None,
) -> Message | None:
    """One message of ``notice`` on ``channel`` (None when the event already has one there):
    queued, or failed with the reason (unusable address), or skipped (no template for the
    channel)."""
    if Message.objects.filter(event=event, channel=channel.id).exists():
        return None
    message = Message(
        dossier=dossier,
        event=event,
        kind=notice.kind,
        channel=channel.id,
        recipient=address,
        mandatory=notice.mandatory,
        urgent=notice.urgent,
        created_at=now,
        attempt_limit=settings.NOTIFY_MAX_ATTEMPTS,
        fallback_for=fallback_for,
    )
    try:
        template = template_current(event=notice.kind, channel=channel.id)
    except NotFound:
        message.status, message.last_error = S.SKIPPED, "Chưa có mẫu thông báo cho kênh này."
        message.body = ""
    else:
        message.template = template
        for name, value in render_notice(template, context).items():
            setattr(message, name, value)
        try:
            message.recipient = channel.address(address)
        except DomainError as exc:
            message.status = S.FAILED
            message.failed_at = now
            message.last_error = exc.message
    message.save()
    figures.record_status(message, before=None)
    if message.status == S.QUEUED:
        enqueue("notify.send", message_id=message.pk)
    return message


def _fall_back(message: Message) -> Message | None:
    """Hand a message that ended without reaching the citizen (failed, given up, skipped, no
    receipt in time) over to its channel's fallback — Zalo to SMS — when the citizen receives
    that channel and the event has no message there yet. In the caller's transaction."""
    channel = channels.get(message.channel) if message.channel in channels else None
    if channel is None or not channel.fallback or message.event_id is None:
        return None
    target = channel_or_none(channel.fallback)
    if target is None:
        return None
    event = DossierEvent.objects.select_related("history").filter(pk=message.event_id).first()
    if event is None:
        return None
    dossier = _dossier_of(event)
    phone, email, preference = _contacts(dossier)
    if preference is not None and preference.unsubscribed and not message.mandatory:
        return None
    address = {"phone": phone, "email": email}.get(target.contact, "")
    if not address or not wants(preference, target):
        return None
    notice = Notice(message.kind, message.mandatory, message.urgent)
    return _create(
        event,
        dossier,
        notice,
        target,
        address,
        event_context(event),
        timezone.now(),
        fallback_for=message,
    )


def message_direct(
    *,
    kind: str,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    body_html: str = "",
    urgent: bool = True,
    mandatory: bool = True,
) -> Message:
    """One message that belongs to no dossier (a password reset code or link), through the
    same outbox, worker, rate limits and delivery reports as the dossier notices. Call it in
    the caller's transaction; the text is the caller's (rendered from its own templates)."""
    now = timezone.now()
    message = Message(
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=" ".join(subject.split()),
        body=body,
        body_html=body_html,
        mandatory=mandatory,
        urgent=urgent,
        created_at=now,
        attempt_limit=settings.NOTIFY_MAX_ATTEMPTS,
    )
    if channel == "sms":
        message.body = text.sms_text(body, unicode=settings.NOTIFY_SMS_UNICODE)
        message.segments = segments(message.body)[2]
    message.recipient = require_channel(channel).address(recipient)
    message.save()
    figures.record_status(message, before=None)
    enqueue("notify.send", message_id=message.pk)
    return message


def message_to_citizen(*, citizen: Any, kind: str, subject: str, body: str) -> list[Message]:
    """A notice to a citizen that belongs to no dossier (a proactive offer, issue 21), on the
    channels they want — their saved choice, else each channel's default — and none when they
    unsubscribed. Free text: channels bound to approved templates (those with a fallback,
    Zalo ZNS) are left out. Call it in the caller's transaction."""
    preference = Preference.objects.filter(citizen=citizen).first()
    if preference is not None and preference.unsubscribed:
        return []
    contacts = {"phone": citizen.phone or "", "email": citizen.email or ""}
    return [
        message_direct(
            kind=kind,
            channel=channel.id,
            recipient=contacts[channel.contact],
            body=body,
            subject=subject,
            urgent=False,
            mandatory=False,
        )
        for channel in channels.enabled()
        if not channel.fallback and contacts.get(channel.contact) and wants(preference, channel)
    ]


# --- Sending ------------------------------------------------------------------------------------


def _quiet_until(now: datetime) -> datetime | None:
    """End of the quiet hours when ``now`` falls inside them (``HH:MM-HH:MM``, local time)."""
    spec = settings.NOTIFY_QUIET_HOURS.strip()
    if not spec:
        return None
    start_s, end_s = spec.split("-")
    start, end = time.fromisoformat(start_s), time.fromisoformat(end_s)
    local = timezone.localtime(now)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo)


def _rate_claim(message: Message, now: datetime) -> datetime | None:
    """Claim one SMS of the number's hourly allowance, atomically; when it is used up, return
    the start of the next hour (the message waits until then).

    The claim is one conditional ``UPDATE … SET sent = sent + 1 WHERE … AND sent < limit`` on
    the number's :class:`RateWindow` row, in the transaction that records ``sending``: two
    workers racing for the last slot serialise on that row and only one gets it (a check of
    the recent messages followed by the send would let both through)."""
    limit = settings.NOTIFY_SMS_PER_NUMBER_PER_HOUR
    if not limit:
        return None
    hour = now.replace(minute=0, second=0, microsecond=0)
    RateWindow.objects.bulk_create(
        [RateWindow(recipient=message.recipient, hour=hour)], ignore_conflicts=True
    )
    claimed = RateWindow.objects.filter(
        recipient=message.recipient, hour=hour, sent__lt=limit
    ).update(sent=F("sent") + 1)
    return None if claimed else hour + timedelta(hours=1)


def _deferral(message: Message, channel: Channel, now: datetime) -> datetime | None:
    if message.not_before and message.not_before > now:
        return message.not_before
    if channel.quiet_hours and not message.urgent:
        until = _quiet_until(now)
        if until:
            return until
    if not channel.per_number_limit:
        return None
    # Last: a claimed slot is used, as the message is sent in this same transaction.
    return _rate_claim(message, now)


def _save(message: Message, *, before: str | None, fields: list[str] | None = None) -> None:
    """Save a message whose status may have changed from ``before`` and move it in the
    notification figures, in the same transaction."""
    message.save(update_fields=fields)
    figures.record_status(message, before=before)


class StillSending(Exception):
    """A previous attempt is in flight (or its worker died recently): try again later."""


def _settle_from_reports(message: Message) -> bool:
    """Apply the delivery reports already received to a ``sending`` message."""
    types = set(message.reports.values_list("dlr_type", flat=True))
    if not types:
        return False
    now = timezone.now()
    before = message.status
    if types & {1}:
        message.status, message.delivered_at = S.DELIVERED, message.delivered_at or now
    elif types & {8, 4}:
        message.status = S.SENT
    else:
        message.status, message.failed_at = S.FAILED, now
    message.sent_at = message.sent_at or now
    message.save()
    figures.record_status(message, before=before)
    return True


def _claim(message_id: int, now: datetime) -> tuple[Message, int] | str:
    """In the caller's transaction: record ``sending`` and the attempt number, or say why the
    message is not sent now (``done``, ``settled``, ``deferred``, ``failed``)."""
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.status not in OPEN:
        return "done"
    if message.status == S.SENDING:
        # The attempt before this one did not finish (its worker died, or is still busy).
        if _settle_from_reports(message):
            return "settled"
        grace = timedelta(seconds=settings.NOTIFY_DLR_GRACE_SECONDS)
        if message.sending_at and message.sending_at > now - grace:
            raise StillSending(f"message {message.pk} is being sent since {message.sending_at}")
    before = message.status
    channel = channel_or_none(message.channel)
    if channel is None:
        # The channel was removed or is no longer configured: this message cannot go out; the
        # dossier's notice goes by the fallback (if any) instead.
        message.status, message.failed_at = S.FAILED, now
        message.last_error = f"Kênh «{message.channel}» không còn được cài đặt hoặc cấu hình."
        _save(message, before=before)
        _fall_back(message)
        return str(message.status)
    until = _deferral(message, channel, now)
    if until is not None:
        message.status, message.not_before = S.QUEUED, until
        _save(message, before=before, fields=["status", "not_before"])
        enqueue("notify.send", delay=until - now, message_id=message.pk)
        return "deferred"
    message.status = S.SENDING
    message.attempts += 1
    message.sending_at = now
    _save(message, before=before, fields=["status", "attempts", "sending_at"])
    return message, message.attempts


def _refused(message_id: int, attempt: int, exc: SendError) -> str | None:
    """The provider refused ``attempt``: failed (permanent) or dead (attempts used up), each
    handing over to the channel's fallback; else back to the queue (None: the caller raises,
    so the job retries with backoff)."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != S.SENDING or message.attempts != attempt:
        return "settled"
    message.last_error = str(exc)[:2000]
    if exc.permanent or message.attempts >= message.attempt_limit:
        message.status = S.FAILED if exc.permanent else S.DEAD
        message.failed_at = timezone.now()
        _save(message, before=S.SENDING)
        _fall_back(message)
        return str(message.status)
    message.status = S.QUEUED
    _save(message, before=S.SENDING)
    return None


def message_send(*, message_id: int) -> str:
    """Send one message once: record ``sending`` (committed), call the provider, record the
    answer. Raises (so the job backs off and retries) on a transient failure."""
    with transaction.atomic():
        claimed = _claim(message_id, timezone.now())
    if isinstance(claimed, str):
        return claimed
    message, attempt = claimed
    try:
        answer = provider_for(message.channel).send(message)
    except SendError as exc:
        with transaction.atomic():
            outcome = _refused(message_id, attempt, exc)
        if outcome is not None:
            return outcome
        raise
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.sent_at is None:
            message.sent_at = timezone.now()
        before = message.status
        if message.status == S.SENDING and message.attempts == attempt:
            message.status = S.SENT
            message.last_error = ""
        if not message.operator_answer:
            message.operator_answer = answer
        _save(message, before=before)
    return "sent"


# --- Delivery reports ---------------------------------------------------------------------------


def delivery_report_record(*, key: str, attempt: int, dlr_type: int, answer: str) -> Message:
    """Record one delivery report and move the message's status forward. ``dlr_type`` uses
    Kannel's codes for every channel (1 delivered to the phone, 2 failed at the phone, 4
    buffered, 8 accepted by the operator, 16 rejected by the operator); a provider's callback
    maps its own events onto them (Zalo's ``user_received_message`` is 1)."""
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(key=key).first()
        if message is None:
            raise NotFound("unknown_message", "Không có tin nhắn với mã này.")
        before = message.status
        DeliveryReport.objects.create(
            message=message,
            attempt=attempt,
            dlr_type=dlr_type,
            answer=answer[:255],
            received_at=now,
        )
        if answer:
            message.operator_answer = answer[:255]
        if dlr_type == 1:
            if message.status == S.NO_REPORT:  # a late report
                message.last_error = ""
            attempts = set(message.reports.filter(dlr_type=1).values_list("attempt", flat=True))
            message.duplicates = max(len(attempts) - 1, 0)
            message.status = S.DELIVERED
            message.delivered_at = message.delivered_at or now
            message.sent_at = message.sent_at or now
        elif dlr_type in (4, 8):
            if message.status in OPEN:
                message.status = S.SENT
                message.sent_at = message.sent_at or now
        elif dlr_type in (2, 16) and message.status != S.DELIVERED:
            message.status = S.FAILED
            message.failed_at = now
            message.last_error = f"Nhà mạng báo không phát được (DLR {dlr_type}): {answer}"
        message.save()
        figures.record_status(message, before=before)
        if message.status == S.FAILED and before != S.FAILED:
            _fall_back(message)
    return message


# --- Reconciliation and manual resend -----------------------------------------------------------


def messages_reconcile() -> dict[str, int]:
    """Find messages left behind by a dead worker and settle or resend them.

    * ``sending`` for longer than the grace period: the delivery reports decide; with none,
      the message goes back to the queue (this is the only resend of a possibly sent SMS);
    * ``queued`` and due with no pending job (its job was lost with a worker): enqueue again;
    * a message ``sent`` (accepted by the gateway) on a channel with delivery reports and no
      final report after the channel's receipt timeout (SMS: ``NOTIFY_DLR_TIMEOUT_HOURS``)
      becomes ``no_report``: some operators never send DLRs, so it is shown as "sent, no
      report" rather than pending forever, and never resent (it may well have arrived). A late
      report still moves it to delivered/failed. On a channel with a fallback (Zalo), the
      fallback message (SMS) is created then: the notice must reach the citizen.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFY_DLR_GRACE_SECONDS)
    counts = {"settled": 0, "resent": 0, "requeued": 0, "no_report": 0}
    with transaction.atomic():
        for channel in channels:
            timeout = channel.receipt_timeout() if channel.delivery_reports else None
            if timeout is None:
                continue
            # Locked first: the figures move exactly the rows that this update changes.
            silent = list(
                Message.objects.select_for_update(of=("self",))
                .filter(channel=channel.id, status=S.SENT, sent_at__lt=now - timeout)
                .values_list("pk", "created_at", "channel", "dossier__competent_agency_id")
            )
            ids = [row[0] for row in silent]
            counts["no_report"] += Message.objects.filter(pk__in=ids, status=S.SENT).update(
                status=S.NO_REPORT,
                last_error="Nhà mạng không gửi báo cáo phát trong thời hạn chờ.",
            )
            figures.record_bulk((row[1:] for row in silent), before=S.SENT, after=S.NO_REPORT)
            if channel.fallback:
                for message in Message.objects.filter(pk__in=ids).order_by("pk"):
                    _fall_back(message)
        RateWindow.objects.filter(hour__lt=now - timedelta(days=1)).delete()
    for pk in list(
        Message.objects.filter(status=S.SENDING, sending_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    ):
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=pk)
            if message.status != S.SENDING:
                continue
            if _settle_from_reports(message):
                counts["settled"] += 1
                continue
            message.status = S.QUEUED
            message.save(update_fields=["status"])
            figures.record_status(message, before=S.SENDING)
            enqueue("notify.send", message_id=message.pk)
            counts["resent"] += 1
    pending = set(
        Job.objects.filter(name="notify.send", status__in=[Job.Status.PENDING, Job.Status.RUNNING])
        .exclude(status=Job.Status.RUNNING, locked_until__lt=now)
        .values_list("payload__message_id", flat=True)
    )
    for pk in list(
        Message.objects.filter(status=S.QUEUED, created_at__lt=cutoff)
        .exclude(not_before__gt=now)
        .values_list("pk", flat=True)[:1000]
    ):
        if pk in pending:
            continue
        with transaction.atomic():
            enqueue("notify.send", message_id=pk)
        counts["requeued"] += 1
    return counts


def message_resend(*, actor: Any, message_ids: list[int]) -> int:
    """The admin's manual resend of failed or dead messages (audited)."""
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update().filter(
                pk__in=message_ids, status__in=[S.FAILED, S.DEAD]
            )
        )
        for message in messages:
            before = {"status": message.status, "last_error": message.last_error}
            message.status = S.QUEUED
            message.attempt_limit = message.attempts + settings.NOTIFY_MAX_ATTEMPTS
            message.failed_at = None
            message.not_before = None
            message.save()
            figures.record_status(message, before=before["status"])
            enqueue("notify.send", message_id=message.pk)
            record(
                actor=actor,
                action="notify.message.resend",
                target=message,
                before=before,
                after={"status": message.status},
            )
    return len(messages)


# --- Preferences --------------------------------------------------------------------------------


def preference_set(
    *,
    actor: Any,
    citizen: Any,
    channels: Mapping[str, bool],
    unsubscribed: bool = False,
) -> Preference:
    """A citizen's channels (``{channel id: on}``; a channel left out keeps its current choice)
    and the unsubscribe from non-mandatory notices (audited). At least one assured channel
    (SMS or e-mail) stays on: the mandatory notices (received, supplement, result, refusal…)
    must reach the citizen, and a channel such as Zalo depends on an account the citizen may
    not have."""
    offered = _registry.enabled()
    unknown = set(channels) - {channel.id for channel in offered}
    if unknown:
        raise DomainError(
            "unknown_channel",
            f"Không có kênh thông báo «{', '.join(sorted(unknown))}».",
            field=sorted(unknown)[0],
        )
    with transaction.atomic():
        preference, _ = Preference.objects.select_for_update().get_or_create(citizen=citizen)
        current = {channel.id: wants(preference, channel) for channel in offered}
        chosen = {**current, **{key: bool(value) for key, value in channels.items()}}
        if not any(chosen[channel.id] for channel in offered if channel.assured):
            raise DomainError(
                "no_channel",
                "Cần giữ ít nhất một kênh (SMS hoặc thư điện tử) để nhận các thông báo bắt buộc.",
                field=next((channel.id for channel in offered if channel.assured), "sms"),
            )
        before = {**current, "unsub": preference.unsubscribed}
        preference.channels = {**(preference.channels or {}), **chosen}
        preference.unsubscribed = unsubscribed
        preference.save()
        record(
            actor=actor,
            action="notify.preference.set",
            target=preference,
            before=before,
            after={**chosen, "unsub": unsubscribed},
        )
    return preference


def unsubscribe(*, token: str) -> Preference:
    """The unsubscribe link: stop non-mandatory notices (mandatory ones still go out)."""
    with transaction.atomic():
        preference = Preference.objects.select_for_update().filter(unsubscribe_token=token).first()
        if preference is None:
            raise NotFound("unknown_token", "Liên kết hủy đăng ký không hợp lệ.")
        if not preference.unsubscribed:
            preference.unsubscribed = True
            preference.save(update_fields=["unsubscribed", "updated_at"])
            record(
                actor=None,
                action="notify.preference.unsubscribe",
                target=preference,
                after={"unsub": True},
            )
    return preference
