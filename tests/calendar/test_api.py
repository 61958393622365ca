"""GET /api/v1/calendar/working-days and /api/v1/calendar/add: answers and every bad input."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calendar"


def get(client: Client, path: str, **params: str):
    return client.get(f"{BASE}{path}?{urlencode(params)}")


class TestWorkingDays:
    def test_around_tet_2026(self, client: Client) -> None:
        response = get(client, "/working-days", **{"from": "2026-02-12", "to": "2026-02-24"})
        assert response.status_code == 200
        assert response.json() == {
            "from": "2026-02-12",
            "to": "2026-02-24",
            "working_days": ["2026-02-12", "2026-02-13", "2026-02-23", "2026-02-24"],
        }

    def test_saturday_worked_in_2025(self, client: Client) -> None:
        response = get(client, "/working-days", **{"from": "2025-04-26", "to": "2025-05-05"})
        assert response.json()["working_days"] == [
            "2025-04-26",
            "2025-04-28",
            "2025-04-29",
            "2025-05-05",
        ]

    def test_three_years_is_allowed(self, client: Client) -> None:
        response = get(client, "/working-days", **{"from": "2024-01-01", "to": "2026-12-31"})
        assert response.status_code == 200
        assert len(response.json()["working_days"]) > 700

    def test_province_calendar(self, client: Client) -> None:
        response = get(
            client, "/working-days", **{"from": "2026-02-16", "to": "2026-02-16", "province": "51"}
        )
        assert response.json()["working_days"] == []

    def test_public_without_login(self, client: Client) -> None:
        client.logout()
        response = get(client, "/working-days", **{"from": "2026-01-05", "to": "2026-01-05"})
        assert response.status_code == 200


class TestAdd:
    @pytest.mark.parametrize(
        ("params", "due"),
        [
            # Friday 16:59 before Tết 2026: counting starts Monday 23/02 07:30.
            (
                {"start": "2026-02-13T16:59:00+07:00", "working_days": "5"},
                "2026-02-27T16:59:00+07:00",
            ),
            # The example: the last working day before Tết, 3 working days.
            (
                {"start": "2026-02-13T10:00:00+07:00", "working_days": "3"},
                "2026-02-25T10:00:00+07:00",
            ),
            (
                {"start": "2026-02-13T14:59:00+07:00", "working_days": "5"},
                "2026-02-27T14:59:00+07:00",
            ),
            # The same instant given in UTC.
            ({"start": "2026-02-13T09:59:00Z", "working_days": "5"}, "2026-02-27T16:59:00+07:00"),
            (
                {"start": "2026-02-13T16:59:00+07:00", "working_days": "0"},
                "2026-02-13T16:59:00+07:00",
            ),
            # Received after closing: counting starts at the next opening (after Tết).
            (
                {"start": "2026-02-13T17:30:00+07:00", "working_days": "1"},
                "2026-02-24T07:30:00+07:00",
            ),
            (
                {"start": "2026-02-13T16:59:00+07:00", "working_hours": "2"},
                "2026-02-23T09:29:00+07:00",
            ),
            (
                {"start": "2026-02-12T16:00:00+07:00", "working_hours": "1.5"},
                "2026-02-13T08:00:00+07:00",
            ),
            # 3 hours on Friday 13/02 (14:00–17:00), the 4th after Tết.
            (
                {"start": "2026-02-13T14:00:00+07:00", "working_hours": "4"},
                "2026-02-23T08:30:00+07:00",
            ),
        ],
    )
    def test_due(self, client: Client, params: dict[str, str], due: str) -> None:
        response = get(client, "/add", **params)
        assert response.status_code == 200, response.json()
        assert response.json() == {"due": due}

    def test_unencoded_plus_in_the_offset(self, client: Client) -> None:
        response = client.get(f"{BASE}/add?start=2026-02-13T16:59:00+07:00&working_days=5")
        assert response.json() == {"due": "2026-02-27T16:59:00+07:00"}


BAD_REQUESTS = [
    ("/working-days", {"from": "2026-13-01", "to": "2026-12-31"}, "invalid_date", "from"),
    ("/working-days", {"from": "2026-02-30", "to": "2026-12-31"}, "invalid_date", "from"),
    ("/working-days", {"from": "01/02/2026", "to": "2026-12-31"}, "invalid_date", "from"),
    ("/working-days", {"from": "2026-01-01", "to": "tomorrow"}, "invalid_date", "to"),
    ("/working-days", {"from": "2026-01-01", "to": "20261231"}, "invalid_date", "to"),
    ("/working-days", {"from": "2026-03-01", "to": "2026-02-01"}, "invalid_range", "from"),
    ("/working-days", {"from": "2023-01-01", "to": "2026-12-31"}, "range_too_long", "to"),
    ("/working-days", {"from": "1990-01-01", "to": "1990-02-01"}, "calendar_out_of_range", "from"),
    (
        "/working-days",
        {"from": "2026-01-01", "to": "2026-01-31", "province": "5"},
        "invalid_province",
        "province",
    ),
    ("/add", {"start": "2026-02-13T16:59:00", "working_days": "5"}, "naive_datetime", "start"),
    ("/add", {"start": "2026-02-13", "working_days": "5"}, "invalid_datetime", "start"),
    ("/add", {"start": "hôm nay", "working_days": "5"}, "invalid_datetime", "start"),
    (
        "/add",
        {"start": "2026-02-30T10:00:00+07:00", "working_days": "5"},
        "invalid_datetime",
        "start",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_days": "-1"},
        "negative_amount",
        "working_days",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_days": "1.5"},
        "invalid_number",
        "working_days",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_days": "năm"},
        "invalid_number",
        "working_days",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_hours": "-0.5"},
        "negative_amount",
        "working_hours",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_hours": "abc"},
        "invalid_number",
        "working_hours",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_hours": "NaN"},
        "invalid_number",
        "working_hours",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_hours": "Infinity"},
        "invalid_number",
        "working_hours",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_hours": "1e400"},
        "invalid_number",
        "working_hours",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_hours": "1e6"},
        "amount_too_large",
        "working_hours",
    ),
    ("/add", {"start": "2026-02-13T10:00:00+07:00"}, "missing_amount", "working_days"),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_days": "1", "working_hours": "1"},
        "ambiguous_amount",
        "working_hours",
    ),
    (
        "/add",
        {"start": "1990-02-13T10:00:00+07:00", "working_days": "1"},
        "calendar_out_of_range",
        "start",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_days": "100000"},
        "calendar_out_of_range",
        "working_days",
    ),
    (
        "/add",
        {"start": "2026-02-13T10:00:00+07:00", "working_days": "1", "province": "xx"},
        "invalid_province",
        "province",
    ),
]


@pytest.mark.parametrize(("path", "params", "code", "field"), BAD_REQUESTS)
def test_bad_input_is_a_400_with_a_stable_code(
    client: Client, path: str, params: dict[str, str], code: str, field: str
) -> None:
    """Malformed values are 400; well-formed values outside the bounds are 422."""
    response = get(client, path, **params)
    bounds = {"calendar_out_of_range", "amount_too_large", "range_too_long"}
    assert response.status_code == (422 if code in bounds else 400), response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"] and body["message"].isascii() is False  # Vietnamese text


@pytest.mark.parametrize("path", ["/working-days?from=2026-01-01", "/add?working_days=1"])
def test_missing_required_parameter(client: Client, path: str) -> None:
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_openapi_documents_both_endpoints(client: Client) -> None:
    from congso.api.v1 import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    working_days = schema["paths"]["/api/v1/calendar/working-days"]["get"]
    params = {p["name"]: p for p in working_days["parameters"]}
    assert params["from"]["schema"]["format"] == "date"
    assert params["from"]["required"] is True
    assert "400" in working_days["responses"]
    add = schema["paths"]["/api/v1/calendar/add"]["get"]
    add_params = {p["name"]: p for p in add["parameters"]}
    assert add_params["start"]["schema"]["format"] == "date-time"
    assert add_params["working_days"]["schema"]["type"] == "integer"
    assert add_params["working_hours"]["schema"]["type"] == "number"
