"""Small display helpers shared by the portal and the officer workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import get_language, gettext

from congso.dossiers.deadlines import Timeliness
from congso.dossiers.workflow import TRANSITIONS, Status
from congso.printing.words import vnd as vnd_words

register = template.Library()

EXTRA_ACTION_LABELS = {
    "submit": "Nộp hồ sơ trực tuyến",
    "mark_component": "Kiểm tra / số hóa thành phần",
    "reassign": "Giao lại bước xử lý",
    "receive_transferred": "Tiếp nhận hồ sơ liên thông từ hệ thống khác",
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
def vnd(value: Any) -> str:
    """An amount of money: "8.000 đồng" (as the PDFs print it, ``printing.words.vnd``), "VND
    8,000" in English. Empty for no amount."""

    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    if (get_language() or "vi").startswith("vi"):
        return vnd_words(amount)
    return gettext("%(amount)s đồng") % {"amount": f"{amount:,}"}


@register.filter
def local_time(value: Any) -> str:
    """An instant (an aware datetime or an ISO 8601 string, as reports and the API carry them)
    in Vietnam's time, "HH:MM dd/mm/yyyy" like every page — never UTC with microseconds."""
    moment = _instant(value)
    return vn_datetime(moment) if moment is not None else "—"


@register.filter
def local_date(value: Any) -> str:
    """The day of an instant (datetime or ISO string) in Vietnam's time: "dd/mm/yyyy"."""
    moment = _instant(value)
    return vn_date(moment) if moment is not None else "—"


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


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
