"""Template helpers of the e-office pages."""

from __future__ import annotations

from typing import Any

from django import template

from congso.eoffice import labels, selectors

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


@register.filter
def label(value: Any, kind: str) -> Any:
    """``{{ document.state|label:"state" }}``: a choice as the reader reads it (translated;
    the wire text stays the model's)."""
    return labels.label(kind, value)


@register.filter
def doctype(document_type: Any) -> Any:
    """``{{ document.doc_type|doctype }}``: the type's name in the reader's language."""
    return labels.doc_type(document_type)


@register.simple_tag
def status_text(code: str, description: str) -> str:
    """A status package's text for the reader (``labels.status_text``)."""
    return labels.status_text(code, description)


@register.simple_tag
def keeps_incoming(user: Any) -> bool:
    """Whether the person is an agency's clerk (văn thư): the menu shows «Nhập văn bản đến»."""
    if getattr(user, "is_superuser", False):
        return True
    return selectors.office_agencies(user, ("clerk",)).exists()
