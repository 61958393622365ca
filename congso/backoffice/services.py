"""Writes made from the officer workspace that span two domains. Each composes the domains'
own services in one transaction; nothing here writes a model directly."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from congso.catalog.models import Procedure
from congso.core.errors import DomainError
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.org import services as org_services
from congso.org.identity import validate_personal_id, validate_tax_code
from congso.org.models import Agency, Citizen, Desk, Organisation


@dataclass(frozen=True)
class CounterApplicant:
    """The applicant as typed at the desk: a citizen (personal ID) or an organisation (tax
    code). Identity fields are checked by :mod:`congso.org.identity`."""

    kind: str  # "citizen" or "organisation"
    id_number: str
    name: str
    birth_date: datetime.date | None = None
    gender: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def _citizen(actor: Any, desk: Desk, applicant: CounterApplicant) -> Citizen:
    """The citizen with this personal ID (the card is shown at the desk), or a new record
    registered by the desk's agency."""
    info = validate_personal_id(
        applicant.id_number, birth_date=applicant.birth_date, gender=applicant.gender or None
    )
    existing = Citizen.objects.filter(personal_id=info.number).first()
    if existing is not None:
        return existing
    return org_services.citizen_create(
        actor=actor,
        full_name=applicant.name,
        personal_id=info.number,
        birth_date=applicant.birth_date,
        gender=applicant.gender or None,
        phone=applicant.phone,
        email=applicant.email,
        address=applicant.address,
        agency=desk.agency,
    )


def _organisation(actor: Any, desk: Desk, applicant: CounterApplicant) -> Organisation:
    code = validate_tax_code(applicant.id_number)
    existing = Organisation.objects.filter(tax_code=code).first()
    if existing is not None:
        return existing
    return org_services.organisation_create(
        actor=actor,
        name=applicant.name,
        tax_code=code,
        address=applicant.address,
        phone=applicant.phone,
        email=applicant.email,
        agency=desk.agency,
    )


def counter_receive(
    *,
    actor: Any,
    desk: Desk,
    procedure: Procedure,
    competent_agency: Agency,
    applicant: CounterApplicant,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Any]],
    paper_components: Iterable[str],
    note: str = "",
) -> Dossier:
    """Counter reception (tiếp nhận trực tiếp): register the applicant if new
    (``org.services``) and receive the dossier at once
    (``dossiers.services.dossier_receive_in_person``: code, appointment, form 01), all or
    nothing."""
    if applicant.kind not in ("citizen", "organisation"):
        raise DomainError(
            "applicant_kind", "Chọn người nộp là công dân hay tổ chức.", field="applicant_kind"
        )
    with transaction.atomic():
        citizen = organisation = None
        if applicant.kind == "citizen":
            citizen = _citizen(actor, desk, applicant)
        else:
            organisation = _organisation(actor, desk, applicant)
        return dossier_services.dossier_receive_in_person(
            actor=actor,
            procedure=procedure,
            competent_agency=competent_agency,
            desk=desk,
            form_data=form_data,
            files=files,
            citizen=citizen,
            organisation=organisation,
            paper_components=list(paper_components),
            note=note,
            contact_phone=applicant.phone,
            contact_email=applicant.email,
        )
