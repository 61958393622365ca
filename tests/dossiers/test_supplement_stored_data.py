"""Issue 12 blocker 2 (and issue 11 §2): a supplement that sends only the requested files is
accepted, although the stored form data holds an enriched address (unit and province names)."""

from __future__ import annotations

from typing import Any

from congso.dossiers import services
from congso.dossiers.workflow import Status
from congso.org.models import AdministrativeUnit, UnitKind, UnitLevel

from .conftest import FORM, FORM_SCHEMA, png, receive, submit

ADDRESS = {
    "name": "noi_cu_tru",
    "type": "address",
    "label": "Nơi cư trú",
    "required": True,
    "section": "Người yêu cầu",
}


def test_supplement_with_only_the_requested_files(world: Any) -> None:
    AdministrativeUnit.objects.create(
        code="21028",
        name="Phường Trương Quang Trọng",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        parent=world.province,
        province=world.province,
    )
    world.version.form_schema = {
        **FORM_SCHEMA,
        "fields": [*FORM_SCHEMA["fields"], ADDRESS],
    }
    world.version.save(update_fields=["form_schema"])
    form = {**FORM, "noi_cu_tru": {"unit_code": "21028", "detail": "Số 5, đường Hùng Vương"}}
    dossier = receive(world, submit(world, form_data=form))
    assert dossier.form_data["noi_cu_tru"]["unit_name"] == "Phường Trương Quang Trọng"
    dossier = services.dossier_request_supplement(
        actor=world.reception_a,
        dossier=dossier,
        reason="Ảnh giấy chứng sinh bị mờ.",
        missing_items=[{"component": "giay-chung-sinh"}],
    )
    dossier = services.dossier_supplement(
        actor=world.citizen_user,
        dossier=dossier,
        files={"giay-chung-sinh": [png("ro-net.png")]},
    )
    assert dossier.status == Status.RECEIVED
    assert dossier.form_data["noi_cu_tru"]["full"].startswith("Số 5, đường Hùng Vương")
