"""Issue 3's bar: a dossier of every demo procedure goes through the whole lifecycle by the API.

The real demo (province 51 and the 34 researched procedures with their internal processes) is
loaded once; for each procedure, at one agency that handles it, a reception officer receives a
dossier at a desk serving that agency, then whoever holds the role of each step acts (looked up
from the role assignments, so the test follows the published process, consultations and
inter-agency steps included) until the result is returned and the citizen rates it.
"""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Q
from django.test import Client

from congso.catalog.models import Procedure
from congso.catalog.selectors import current_version
from congso.org.models import AdministrativeUnit, Citizen, Desk, RoleAssignment, UnitLevel
from tests.api.tokens import full_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = "/api/v1/dossiers"


@pytest.fixture
def demo(db: Any) -> None:
    """The real demo, inside the test's transaction (rolled back afterwards)."""
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_catalog_demo", stdout=io.StringIO())


def fill(fields: list[dict[str, Any]], citizen: Citizen, unit_code: str) -> dict[str, Any]:
    """Valid data for a form schema, field by field."""
    data: dict[str, Any] = {}
    for spec in fields:
        kind, name = spec["type"], spec["name"]
        if kind == "file":
            continue
        own = _own_identity(spec, citizen)
        if own is not None:
            # The applicant's identity fields are the citizen's own (issue 13 item 4: tied to
            # the account online), as the portal prefills them.
            data[name] = own
            continue
        if kind in ("text", "textarea"):
            text = "4711 Nội dung thử nghiệm".ljust(spec.get("min_length", 0), "x")
            value: Any = text[: spec.get("max_length", 500)]
        elif kind == "number":
            value = spec.get("min", 1)
        elif kind == "date":
            low = spec.get("min")
            if low == "today":
                value = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
            else:
                value = low or "2000-01-15"
        elif kind == "choice":
            first = spec["options"][0]["value"]
            value = [first] if spec.get("multiple") else first
        elif kind == "email":
            value = "thu.nghiem@example.vn"
        elif kind == "phone":
            value = "0912345678"
        elif kind == "personal_id":
            value = citizen.personal_id
        elif kind == "address":
            value = {"unit_code": unit_code, "detail": "Số 1, thôn Thử Nghiệm"}
        else:  # group
            value = [
                fill(spec["fields"], citizen, unit_code) for _ in range(max(1, spec.get("min", 1)))
            ]
        data[name] = value
    return data


def _own_identity(spec: dict[str, Any], citizen: Citizen) -> Any:
    value = {
        "citizen.full_name": citizen.full_name,
        "citizen.personal_id": citizen.personal_id,
        "citizen.birth_date": citizen.birth_date.isoformat() if citizen.birth_date else None,
        "citizen.gender": citizen.gender or None,
    }.get(str(spec.get("prefill") or ""))
    return value


class Actors:
    """API clients for whoever holds a role at an agency (tokens made on demand)."""

    def __init__(self) -> None:
        self.tokens: dict[int, dict[str, str]] = {}

    def headers(self, user: Any) -> dict[str, str]:
        if user.pk not in self.tokens:
            token = full_token(user, name="e2e")
            self.tokens[user.pk] = {"Authorization": f"Bearer {token}"}
        return self.tokens[user.pk]

    def holder(self, role: str, agency_id: int, department_id: int | None = None) -> Any:
        today = datetime.date.today()
        rows = RoleAssignment.objects.filter(role=role, agency_id=agency_id, valid_from__lte=today)
        rows = rows.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        if department_id is not None:
            rows = rows.filter(Q(department_id=department_id) | Q(department__isnull=True))
        found = rows.select_related("user").first()
        assert found is not None, f"no {role} at agency {agency_id} (department {department_id})"
        return found.user


