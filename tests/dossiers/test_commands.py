"""One command table for both doors (issue 14 §2): every action of
:data:`congso.dossiers.commands.COMMANDS` is refused, for the same bad input, with the same code
by the service, by the API and by the officer's page, and nothing is written."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from congso.core.errors import DomainError
from congso.dossiers import services
from congso.dossiers.commands import COMMANDS, OFFICER_COMMANDS
from congso.dossiers.models import Dossier
from congso.org.models import AdministrativeUnit, Agency, AgencyLevel, UnitKind, UnitLevel
from tests.api.conftest import bearer
from tests.dossiers.conftest import World, at, fresh, receive, submit

LONG = "x" * 4001


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


@dataclass(frozen=True)
class Case:
    """A bad input for ``action``: the dossier's state, who acts, the typed input's fields."""

    action: str
    state: str
    actor: str
    values: dict[str, Any] = field(default_factory=dict)
    code: str = ""


def _elsewhere() -> Agency:
    province = AdministrativeUnit.objects.create(
        code="52", name="Bình Định", level=UnitLevel.PROVINCE, kind=UnitKind.PROVINCE
    )
    return Agency.objects.create(
        name="Sở Tư pháp Bình Định",
        short_name="STP Bình Định",
        code="000.00.01.H52",
        level=AgencyLevel.PROVINCE,
        unit=province,
        province=province,
    )


def _states(world: World, clock: Any) -> dict[str, Dossier]:
    clock.set(at(2026, 3, 2, 9, 0))

    def step1() -> Dossier:
        return services.dossier_start_processing(
            actor=world.reception_a, dossier=receive(world, submit(world))
        )

    leader = services.dossier_forward(actor=world.specialist_a, dossier=step1())
    consulting = services.dossier_consult(
        actor=world.specialist_a,
        dossier=step1(),
        reason="Xin ý kiến Sở",
        consultations=[services.ParallelRequest(agency=world.department, hours=Decimal(8))],
    )
    payment = services.dossier_request_payment(
        actor=world.specialist_a, dossier=step1(), reason="Lệ phí", amount_vnd=8000
    )
    processed = services.dossier_complete(
        actor=world.leader_a,
        dossier=services.dossier_forward(actor=world.specialist_a, dossier=step1()),
        result_summary="Cấp trích lục",
    )
    withdrawal = services.dossier_request_withdrawal(
        actor=world.citizen_user, dossier=receive(world, submit(world)), reason="Nộp nhầm"
    )
    return {
        "submitted": submit(world),
        "received": receive(world, submit(world)),
        "step1": step1(),
        "leader": leader,
        "consulting": consulting,
        "payment": payment,
        "processed": processed,
        "withdrawal": withdrawal,
    }


def _cases(world: World, elsewhere: Agency) -> list[Case]:
    def ask(agency: Agency, hours: str, **extra: Any) -> list[services.ParallelRequest]:
        return [services.ParallelRequest(agency=agency, hours=Decimal(hours), **extra)]

    return [
        Case("receive", "submitted", "reception_a", {"note": LONG}, "too_long"),
        Case("not_accept", "submitted", "reception_a", {"reason": " "}, "required"),
        Case(
            "request_supplement",
            "submitted",
            "reception_a",
            {"reason": "Thiếu giấy tờ"},
            "missing_items_required",
        ),
        Case("start_processing", "received", "reception_a", {"note": LONG}, "too_long"),
        Case("forward", "step1", "specialist_a", {"note": LONG}, "too_long"),
        Case("send_back", "step1", "specialist_a", {"reason": ""}, "required"),
        # The rules the pages alone enforced before: agencies of the province, not the competent
        # agency itself, at most 2,000 working hours each.
        Case(
            "consult",
            "step1",
            "specialist_a",
            {"reason": "Xin ý kiến", "consultations": ask(elsewhere, "8")},
            "agency_not_eligible",
        ),
        Case(
            "consult",
            "step1",
            "specialist_a",
            {"reason": "Xin ý kiến", "consultations": ask(world.commune_a, "8")},
            "agency_not_eligible",
        ),
        Case("answer_consultation", "consulting", "specialist_stp", {"note": ""}, "required"),
        Case(
            "transfer",
            "step1",
            "specialist_a",
            {"reason": "Liên thông", "transfers": ask(world.department, "2001", is_lead=True)},
            "hours_out_of_range",
        ),
        Case(
            "transfer",
            "step1",
            "specialist_a",
            {"reason": "Liên thông", "transfers": ask(world.department, "0", is_lead=True)},
            "hours_required",
        ),
        Case("request_payment", "step1", "specialist_a", {"reason": ""}, "required"),
        Case("confirm_payment", "payment", "reception_a", {"note": LONG}, "too_long"),
        Case("refuse", "step1", "specialist_a", {"reason": ""}, "required"),
        # Completing with no result written was refused by the page only.
        Case("complete", "leader", "leader_a", {"result_summary": "  "}, "result_summary_required"),
        Case(
            "return_result", "processed", "reception_a", {"method": "fax"}, "invalid_return_method"
        ),
        Case("apologise", "step1", "specialist_a", {"reason": "Cần xác minh"}, "required"),
        Case("request_withdrawal", "received", "citizen_user", {"reason": ""}, "required"),
        Case("confirm_withdrawal", "withdrawal", "reception_a", {"note": LONG}, "too_long"),
        Case("decline_withdrawal", "withdrawal", "reception_a", {"reason": ""}, "required"),
    ]


def _api_body(case: Case, version: int) -> dict[str, Any]:
    body: dict[str, Any] = {"expected_version": version}
    for name, value in case.values.items():
        if name in ("consultations", "transfers"):
            body[name] = [
                {"agency": item.agency.code, "hours": str(item.hours), "is_lead": item.is_lead}
                for item in value
            ]
        else:
            body["return_method" if name == "method" else name] = value
    return body


def _page_form(case: Case, version: int) -> dict[str, Any]:
    form: dict[str, Any] = {"version": version}
    for name, value in case.values.items():
        if name in ("consultations", "transfers"):
            for index, item in enumerate(value):
                form[f"agency.{index}"] = item.agency.pk
                form[f"hours.{index}"] = str(item.hours)
                if item.is_lead:
                    form["lead"] = str(index)
        else:
            form["return_method" if name == "method" else name] = value
    return form


def _service_code(case: Case, actor: Any, dossier: Dossier) -> str:
    command = COMMANDS[case.action]
    data = command.input(expected_version=dossier.version, **case.values)
    with pytest.raises(DomainError) as refused:
        command.run(actor=actor, dossier=dossier, data=data)
    return refused.value.code


def test_both_doors_refuse_the_same_bad_input_with_the_same_code(world, clock) -> None:
    states = _states(world, clock)
    cases = _cases(world, _elsewhere())
    assert {case.action for case in cases} == set(COMMANDS)  # a new action needs its case
    seen = []
    for case in cases:
        dossier = fresh(states[case.state])
        actor = getattr(world, case.actor)
        service = _service_code(case, actor, dossier)
        api = Client().post(
            f"/api/v1/dossiers/{dossier.code}/actions/{case.action}",
            json.dumps(_api_body(case, dossier.version), default=str),
            content_type="application/json",
            headers=bearer(actor),
        )
        if case.action in OFFICER_COMMANDS:
            client = Client()
            client.force_login(actor)
            page = client.post(
                f"/can-bo/ho-so/{dossier.code}/thao-tac/{case.action}/",
                _page_form(case, dossier.version),
            )
            assert page.status_code == 422, case
            found = re.search(r'data-error-code="([a-z_]+)"', page.content.decode())
            page_code = found.group(1) if found else None
        else:  # the applicant's action: not an officer's page
            client = Client()
            client.force_login(world.reception_a)
            refused = client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{case.action}/")
            assert refused.status_code == 404
            page_code = service
        seen.append((case.action, service, api.json()["code"], page_code))
        assert api.status_code >= 400, case
        assert fresh(dossier).version == dossier.version  # nothing written
    assert seen == [(case.action, case.code, case.code, case.code) for case in cases]


def test_the_pages_offer_every_officer_action_of_the_table(world, clock) -> None:
    dossier = submit(world)
    client = Client()
    client.force_login(world.reception_a)
    for name in OFFICER_COMMANDS:
        page = client.get(f"/can-bo/ho-so/{dossier.code}/thao-tac/{name}/")
        assert page.status_code == 200, name
    assert client.get(f"/can-bo/ho-so/{dossier.code}/thao-tac/rate/").status_code == 404
