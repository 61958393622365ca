"""An imported procedure with its generic online form and default process goes through the
lifecycle with the dossier services: online submission → reception → processing → completion
→ return; a newer export publishing version 2 leaves the dossier on version 1."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from congso.accounts.models import User
from congso.catalog.formschema import file_components
from congso.catalog.models import Procedure
from congso.catalog.national.models import ImportedProcedure, Outcome
from congso.dossiers import services
from congso.dossiers.models import StepStatus
from congso.dossiers.workflow import Status
from congso.org.models import Citizen, Role, RoleAssignment
from tests.catalog.national.conftest import detail_lines, run_import, write_detail
from tests.dossiers.conftest import Clock, at, pdf


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


CODE = "1.001639"  # commune level, 20 working days, «Chủ tịch UBND cấp xã»


def officer(username: str, role: str, agency: Any, desk: Any = None) -> User:
    user = User.objects.create_user(username=username, password="x", full_name=username)
    RoleAssignment.objects.create(
        user=user, role=role, agency=agency, desk=desk, valid_from=datetime.date(2020, 1, 1)
    )
    return user


def form_data(schema: dict[str, Any], citizen: Citizen, unit_code: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_full_name": citizen.full_name,
        "applicant_personal_id": citizen.personal_id,
        "applicant_address": {"unit_code": unit_code, "detail": "Số 1 đường Lê Lợi"},
        "applicant_phone": "0912345678",
        "note": "Đề nghị giải quyết.",
    }
    names = {spec["name"] for spec in schema["fields"]}
    if "cases" in names:
        spec = next(s for s in schema["fields"] if s["name"] == "cases")
        data["cases"] = [spec["options"][0]["value"]]
    return data


@pytest.mark.django_db
def test_an_imported_procedure_goes_through_the_lifecycle(province, clock: Clock, tmp_path) -> None:
    run_import()
    imported = ImportedProcedure.objects.get(code=CODE)
    version = imported.version
    schema = version.form_schema
    commune = province.communes[0]
    assert version.processes.filter(agency=commune).exists()
    required = [
        spec["component"]
        for spec in schema["fields"]
        if spec["type"] == "file" and spec.get("required")
    ]
    assert set(file_components(schema)) <= {c.code for c in version.components.all()}
    reception = officer("motcua.xa", Role.RECEPTION, commune, province.desks[0])
    specialist = officer("chuyenvien.xa", Role.SPECIALIST, commune)
    leader = officer("lanhdao.xa", Role.LEADER, commune)
    user = User.objects.create_user(username="congdan", password="x")
    citizen = Citizen.objects.create(
        user=user, full_name="Nguyễn Văn Bình", personal_id="051085000001", phone="0912345678"
    )

    clock.set(at(2026, 8, 3, 9, 0))
    procedure = Procedure.objects.get(code=CODE)
    dossier = services.dossier_submit_online(
        actor=user,
        procedure=procedure,
        competent_agency=commune,
        form_data=form_data(schema, citizen, province.commune_units[0].code),
        files={code: [pdf()] for code in required},
    )
    assert dossier.status == Status.SUBMITTED and dossier.procedure_version == version
    assert dossier.desk == province.desks[0]

    clock.set(at(2026, 8, 3, 10, 0))
    dossier = services.dossier_receive(actor=reception, dossier=dossier)
    assert dossier.status == Status.RECEIVED
    # 20 working days from Monday 03/08/2026 10:00, Saturday 22/08 worked (National Day swap):
    # Friday 28/08 10:00.
    assert dossier.due_at == at(2026, 8, 28, 10, 0)
    dossier = services.dossier_start_processing(actor=reception, dossier=dossier)
    assert dossier.status == Status.PROCESSING
    (appraisal,) = dossier.steps.filter(status=StepStatus.ACTIVE)
    assert appraisal.name == "Thẩm định hồ sơ, dự thảo kết quả"

    # A newer export changes the procedure: version 2 from 01/09; this dossier keeps version 1.
    records = detail_lines()
    for record in records:
        if record["ma_thu_tuc"] == CODE:
            for channel in record["cach_thuc_thuc_hien"]:
                channel["thoi_han_giai_quyet"] = "15 WORKING_DAY"
    newer = run_import(
        detail=[write_detail(tmp_path / "newer.jsonl", records)],
        start=datetime.date(2026, 9, 1),
    )
    assert newer.items.get(code=CODE).outcome == Outcome.UPDATED

    clock.set(at(2026, 8, 5, 9, 0))
    dossier = services.dossier_forward(actor=specialist, dossier=dossier, note="Hồ sơ hợp lệ.")
    clock.set(at(2026, 8, 6, 9, 0))
    dossier = services.dossier_complete(
        actor=leader, dossier=dossier, result_summary="Đã giải quyết."
    )
    assert dossier.status == Status.PROCESSED and dossier.timeliness == "early"
    clock.set(at(2026, 8, 6, 14, 0))
    dossier = services.dossier_return_result(actor=reception, dossier=dossier, method="desk")
    assert dossier.status == Status.RETURNED
    dossier.refresh_from_db()
    assert dossier.procedure_version_id == version.pk and version.version == 1

    # A dossier submitted after 01/09 is born under version 2 (15 working days).
    clock.set(at(2026, 9, 7, 9, 0))
    later = services.dossier_submit_online(
        actor=user,
        procedure=procedure,
        competent_agency=commune,
        form_data=form_data(schema, citizen, province.commune_units[0].code),
        files={code: [pdf()] for code in required},
    )
    assert later.procedure_version.version == 2
    assert later.procedure_version.time_limit_value == 15
