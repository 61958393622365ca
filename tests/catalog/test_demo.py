"""The demo catalogue: real procedures with their sources, forms for the key procedures,
processes that fit the limits at the demo agencies, a consultation and an inter-agency step;
loading twice changes nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from congso.audit.models import AuditEvent
from congso.catalog.demo import DEMO_FILE
from congso.catalog.formschema import prefill, validate_data, validate_schema
from congso.catalog.models import Procedure, ProcedureVersion, Process, ProcessStep
from congso.catalog.selectors import current_version, hours_per_day, validate_process
from congso.org.models import Agency, Citizen

KEY_FORMS = {
    "1.001193": "child_full_name",
    "1.000656": "deceased_full_name",
    "1.000894": "spouses",
    "1.001612": "business_lines",
    "2.000815": "document_name",
    "3.000333": "certificate_type",
}


@pytest.mark.django_db
def test_catalogue_demo_needs_the_demo_province() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_catalog_demo", stdout=StringIO())


@pytest.mark.django_db
@override_settings(DEMO_PASSWORD="mat-khau-thu")
def test_demo_catalogue() -> None:
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_catalog_demo", stdout=out)
    research = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["procedures"]
    assert Procedure.objects.count() == len(research) >= 25
    for item in research:
        code = item["code"] or Procedure.objects.get(national_code=False).code
        version = current_version(Procedure.objects.get(code=code))
        assert version.source == item["source"] and version.source["url"]
        assert (version.time_limit_value is None) == (item["time_limit"]["value"] is None)
        assert [c.name for c in version.components.all()] == [c["name"] for c in item["components"]]
        validate_schema(
            version.form_schema, component_codes=[c.code for c in version.components.all()]
        )
        assert version.processes.exists(), code
    for code, field in KEY_FORMS.items():
        schema = ProcedureVersion.objects.get(procedure__code=code).form_schema
        assert field in [spec["name"] for spec in schema["fields"]]
    per_day = hours_per_day("51")
    for process in Process.objects.select_related("version"):
        validate_process(process, hours_per_day=per_day)
    assert ProcessStep.objects.filter(kind="consultation", parallel_group__isnull=False).exists()
    lead = ProcessStep.objects.filter(kind="interagency", is_lead=True).first()
    assert lead is not None
    assert ProcessStep.objects.filter(
        process=lead.process, kind="interagency", agency__isnull=False
    ).exists()
    criminal = Process.objects.get(version__procedure__code="3.000333")
    assert criminal.agency.name.startswith("Công an")
    commune = Agency.objects.get(code="000.00.51.H51")
    assert Process.objects.filter(agency=commune).count() >= 20
    # The birth registration form accepts a complete declaration from the demo citizen.
    birth = ProcedureVersion.objects.get(procedure__code="1.001193")
    citizen = Citizen.objects.filter(address_unit__isnull=False).first()
    assert citizen is not None
    values = prefill(birth.form_schema, citizen)
    assert values["applicant_full_name"] == citizen.full_name
    data = {
        **values,
        "applicant_phone": "0912345678",
        "applicant_relationship": "father",
        "child_full_name": "Nguyễn Thị Mai",
        "child_birth_date": "2026-02-10",
        "child_gender": "female",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": {"unit_code": citizen.address_unit.code, "detail": ""},
        "mother_full_name": "Trần Thị Lan",
    }
    files = {
        spec["name"]: [{"name": "a.pdf", "size": 100, "content_type": "application/pdf"}]
        for spec in birth.form_schema["fields"]
        if spec["type"] == "file" and spec.get("required")
    }
    cleaned = validate_data(birth.form_schema, data, files=files)
    assert cleaned["child_birth_date"] == "2026-02-10"
    # A second run changes nothing.
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("load_catalog_demo", stdout=out)
    assert f"0 phiên bản thủ tục mới, 0 cập nhật, {len(research)} không đổi" in out.getvalue()
    assert AuditEvent.objects.count() == events
