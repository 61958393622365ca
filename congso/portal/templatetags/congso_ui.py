"""Small display helpers shared by the portal and the officer workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from congso.dossiers.deadlines import Timeliness
from congso.dossiers.workflow import TRANSITIONS, Status

register = template.Library()

EXTRA_ACTION_LABELS = {
    "submit": "Nộp hồ sơ trực tuyến",
    "mark_component": "Kiểm tra / số hóa thành phần",
    "reassign": "Giao lại bước xử lý",
}
TIMELINESS = {
    Timeliness.EARLY.value: ("Trước hạn", "early"),
    Timeliness.ON_TIME.value: ("Đúng hạn", "on-time"),
    Timeliness.LATE.value: ("Trễ hạn", "late"),
}


@register.filter
def action_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    return gettext(transition.label_vi if transition else EXTRA_ACTION_LABELS.get(action, action))


@register.filter
def ui(label: Any) -> str:
    """A dossier label (status, action) in the page's language (see ``portal/labels.py``)."""
    return gettext(str(label)) if label else ""


@register.filter
def vn_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


@register.filter
def vn_date(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%d/%m/%Y")


@register.filter
def size_label(size: int | None) -> str:
    if not size:
        return "0 KB"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def deadline_state(dossier: Any, now: datetime | None = None) -> tuple[str, str]:
    """(label, css modifier) of the early / on-time / late badge: the frozen classification
    once processing ended, else where the running clock stands against ``due_at``."""
    if dossier.timeliness:
        return TIMELINESS.get(dossier.timeliness, (dossier.timeliness, "on-time"))
    if dossier.due_at is None:
        return ("Chưa tính hạn", "none")
    moment = now or timezone.now()
    if dossier.status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED):
        return ("Tạm dừng tính hạn", "none")
    if dossier.supplement_count > 1 or moment > dossier.due_at:
        return ("Quá hạn", "late")
    if timezone.localdate(moment) < timezone.localdate(dossier.due_at):
        return ("Còn hạn", "early")
    return ("Đến hạn hôm nay", "on-time")


@register.inclusion_tag("portal/includes/deadline_badge.html")
def deadline_badge(dossier: Any) -> dict[str, str]:
    label, modifier = deadline_state(dossier)
    return {"label": gettext(label), "modifier": modifier}


@register.simple_tag
def address_picker(field: Any, post: Any = None) -> dict[str, Any]:
    """Provinces, the chosen province and its communes for an address field."""
    from congso.portal.units import picker

    province = ""
    if post is not None and hasattr(post, "get"):
        province = str(post.get(f"{field.name}.province", "") or "")
    return picker(field.unit_code, province)
