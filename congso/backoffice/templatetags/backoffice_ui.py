"""Template helpers of the officer workspace."""

from __future__ import annotations

from typing import Any

from django import template

from congso.dossiers.services import SUPERVISOR_ROLES
from congso.indicators.filters import DASHBOARD_ROLES
from congso.org.permissions import RECEPTION, current_roles

register = template.Library()


@register.simple_tag
def workspace_roles(user: Any) -> dict[str, bool]:
    """Which workspace pages the user has (one query): counter reception, supervision, the
    operations dashboard (same rule as ``indicators.filters.may_see_dashboard``)."""
    if not getattr(user, "is_authenticated", False):
        return {"reception": False, "supervisor": False, "desk": False, "dashboard": False}
    roles = set(current_roles(user).values_list("role", flat=True))
    return {
        "dashboard": bool(user.is_superuser or roles & set(DASHBOARD_ROLES)),
        "reception": RECEPTION in roles,
        "supervisor": bool(roles & set(SUPERVISOR_ROLES)),
        "desk": bool(roles & {RECEPTION, *SUPERVISOR_ROLES}),
    }
