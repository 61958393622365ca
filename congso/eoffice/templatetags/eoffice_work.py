"""Template blocks of the handling work: a document's sub-assignments and its dossier (on the
document's page), a dossier's official documents and their replies (on the officer's dossier
page: the back-office sits above the e-office and includes this block)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from congso.dossiers.models import Dossier, StepStatus
from congso.eoffice import selectors
from congso.eoffice.models import AssignmentRole, Direction, Document, State, SubAssignment
from congso.org.permissions import VIEW

register = template.Library()


@register.inclusion_tag("eoffice/includes/work_subassignments.html", takes_context=True)
def document_subassignments(context: Any, document: Document) -> dict[str, Any]:
    user = context["request"].user
    rows = selectors.subassignments_of(document)
    handling = document.direction == Direction.INCOMING and document.state in (
        State.ASSIGNED,
        State.PROCESSING,
    )
    lead = (
        handling and document.assignments.filter(user_id=user.pk, role=AssignmentRole.LEAD).exists()
    )
    people = []
    if lead:
        people = [
            (person.pk, person.get_full_name() or str(person))
            for person in selectors.colleagues([document.agency_id])
            if person.pk != user.pk
        ]
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "document": document,
        "rows": rows,
        "now": timezone.now(),
        "lead": lead,
        "people": people,
        "mine_open": [
            row
            for row in rows
            if handling and row.user_id == user.pk and row.status == SubAssignment.Status.OPEN
        ],
    }


@register.inclusion_tag("eoffice/includes/work_dossier.html", takes_context=True)
def document_dossier(context: Any, document: Document) -> dict[str, Any]:
    """The dossier a document was raised from (or answers a document raised from)."""
    user = context["request"].user
    link = selectors.dossier_of(document)
    visible = (
        link is not None
        and Dossier.objects.restrict(user, VIEW).filter(pk=link.dossier_id).exists()
    )
    return {"link": link, "visible": visible, "document": document}


@register.inclusion_tag("eoffice/includes/dossier_documents.html", takes_context=True)
def dossier_documents(context: Any, dossier: Dossier, steps: Any = ()) -> dict[str, Any]:
    """On the officer's dossier page: the documents raised from it with their replies, and the
    buttons to raise one from the dossier or from each active step (``steps``: the dossier's
    steps the page already read) for the e-office officers of the agencies concerned."""
    user = context["request"].user
    linked = selectors.dossier_documents(user, dossier.pk)
    offices = set(selectors.office_agencies(user).values_list("pk", flat=True))
    active = [
        step
        for step in steps
        if step.status == StepStatus.ACTIVE and (user.is_superuser or step.agency_id in offices)
    ]
    can_draft = user.is_superuser or dossier.competent_agency_id in offices or bool(active)
    return {"dossier": dossier, "linked": linked, "can_draft": can_draft, "steps": active}
