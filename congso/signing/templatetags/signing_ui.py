"""The filters of the verification report (``signing/report.html``): certificate names and the
Vietnamese words of a signature's certification and coverage. The e-result panels on other
apps' pages are results' (``congso/results/templatetags/results_ui.py``)."""

from __future__ import annotations

import re

from django import template

from congso.signing.validation import CERTIFICATION_LABELS, COVERAGE_LABELS

register = template.Library()

#: "Common Name: X, Organization: Y, Country: VN" (asn1crypto's ``human_friendly``) → parts.
_NAME_PART = re.compile(r",\s(?=[A-Z][A-Za-z /]*: )")


@register.filter
def cert_name(subject: str | None) -> str:
    """A certificate's distinguished name as people read it: "Ngô Văn Minh – Chủ tịch (Ủy ban
    nhân dân phường Cẩm Thành)" instead of "Common Name: …, Title: …, Organization: …"."""
    if not subject:
        return ""
    parts: dict[str, str] = {}
    for piece in _NAME_PART.split(str(subject)):
        label, _colon, value = piece.partition(": ")
        if value:
            parts.setdefault(label.strip(), value.strip())
    name = parts.get("Common Name") or parts.get("Organization") or str(subject)
    if parts.get("Title"):
        name = f"{name} – {parts['Title']}"
    organisation = parts.get("Organization", "")
    return f"{name} ({organisation})" if organisation and organisation not in name else name


@register.filter
def certification_label(code: str | None) -> str:
    """The Vietnamese words of a certification signature's DocMDP permission (``ui`` after)."""
    return CERTIFICATION_LABELS.get(str(code or ""), "")


@register.filter
def coverage_label(code: str | None) -> str:
    return COVERAGE_LABELS.get(str(code or ""), COVERAGE_LABELS["UNCLEAR"])
