"""Partials that put e-results on pages of other apps with a one-line include (the officer's
dossier page, the citizen's dossier page and the public look-up), so those apps' views and
templates stay as they are."""

from __future__ import annotations

import re
from typing import Any

from django import template

from congso.dossiers.models import Dossier
from congso.signing import selectors
from congso.signing.validation import CERTIFICATION_LABELS, COVERAGE_LABELS
from congso.signing.workspace import NOTICES

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


@register.inclusion_tag("signing/_dossier_results.html", takes_context=True)
def officer_results(context: dict[str, Any], dossier: Dossier) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = selectors.officer_panel(user, dossier)
    notice = NOTICES.get(request.GET.get("ketqua", "")) if request is not None else None
    return {"dossier": dossier, "panel": panel, "notice": notice or ""}


@register.inclusion_tag("signing/_citizen_results.html")
def citizen_results(dossier: Dossier) -> dict[str, Any]:
    return {"dossier": dossier, "results": selectors.signed_results_for_applicant(dossier)}


@register.inclusion_tag("signing/_lookup_notice.html")
def e_result_notice(code: str) -> dict[str, Any]:
    return {"exists": selectors.has_signed_result(code)}
