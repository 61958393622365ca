"""Prefill of an online form from the population database, with the source shown
("từ CSDLQG về dân cư", docs/identity.md).

Called by the portal when a draft opens: the applicant's fields the citizen's profile leaves
empty are filled from the database's answer (the profile is never changed); which fields came
from it is kept in the session, and the form shows the source while the value is unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop

from congso.identity import population
from congso.org.models import Citizen

log = logging.getLogger("congso.identity")

SESSION_PREFIX = "identity.sources."
#: Stored as written (Vietnamese) in the access log.
PURPOSE = gettext_noop("Điền sẵn tờ khai nộp trực tuyến")


def _values(resident: population.Resident) -> dict[str, Any]:
    """What the answer gives, by prefill source name (congso.catalog.formschema)."""
    values: dict[str, Any] = {
        "citizen.full_name": resident.full_name or None,
        "citizen.personal_id": resident.personal_id or None,
        "citizen.birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        "citizen.gender": resident.gender or None,
    }
    place = resident.current or resident.permanent
    if place is not None:
        values["citizen.address"] = {"unit_code": place.commune_code, "detail": place.detail}
    return values


def from_population(
    request: HttpRequest,
    schema: Mapping[str, Any],
    citizen: Citizen | None,
    *,
    procedure_code: str,
    initial: dict[str, Any],
) -> dict[str, Any]:
    """``initial`` completed from the population database (fields still empty only)."""
    if not population.configured() or citizen is None or citizen.birth_date is None:
        return initial
    wanted = {
        spec["name"]: spec["prefill"]
        for spec in schema.get("fields") or ()
        if isinstance(spec, Mapping) and spec.get("prefill") and not initial.get(spec["name"])
    }
    if not wanted:
        return initial
    try:
        resident = population.lookup(
            personal_id=citizen.personal_id,
            full_name=citizen.full_name,
            birth_year=citizen.birth_date.year,
            purpose=PURPOSE,
            procedure_code=procedure_code,
            actor=request.user,
        )
    except population.PopulationError as exc:
        log.info("population prefill skipped: %s", exc.code)
        return initial
    answer = _values(resident)
    filled = {name: answer[source] for name, source in wanted.items() if answer.get(source)}
    request.session[SESSION_PREFIX + procedure_code] = filled
    return {**initial, **filled}


def sources(request: HttpRequest, procedure_code: str, values: Mapping[str, Any]) -> dict[str, str]:
    """``{field name: source label}`` for the fields still holding the database's value."""
    filled: dict[str, Any] = request.session.get(SESSION_PREFIX + procedure_code) or {}
    label = gettext(population.SOURCE_LABEL)
    return {name: label for name, value in filled.items() if values.get(name) == value}
