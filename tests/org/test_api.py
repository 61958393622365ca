"""The /api/v1/org endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from congso.accounts.models import User
from congso.org.models import Agency, Role, RoleAssignment
from tests.api.tokens import full_token

from .conftest import COMMUNE


@pytest.mark.django_db
def test_units(client: Client, units: None) -> None:
    provinces = client.get("/api/v1/org/units").json()
    assert [(p["code"], p["name"]) for p in provinces] == [("51", "Quảng Ngãi")]
    communes = client.get("/api/v1/org/units", {"province": "51"}).json()
    assert len(communes) == 96
    assert communes[0]["code"] == COMMUNE and communes[0]["parent_code"] == "51"
    old = client.get("/api/v1/org/units", {"on": "2024-01-01"}).json()
    assert {p["name"] for p in old} == {"Tỉnh Quảng Ngãi", "Tỉnh Kon Tum"}


@pytest.mark.django_db
def test_unit_lookup_by_date(client: Client, units: None) -> None:
    response = client.get("/api/v1/org/units/62", {"on": "2024-01-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Tỉnh Kon Tum"
    assert body["valid_to"] == "2025-06-30"
    assert [s["name"] for s in body["current_successors"]] == ["Quảng Ngãi"]

    missing = client.get("/api/v1/org/units/62")
    assert missing.status_code == 404
    assert missing.json()["code"] == "unit_not_found"
    bad = client.get("/api/v1/org/units/51", {"on": "01/01/2024"})
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "invalid_date",
        "message": "«01/01/2024» không phải ngày hợp lệ dạng YYYY-MM-DD.",
        "field": "on",
    }


@pytest.mark.django_db
def test_agencies_and_roles_follow_the_permission_layer(
    client: Client,
    make_user: Callable[..., User],
    make_agency: Callable[..., Agency],
    grant: Callable[..., RoleAssignment],
    units: None,
) -> None:
    justice = make_agency("Sở Tư pháp", code="000.00.01.H51")
    make_agency("Sở Y tế", code="000.00.05.H51")
    assert client.get("/api/v1/org/agencies").json() == []
    anonymous = client.get("/api/v1/org/me/roles")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    officer = make_user("chuyenvien")
    grant(officer, Role.SPECIALIST, justice)
    token = full_token(officer)
    headers = {"Authorization": f"Bearer {token}"}
    agencies = client.get("/api/v1/org/agencies", headers=headers).json()
    assert [a["code"] for a in agencies] == ["000.00.01.H51"]
    roles = client.get("/api/v1/org/me/roles", headers=headers).json()
    assert [(r["role"], r["role_label"], r["agency_code"]) for r in roles] == [
        ("specialist", "Chuyên viên", "000.00.01.H51")
    ]
