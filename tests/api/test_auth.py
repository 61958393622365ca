"""Every operation reads the API token the same way (issue 11 §2, issue 13 item 9)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from congso.api import auth
from congso.api.v1 import api
from tests.api.tokens import full_token


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return [
        (method, re.sub(r"\{[^}]+\}", "x1", path))
        for path, item in schema["paths"].items()
        for method in item
    ]


OPERATIONS = _operations()


def _call(client: Client, method: str, path: str, headers: dict[str, str]) -> Any:
    if method == "get":
        return client.get(path, headers=headers)
    return client.generic(method.upper(), path, b"{}", "application/json", headers=headers)


def test_every_operation_has_the_token_in_its_auth_chain() -> None:
    for router in api._get_bound_routers():
        for view in router.path_operations.values():
            for operation in view.operations:
                kinds = [type(cb) for cb in operation.auth_callbacks]
                assert auth.BearerToken in kinds, operation.view_func.__name__


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_valid_token_is_recognised_everywhere(world, method, path, monkeypatch) -> None:
    seen: list[Any] = []
    real = auth.row_for_token

    def spy(token: str) -> Any:
        row = real(token)
        seen.append(row.user if row is not None else None)
        return row

    token = full_token(world.specialist_a)
    monkeypatch.setattr(auth, "row_for_token", spy)
    response = _call(Client(), method, path, {"Authorization": f"Bearer {token}"})
    assert seen == [world.specialist_a], (method, path)
    assert response.status_code != 401, (method, path, response.content)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_an_invalid_token_is_refused_everywhere(method, path) -> None:
    response = _call(Client(), method, path, {"Authorization": "Bearer cs_not-a-token"})
    assert response.status_code == 401, (method, path)
    assert response.json()["code"] == "invalid_token"


@pytest.mark.django_db
def test_org_endpoints_answer_the_token_holder(world, tokens) -> None:
    client = Client()
    roles = client.get("/api/v1/org/me/roles", headers=tokens["reception"])
    assert roles.status_code == 200
    assert [(r["role"], r["agency_code"]) for r in roles.json()] == [
        ("reception", world.commune_a.code)
    ]
    agencies = client.get("/api/v1/org/agencies", headers=tokens["leader"]).json()
    assert world.commune_a.code in [a["code"] for a in agencies]


@pytest.mark.django_db
def test_my_roles_needs_a_person(world) -> None:
    response = Client().get("/api/v1/org/me/roles")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert Client().get("/api/v1/org/agencies").json() == []