def act(client: Client, headers: dict[str, str], code: str, action: str, **body: Any) -> Any:
    response = client.post(
        f"{BASE}/{code}/actions/{action}",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, (action, response.content)
    return response.json()


@pytest.mark.django_db
def test_every_demo_procedure_goes_through_the_lifecycle(demo: Any, settings: Any) -> None:
    settings.LOOKUP_LIMIT = 0  # one address looks up every dossier (issue 13 item 9's throttle)
    client = Client()
    actors = Actors()
    citizen = Citizen.objects.select_related("user").filter(user__isnull=False).first()
    assert citizen is not None
    commune_code = (
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    assert commune_code is not None
    procedures = list(Procedure.objects.filter(active=True).order_by("code"))
    assert len(procedures) >= 25
    returned = 0
    for procedure in procedures:
        version = current_version(procedure)
        process = version.processes.filter(active=True).select_related("agency__unit").first()
        assert process is not None, f"{procedure.code} has no internal process in the demo"
        agency = process.agency
        desk = Desk.objects.filter(serves=agency, active=True).order_by("pk").first()
        assert desk is not None, f"no desk receives for {agency}"
        reception = actors.holder("reception", desk.agency_id)
        files = {
            f"files.{component.code}": SimpleUploadedFile(f"{component.code}.pdf", PDF)
            for component in version.components.filter(mandatory=True)
        }
        form = fill(version.form_schema.get("fields", []), citizen, commune_code)
        response = client.post(
            f"{BASE}/in-person",
            data={
                "procedure": procedure.code,
                "agency": agency.code,
                "desk": desk.pk,
                "citizen": citizen.personal_id,
                "form_data": json.dumps(form),
                **files,
            },
            headers=actors.headers(reception),
        )
        assert response.status_code == 201, (procedure.code, response.content)
        dossier = response.json()
        assert dossier["status"] == "received" and dossier["national_status"] == 2
        code = dossier["code"]
        assert code.startswith(desk.agency.code + "-")
        dossier = act(client, actors.headers(reception), code, "start_processing",
                      expected_version=dossier["version"])  # fmt: skip
        for _ in range(30):
            if dossier["status"] != "processing":
                break
            open_steps = [s for s in dossier["steps"] if s["ended_at"] is None]
            # Parallel steps (inter-agency partners, consultations) go first; the lead waits.
            open_steps.sort(key=lambda s: (s["is_lead"], s["kind"] == "step"))
            step = open_steps[0]
            user = actors.holder(step["role"], _agency_id(step["agency_code"]))
            headers = actors.headers(user)
            if step["kind"] == "consultation":
                dossier = act(client, headers, code, "answer_consultation",
                              expected_version=dossier["version"], step_id=step["id"],
                              note="Thống nhất")  # fmt: skip
                continue
            moved = client.post(
                f"{BASE}/{code}/actions/forward",
                data=json.dumps({"expected_version": dossier["version"], "step_id": step["id"]}),
                content_type="application/json",
                headers=headers,
            )
            if moved.status_code == 200:
                dossier = moved.json()
                continue
            # The last step (or a signing step that only completes): the result is ready; a
            # leader of the step's agency completes unless the step itself allows its holder to.
            assert moved.json()["code"] in ("last_step", "action_not_allowed_at_step"), (
                procedure.code,
                moved.content,
            )
            if step["role"] != "leader":
                user = actors.holder("leader", _agency_id(step["agency_code"]))
            dossier = act(
                client,
                actors.headers(user),
                code,
                "complete",
                expected_version=dossier["version"],
                result_summary="Đã giải quyết",
            )
        assert dossier["status"] == "processed", (procedure.code, dossier["status"])
        assert dossier["national_status"] == 9
        assert dossier["timeliness"] in ("early", "on_time", "late")
        dossier = act(client, actors.headers(reception), code, "return_result",
                      expected_version=dossier["version"], return_method="desk")  # fmt: skip
        assert dossier["status"] == "returned" and dossier["national_status"] == 10
        history = client.get(f"{BASE}/{code}/history", headers=actors.headers(reception)).json()
        assert [row["action"] for row in history][-1] == "return_result"
        exists = client.get(f"/api/v1/lookup/{code}").json()
        assert exists == {"code": code, "exists": True, "verification": exists["verification"]}
        lookup = client.post(
            f"/api/v1/lookup/{code}",
            data=json.dumps({"last_digits": citizen.personal_id[-4:]}),
            content_type="application/json",
        ).json()
        assert lookup["national_status"] == 10 and "applicant_name" not in lookup
        returned += 1
    assert returned == len(procedures)


def _agency_id(code: str) -> int:
    from congso.org.models import Agency

    return Agency.objects.only("pk").get(code=code).pk
