"""Issue 12: notifications go to the phone given for the dossier (typed in the online form or
at the counter), not only the profile's."""

from __future__ import annotations

from typing import Any

from congso.dossiers import services
from congso.notify.services import _contacts

from .conftest import FORM, FORM_SCHEMA, pdf, submit

PHONE = {"name": "so_dien_thoai", "type": "phone", "label": "Số điện thoại"}


def test_the_phone_typed_in_the_form_is_the_dossiers_contact(world: Any) -> None:
    world.version.form_schema = {**FORM_SCHEMA, "fields": [*FORM_SCHEMA["fields"], PHONE]}
    world.version.save(update_fields=["form_schema"])
    dossier = submit(world, form_data={**FORM, "so_dien_thoai": "0987 654 321"})
    assert world.citizen.phone == "0912345678"
    assert dossier.applicant_phone == "0987654321"
    assert _contacts(dossier)[0] == "0987654321"


def test_the_phone_given_at_the_counter_is_the_dossiers_contact(world: Any) -> None:
    dossier = services.dossier_receive_in_person(
        actor=world.reception_a,
        procedure=world.procedure,
        competent_agency=world.commune_a,
        desk=world.desk_a,
        citizen=world.citizen,
        form_data=dict(FORM),
        files={"to-khai": [pdf()]},
        contact_phone="0971112223",
    )
    assert dossier.applicant_phone == "0971112223"
    assert _contacts(dossier)[0] == "0971112223"
