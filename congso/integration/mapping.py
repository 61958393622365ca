"""Local procedures mapped to national codes for the portal sync: a procedure with only a
provisional local code (``Procedure.national_code`` false) gets a *suggestion* — the national
procedure of the catalogue whose name is closest (``difflib`` ratio on the accent-free names,
at least :data:`THRESHOLD`) — which an officer confirms (audited). Only a confirmed mapping is
used; without one the procedure's dossiers are refused for sync (``procedure_not_national``).
"""

from __future__ import annotations

import difflib
import re

from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.catalog.models import Procedure
from congso.core.types import Actor
from congso.integration.models import ProcedureMapping

THRESHOLD = 0.6


def _name(procedure: Procedure) -> str:
    """The accent-free lower-case name (``search_text`` without the code), "thủ tục" dropped."""
    text = procedure.search_text.replace(procedure.code.lower(), " ")
    text = re.sub(r"\bthu tuc\b", " ", text)
    return " ".join(text.split())


def national_code_of(procedure: Procedure) -> str | None:
    if procedure.national_code:
        return procedure.code
    mapping = ProcedureMapping.objects.filter(
        procedure=procedure, confirmed_at__isnull=False
    ).first()
    return mapping.national_code if mapping else None


def suggest(procedures: list[Procedure] | None = None) -> list[ProcedureMapping]:
    """Suggest (or refresh the suggestion of) a national code for unconfirmed local procedures."""
    national = list(Procedure.objects.filter(national_code=True, active=True))
    local = procedures or list(Procedure.objects.filter(national_code=False))
    made = []
    for procedure in local:
        if procedure.national_code:
            continue
        current = ProcedureMapping.objects.filter(procedure=procedure).first()
        if current is not None and current.confirmed_at is not None:
            continue
        name = _name(procedure)
        best, score = None, 0.0
        for candidate in national:
            ratio = difflib.SequenceMatcher(None, name, _name(candidate)).ratio()
            if ratio > score:
                best, score = candidate, ratio
        if best is None or score < THRESHOLD:
            continue
        mapping, _ = ProcedureMapping.objects.update_or_create(
            procedure=procedure,
            defaults={
                "national_code": best.code,
                "national_name": best.name[:1000],
                "similarity": round(score, 3),
                "suggested_at": timezone.now(),
            },
        )
        made.append(mapping)
    return made


def confirm(*, actor: Actor, mapping: ProcedureMapping) -> ProcedureMapping:
    with transaction.atomic():
        mapping = ProcedureMapping.objects.select_for_update().get(pk=mapping.pk)
        mapping.confirmed_by = actor  # type: ignore[assignment]  # a signed-in officer
        mapping.confirmed_at = timezone.now()
        mapping.save(update_fields=["confirmed_by", "confirmed_at"])
        record(
            actor=actor,
            action="integration.procedure_mapping.confirm",
            target=mapping,
            before=None,
            after={"procedure": mapping.procedure_id, "national_code": mapping.national_code},
        )
    return mapping
