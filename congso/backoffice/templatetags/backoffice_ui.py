"""Template helpers of the officer workspace."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from congso.backoffice.desk import supervised_desks
from congso.core.templatetags.site_ui import may_use_admin
from congso.dossiers.services.supervision import SUPERVISOR_ROLES
from congso.indicators.filters import DASHBOARD_ROLES
from congso.org.permissions import RECEPTION, current_roles

register = template.Library()

#: The roles as the pages name them (a step not yet given to a person shows its role).
ROLE_LABELS = {
    "reception": _("Cán bộ một cửa"),
    "specialist": _("Chuyên viên"),
    "department_head": _("Trưởng phòng"),
    "leader": _("Lãnh đạo cơ quan"),
    "clerk": _("Văn thư"),
    "agency_admin": _("Quản trị cơ quan"),
    "province_admin": _("Quản trị tỉnh"),
    "monitor": _("Giám sát"),
}


@register.filter
def role_label(role: str) -> str:
    """The role's name for people (never the code, e.g. ``specialist`` → "Chuyên viên")."""
    return str(ROLE_LABELS.get(role, role))


#: Roles with work queues of their own (the others search every dossier in their scope).
QUEUE_ROLES = frozenset({RECEPTION, "specialist", "department_head", "leader", "clerk"})


@register.simple_tag
def workspace_roles(user: Any) -> dict[str, bool]:
    """Which workspace pages the user has: their work queues (or the search of every dossier
    in scope), counter reception, supervision (only with a desk to supervise), the operations
    dashboard (same rule as ``indicators.filters.may_see_dashboard``), the administration."""
    if not getattr(user, "is_authenticated", False):
        return {
            "queues": False,
            "reception": False,
            "supervisor": False,
            "desk": False,
            "dashboard": False,
            "admin": False,
        }
    roles = set(current_roles(user).values_list("role", flat=True))
    # A reception officer works at a desk; a supervisor only has a page with a desk to oversee.
    desk = RECEPTION in roles or (
        bool(roles & set(SUPERVISOR_ROLES)) and supervised_desks(user).exists()
    )
    return {
        "queues": bool(user.is_superuser or roles & QUEUE_ROLES),
        "dashboard": bool(user.is_superuser or roles & set(DASHBOARD_ROLES)),
        "reception": RECEPTION in roles,
        "supervisor": bool(roles & set(SUPERVISOR_ROLES)) and desk,
        "desk": desk,
        "admin": may_use_admin(user),
    }
