"""The messages of a dossier on the officer's and the citizen's dossier pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from congso.notify import selectors
from congso.notify.models import Message

register = template.Library()


@register.simple_tag
def dossier_messages(dossier: Any) -> list[Message]:
    """The caller's view already scoped ``dossier`` to what the user may see."""
    return list(selectors.dossier_messages(dossier_id=dossier.pk))


@register.filter
def status_time(message: Message) -> datetime | None:
    """When the message reached its current status."""
    S = Message.Status
    when: dict[str, datetime | None] = {
        S.DELIVERED: message.delivered_at,
        S.SENT: message.sent_at,
        S.NO_REPORT: message.sent_at,
        S.FAILED: message.failed_at,
        S.DEAD: message.failed_at,
        S.SENDING: message.sending_at,
    }
    return when.get(message.status) or message.created_at


@register.filter
def masked(recipient: str) -> str:
    """``0912345678`` → ``0912***678``; ``an.nguyen@example.vn`` → ``a***@example.vn``."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(recipient) <= 6:
        return "***"
    return f"{recipient[:4]}***{recipient[-3:]}"
