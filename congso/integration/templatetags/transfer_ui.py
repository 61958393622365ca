"""The transfers (liên thông between systems) on the officer's dossier page, with a one-line
include in ``backoffice/dossier.html``: where the dossier went or came from, the partner's
news, the result file, and the *Chuyển liên thông* button for whoever may transfer it."""

from __future__ import annotations

from typing import Any

from django import template

from congso.dossiers import selectors as dossier_selectors
from congso.dossiers.models import Dossier
from congso.integration import transfers

register = template.Library()


@register.inclusion_tag("integration/includes/dossier_transfers.html", takes_context=True)
def officer_transfers(context: dict[str, Any], dossier: Dossier) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    may_send = bool(transfers.partners()) and "transfer_out" in dossier_selectors.actions_for(
        user, dossier
    )
    return {"dossier": dossier, "transfers": transfers.transfers_of(dossier), "may_send": may_send}
