"""Template helpers of the site's frame (``congso/templates/base.html``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def may_use_admin(user: Any) -> bool:
    """Whether ``/quan-tri/`` has anything for the user: Django's rule (active staff) and at
    least one model permission, so no menu leads to "no permission"."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    return bool(user.is_superuser or user.get_all_permissions())
