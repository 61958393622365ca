from __future__ import annotations

from typing import Any

from django import template

from congso.dossiers.models import Dossier
from congso.payments import selectors, services
from congso.payments.models import SETTLED

register = template.Library()


@register.inclusion_tag("payments/_dossier_payment.html", takes_context=True)
def citizen_payment(context: dict[str, Any], dossier: Dossier) -> dict[str, Any]:
    """The fee block of the citizen's dossier page: what to pay and the "Thanh toán" button."""
    user = context["request"].user
    paid = selectors.intents_of(user, dossier).filter(status__in=SETTLED)
    return {"dossier": dossier, "due": services.fee_request(dossier), "paid": list(paid)}


@register.inclusion_tag("payments/_officer_link.html")
def officer_fees_link(dossier: Dossier) -> dict[str, Any]:
    """The link from the officer's dossier page to its fee page."""
    return {"dossier": dossier}
