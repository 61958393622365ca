"""Edge inputs answer 422 with a stable code and a Vietnamese message, never 500 (issue 13
item 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from congso.dossiers import services
from tests.dossiers.conftest import FORM, at, pdf, png, receive, submit

from .conftest import bearer


def assert_bound(response: Any, code: str, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"] and not body["message"].isascii()  # Vietnamese


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:00:00-12:00", "1990-02-13T10:00:00Z"]
)
def test_calendar_add_refuses_instants_outside_the_calendar(client, start) -> None:
    response = client.get("/api/v1/calendar/add", {"start": start, "working_days": "3"})
    assert_bound(response, "calendar_out_of_range", "start")


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:00-12:00"])
def test_estimate_refuses_instants_outside_the_calendar(world, client, received_at) -> None:
    response = client.get(
        f"/api/v1/procedures/{world.procedure.code}/estimate", {"received_at": received_at}
    )
    assert_bound(response, "calendar_out_of_range", "received_at")


@pytest.mark.parametrize("offset", ["9223372036854775808", "9223372036854775807", "1000001"])
def test_list_offset_is_bounded(world, client, offset) -> None:
    response = client.get("/api/v1/dossiers", {"offset": offset}, headers=bearer(world.leader_a))
    assert_bound(response, "out_of_range", "offset")


@pytest.mark.parametrize(
    ("field", "value"), [("submitted_from", "0001-01-01"), ("submitted_to", "9999-12-31")]
)
def test_list_dates_are_bounded(world, client, field, value) -> None:
    response = client.get("/api/v1/dossiers", {field: value}, headers=bearer(world.leader_a))
    assert_bound(response, "out_of_range", field)


def test_form_data_nested_ten_thousand_levels_deep(world, client) -> None:
    deep = '{"ho_ten_tre": "An", "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    response = client.post(
        "/api/v1/dossiers",
        {
            "procedure": world.procedure.code,
            "agency": world.commune_a.code,
            "form_data": deep,
            "files.to-khai": pdf(),
            "files.giay-chung-sinh": png(),
        },
        headers=bearer(world.citizen_user),
    )
    assert_bound(response, "too_deep", "form_data")


def test_form_data_nested_just_past_the_limit(world, client) -> None:
    nested = json.dumps({**FORM, "x": json.loads("[" * 40 + "]" * 40)})
    response = client.post(
        "/api/v1/dossiers",
        {
            "procedure": world.procedure.code,
            "agency": world.commune_a.code,
            "form_data": nested,
            "files.to-khai": pdf(),
            "files.giay-chung-sinh": png(),
        },
        headers=bearer(world.citizen_user),
    )
    assert_bound(response, "too_deep", "form_data")


@pytest.mark.parametrize("when", ["9999-12-31T10:00:00+07:00", "9999-12-31T23:00:00-12:00"])
def test_an_apology_date_in_year_9999_is_refused(world, clock, client, when) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(world, submit(world))
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/apologise",
        json.dumps({"reason": "Cần xác minh thêm", "new_appointment_at": when}),
        content_type="application/json",
        headers=bearer(world.leader_a),
    )
    assert_bound(response, "calendar_out_of_range", "new_appointment_at")
    dossier.refresh_from_db()
    assert dossier.apology_at is None


def test_an_apology_inside_the_calendar_still_works(world, clock, client) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(world, submit(world))
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/apologise",
        json.dumps({"reason": "Cần xác minh thêm", "new_appointment_at": "2026-03-20T10:00:00Z"}),
        content_type="application/json",
        headers=bearer(world.leader_a),
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x", "step_id": 2**63}, "step_id"),
        ({"reason": "x", "expected_version": 2**63}, "expected_version"),
        ({"reason": "x", "amount_vnd": 10**30}, "amount_vnd"),
    ],
)
def test_action_numbers_are_bounded(world, clock, client, body, field) -> None:
    dossier = services.dossier_start_processing(
        actor=world.reception_a, dossier=receive(world, submit(world))
    )
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/request_payment",
        json.dumps(body),
        content_type="application/json",
        headers=bearer(world.specialist_a),
    )
    assert response.status_code == 422, response.content
    answer = response.json()
    assert (answer["code"], answer["field"]) == ("validation_error", field)
    assert not answer["errors"][0]["message"].isascii()


def test_attachment_ids_are_bounded(world, client) -> None:
    dossier = submit(world)
    response = client.get(
        f"/api/v1/dossiers/{dossier.code}/attachments/{2**63}",
        headers=bearer(world.citizen_user),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "attachment_id"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/procedures", {"q": "khai\x00sinh"}, "q"),
        ("/api/v1/dossiers", {"status": "new\x00"}, "status"),
        ("/api/v1/org/units", {"province": "5\x001"}, "province"),
    ],
)
def test_nul_bytes_are_refused_at_the_door(world, client, path, params, field) -> None:
    response = client.get(path, params, headers=bearer(world.leader_a))
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == ("invalid_text", field)


def test_a_lone_surrogate_in_an_action_body_is_refused(world, client) -> None:
    dossier = submit(world)
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/not_accept",
        '{"reason": "\\ud800"}',
        content_type="application/json",
        headers=bearer(world.reception_a),
    )
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == ("invalid_text", "reason")
