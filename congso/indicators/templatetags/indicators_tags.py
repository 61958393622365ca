"""``{% public_teaser %}``: the headline figures of this year for the portal's home page, and
``get_item`` for looking up a label by key."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone

from congso.indicators import stats

register = template.Library()


@register.inclusion_tag("indicators/includes/teaser.html")
def public_teaser() -> dict[str, Any]:
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    return {"start": start, "total": stats.total(start, today)}


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")
