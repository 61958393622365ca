"""Partials that put e-results on pages of other apps with a one-line include (the officer's
dossier page, the citizen's dossier page and the public look-up), so those apps' views and
templates stay as they are."""

from __future__ import annotations

from typing import Any

from django import template

from congso.dossiers.models import Dossier
from congso.results import selectors
from congso.results.workspace import NOTICES

register = template.Library()


@register.inclusion_tag("results/_dossier_results.html", takes_context=True)
def officer_results(context: dict[str, Any], dossier: Dossier) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = selectors.officer_panel(user, dossier)
    notice = NOTICES.get(request.GET.get("ketqua", "")) if request is not None else None
    return {"dossier": dossier, "panel": panel, "notice": notice or ""}


@register.inclusion_tag("results/_citizen_results.html")
def citizen_results(dossier: Dossier) -> dict[str, Any]:
    return {"dossier": dossier, "results": selectors.signed_results_for_applicant(dossier)}


@register.inclusion_tag("results/_lookup_notice.html")
def e_result_notice(code: str) -> dict[str, Any]:
    return {"exists": selectors.has_signed_result(code)}
