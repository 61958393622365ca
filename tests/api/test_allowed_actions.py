"""``allowed_actions`` lists what *this caller* may do now (issue 11 §2), decided by the
domain's permission rules: every action offered passes the services' permission checks, every
action withheld is refused by them with 403 and a stable code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from congso.api.dossiers import ActionIn, parse_action
from congso.core.errors import DomainError, PermissionDenied
from congso.dossiers import services
from congso.dossiers.commands import COMMANDS
from congso.dossiers.models import Dossier
from congso.dossiers.workflow import TRANSITIONS
from tests.dossiers.conftest import at, receive, submit

from .conftest import bearer

USERS = (
    "citizen_user",
    "other_user",
    "reception_a",
    "specialist_a",
    "leader_a",
    "reception_b",
    "specialist_b",
    "leader_b",
)


class _Rollback(Exception):
    pass


def _body(world: Any) -> ActionIn:
    parallel = {"agency": world.department.code, "hours": "8", "is_lead": True}
    return ActionIn(
        reason="Lý do thử",
        note="Ghi chú",
        missing_items=[{"component": "to-khai", "note": "Bản rõ hơn"}],
        consultations=[parallel],
        transfers=[parallel],
        amount_vnd=1000,
        new_appointment_at=at(2026, 4, 30, 10, 0),
        return_method="desk",
        result_summary="Giấy khai sinh",
    )


def _refused(world: Any, user: Any, dossier: Dossier, action: str) -> str | None:
    """The permission code the service refuses ``action`` with, or None (rolled back)."""
    try:
        with transaction.atomic():
            try:
                command, locked = COMMANDS[action], Dossier.objects.get(pk=dossier.pk)
                data = parse_action(command, locked, _body(world))
                command.run(actor=user, dossier=locked, data=data)
            except PermissionDenied as exc:
                return exc.code
            except DomainError:
                pass  # permitted; refused later for a business reason
            raise _Rollback
    except _Rollback:
        return None


def _states(world: Any, clock: Any) -> dict[str, Dossier]:
    clock.set(at(2026, 3, 2, 9, 0))
    submitted = submit(world)
    received = receive(world, submit(world))
    step1 = services.dossier_start_processing(
        actor=world.reception_a, dossier=receive(world, submit(world))
    )
    step2 = services.dossier_forward(
        actor=world.specialist_a,
        dossier=services.dossier_start_processing(
            actor=world.reception_a, dossier=receive(world, submit(world))
        ),
    )
    return {"submitted": submitted, "received": received, "step1": step1, "leader_step": step2}


def test_offered_actions_are_exactly_those_the_services_permit(world, clock) -> None:
    mismatches = []
    for state, dossier in _states(world, clock).items():
        for name in USERS:
            user = getattr(world, name)
            response = Client().get(f"/api/v1/dossiers/{dossier.code}", headers=bearer(user))
            if response.status_code == 404:
                continue  # out of scope: not even visible
            offered = set(response.json()["allowed_actions"])
            for action in COMMANDS:
                if Dossier.objects.get(pk=dossier.pk).state not in TRANSITIONS[action].sources:
                    assert action not in offered
                    continue
                refused = _refused(world, user, dossier, action)
                if (action in offered) != (refused is None):
                    mismatches.append((state, name, action, sorted(offered), refused))
    assert mismatches == []


def test_a_specialist_at_the_first_step_is_not_offered_complete(world, clock) -> None:
    dossier = _states(world, clock)["step1"]
    client = Client()
    headers = bearer(world.specialist_a)
    offered = client.get(f"/api/v1/dossiers/{dossier.code}", headers=headers).json()[
        "allowed_actions"
    ]
    assert "complete" not in offered
    assert "forward" in offered
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/complete",
        json.dumps({"result_summary": "x"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "leader_required"


@pytest.mark.parametrize("name", ["citizen_user", "specialist_a", "leader_a"])
def test_reception_work_is_not_offered_to_others(world, clock, name) -> None:
    dossier = _states(world, clock)["submitted"]
    user = getattr(world, name)
    offered = (
        Client()
        .get(f"/api/v1/dossiers/{dossier.code}", headers=bearer(user))
        .json()["allowed_actions"]
    )
    assert "receive" not in offered and "not_accept" not in offered
    response = Client().post(
        f"/api/v1/dossiers/{dossier.code}/actions/receive",
        "{}",
        content_type="application/json",
        headers=bearer(user),
    )
    assert response.status_code == 403
    assert response.json()["code"]
