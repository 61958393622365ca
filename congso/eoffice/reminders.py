"""The daily reminders of the e-office, through notify: each person assigned to an incoming
document being handled (lead, co-processor, an officer given a part) gets one message a day
listing their deadlines due tomorrow and those already past; each agency's leaders get one
digest a day of the agency's overdue documents. Run by the ``eoffice.reminders`` periodic task
(hourly; nothing goes before :data:`SEND_FROM` local time). Idempotent per day: a
:class:`~congso.eoffice.models.Reminder` row per (day, kind, person, agency) is written with its
message in one transaction, so a second run the same day sends nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import DomainError
from congso.eoffice.models import Reminder
from congso.eoffice.selectors import Deadline, deadlines, end_of_tomorrow
from congso.notify.channels import channels
from congso.notify.models import EventKind
from congso.notify.services import message_direct
from congso.org.models import Agency, Role, RoleAssignment

#: Reminders are not sent before this local time (the task runs every hour).
SEND_FROM = time(7, 0)


def _contact(user: Any) -> tuple[str, str]:
    """The channel and address to reach an officer: e-mail first, else SMS."""
    enabled = {channel.id for channel in channels.enabled()}
    if user.email and "email" in enabled:
        return "email", user.email
    phone = getattr(user, "phone", "")
    if phone and "sms" in enabled:
        return "sms", phone
    return "", ""


def _send(
    *,
    user: Any,
    day: Any,
    kind: str,
    agency: Agency | None,
    template: str,
    context: dict[str, Any],
    due_soon: int,
    overdue: int,
) -> Reminder | None:
    """One reminder, once: None when it was already sent that day."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                day=day, kind=kind, user=user, agency=agency, due_soon=due_soon, overdue=overdue
            )
            channel, address = _contact(user)
            problem = ""
            if channel:
                subject = render_to_string(f"eoffice/notify/{template}_subject.txt", context)
                body = render_to_string(f"eoffice/notify/{template}.txt", context)
                try:
                    with transaction.atomic():
                        reminder.message = message_direct(
                            kind=EventKind.EOFFICE_REMINDER,
                            channel=channel,
                            recipient=address,
                            subject=subject if channel == "email" else "",
                            body=body,
                            urgent=False,
                        )
                except DomainError as exc:
                    problem = exc.message
                reminder.save(update_fields=["message"])
            else:
                problem = "Cán bộ chưa có thư điện tử hoặc số điện thoại."
            record(
                actor=None,
                action=f"eoffice.reminder.{kind}",
                target=reminder,
                after={
                    "user": user.pk,
                    "agency": agency.pk if agency is not None else None,
                    "due_soon": due_soon,
                    "overdue": overdue,
                    "channel": channel,
                    "problem": problem,
                },
            )
            return reminder
    except IntegrityError:
        return None


def _split(items: list[Deadline], now: datetime) -> tuple[list[Deadline], list[Deadline]]:
    late = [d for d in items if d.due_at < now]
    soon = [d for d in items if d.due_at >= now]
    return late, soon


def run(*, now: datetime | None = None, force: bool = False) -> dict[str, int]:
    """Send today's reminders not sent yet; returns how many of each kind went."""
    now = now or timezone.now()
    sent = {"person": 0, "digest": 0}
    if not force and timezone.localtime(now).time() < SEND_FROM:
        return sent
    day = timezone.localdate(now)
    found = deadlines(until=end_of_tomorrow(now))
    people = get_user_model().objects.in_bulk({d.user_id for d in found})
    by_user: dict[int, list[Deadline]] = defaultdict(list)
    for item in found:
        by_user[item.user_id].append(item)
    for user_id, items in sorted(by_user.items()):
        user = people[user_id]
        if not user.is_active:
            continue
        late, soon = _split(items, now)
        context = {"user": user, "day": day, "overdue": late, "due_soon": soon}
        if _send(
            user=user,
            day=day,
            kind=Reminder.Kind.PERSON,
            agency=None,
            template="reminder",
            context=context,
            due_soon=len(soon),
            overdue=len(late),
        ):
            sent["person"] += 1
    late_by_agency: dict[int, list[Deadline]] = defaultdict(list)
    for item in found:
        if item.due_at < now:
            late_by_agency[item.document.agency_id].append(item)
    if not late_by_agency:
        return sent
    heads = (
        RoleAssignment.objects.current()
        .filter(agency_id__in=late_by_agency, role=Role.LEADER, user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency_id", "user_id")
    )
    for holder in heads:
        items = late_by_agency[holder.agency_id]
        rows = sorted(
            {(d.document.pk, d.user_id): d for d in items}.values(),
            key=lambda d: (d.due_at, d.document.pk),
        )
        context = {
            "user": holder.user,
            "agency": holder.agency,
            "day": day,
            "rows": [(d, people.get(d.user_id)) for d in rows],
            "documents": len({d.document.pk for d in rows}),
        }
        if _send(
            user=holder.user,
            day=day,
            kind=Reminder.Kind.DIGEST,
            agency=holder.agency,
            template="digest",
            context=context,
            due_soon=0,
            overdue=len(rows),
        ):
            sent["digest"] += 1
    return sent
