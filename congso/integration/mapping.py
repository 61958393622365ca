"""Local procedures mapped to national codes for the portal sync: a procedure with only a
provisional local code (``Procedure.national_code`` false) gets a *suggestion* — the national
procedure of the catalogue whose name is closest (at least :data:`THRESHOLD`), the names put in
the catalogue's searchable form (:func:`congso.catalog.search.normalise`: lower case, no
diacritics, "thủ tục" dropped) and compared with ``rapidfuzz``'s token-sort ratio when it is
installed, else ``difflib``'s ratio — which an officer confirms (audited, on the sync page or
in the admin). Only a confirmed mapping is
used; without one the procedure's dossiers are refused for sync (``procedure_not_national``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.catalog.models import Procedure
from congso.catalog.search import normalise
from congso.core.types import Actor
from congso.integration.models import ProcedureMapping

THRESHOLD = 0.6


def _difflib(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _scorer() -> Callable[[str, str], float]:
    """Similarity 0–1 of two normalised names: rapidfuzz when installed, else difflib."""
    try:
        from rapidfuzz import fuzz  # optional: not a dependency of congso
    except ImportError:
        return _difflib
    return lambda a, b: fuzz.token_sort_ratio(a, b) / 100


similarity = _scorer()


def _name(procedure: Procedure) -> str:
    """The catalogue's searchable form of the name, "thủ tục" dropped."""
    return " ".join(re.sub(r"\bthu tuc\b", " ", normalise(procedure.name)).split())


def national_code_of(procedure: Procedure) -> str | None:
    if procedure.national_code:
        return procedure.code
    mapping = ProcedureMapping.objects.filter(
        procedure=procedure, confirmed_at__isnull=False
    ).first()
    return mapping.national_code if mapping else None


def suggest(procedures: list[Procedure] | None = None) -> list[ProcedureMapping]:
    """Suggest (or refresh the suggestion of) a national code for unconfirmed local procedures."""
    national = [(p, _name(p)) for p in Procedure.objects.filter(national_code=True, active=True)]
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
        for candidate, candidate_name in national:
            ratio = similarity(name, candidate_name)
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


def after_import(*, run: Any, actor: Any) -> None:
    """After every national-catalogue import (``catalog_national.after_import``): refresh the
    suggestions of the local procedures not yet confirmed, against the catalogue as it now is,
    so the officers' list (admin: *Ánh xạ thủ tục*) is never older than the last import."""
    made = suggest()
    record(
        actor=actor,
        action="integration.procedure_mapping.suggest",
        target=run,
        after={"suggested": len(made), "run": run.pk},
    )
