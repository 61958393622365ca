"""Template helpers of the e-office pages."""

from __future__ import annotations

from typing import Any

from django import template

from congso.eoffice import selectors

register = template.Library()


@register.simple_tag
def keeps_registers(user: Any) -> bool:
    """Whether the person keeps or reads an agency's registers (its clerks and leaders): the
    menu shows «Sổ văn bản» only to them."""
    if getattr(user, "is_superuser", False):
        return True
    return selectors.office_agencies(user, ("clerk", "leader")).exists()


@register.simple_tag
def works_in_office(user: Any) -> bool:
    """Whether the person has e-office work (a clerk, leader, specialist or department head
    somewhere): the workspace menu links to the e-office only for them."""
    if getattr(user, "is_superuser", False):
        return True
    return selectors.office_agencies(user).exists()
