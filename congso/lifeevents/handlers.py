"""The dossier-event handler: a dossier with its result is a life event (a birth, a death
registered) and may settle the offer it was submitted for (``services.on_dossier_done``)."""

from __future__ import annotations

from congso.dossiers.events import handler
from congso.dossiers.models import Dossier, DossierEvent
from congso.lifeevents import services

#: The actions after which a dossier has its result.
DONE_ACTIONS = frozenset({"complete", "return_result"})


@handler("lifeevents.offers")
def dossier_event_offers(event: DossierEvent) -> None:
    if str(event.payload.get("action", "")) not in DONE_ACTIONS:
        return
    dossier = (
        Dossier.objects.select_related("applicant_citizen", "procedure_version__procedure")
        .filter(pk=event.dossier_id)
        .first()
    )
    if dossier is not None:
        services.on_dossier_done(dossier, now=event.created_at)
