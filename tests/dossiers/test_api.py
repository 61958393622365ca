"""The HTTP API: each operation, authentication, and the error shape {code, message, field}."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from congso.api.auth import hash_token
from congso.api.models import ApiToken
from congso.dossiers import services
from congso.dossiers.models import Dossier
from tests.api.tokens import full_token
from tests.dossiers.conftest import EXE, FORM, PDF, at, pdf, png, submit

BASE = "/api/v1/dossiers"


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {full_token(user)}"}


@pytest.fixture
def citizen_client(world: Any) -> Client:
    client = Client()
    client.force_login(world.citizen_user)
    return client


def act(client: Client, headers: dict[str, str], code: str, action: str, **body: Any) -> Any:
    return client.post(
        f"{BASE}/{code}/actions/{action}",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def multipart_submit(client: Client, **extra: Any) -> Any:
    data = {
        "procedure": "1.001193",
        "agency": "000.00.51.H51",
        "form_data": json.dumps(FORM),
        "files.to-khai": pdf(),
        "files.giay-chung-sinh": png(),
    }
    data.update(extra)
    return client.post(BASE, data=data)


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert "field" in body
    if field is not None:
        assert body["field"] == field


def test_submit_online_as_a_citizen(world, clock, citizen_client):
    response = multipart_submit(citizen_client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "000.00.51.H51-260302-0001"
    assert body["status"] == "submitted" and body["national_status"] == 1
    assert body["status_label"] == "Mới đăng ký, chờ tiếp nhận"
    assert body["channel"] == "online"
    components = {item["code"]: item for item in body["components"]}
    assert components["to-khai"]["attachments"][0]["mime_type"] == "application/pdf"
    assert body["allowed_actions"] == ["request_withdrawal"]
    assert body["form_data"]["ho_ten_tre"] == FORM["ho_ten_tre"]
    detail = citizen_client.get(f"{BASE}/{body['code']}")
    assert detail.status_code == 200
    assert detail.json()["code"] == body["code"] and detail.json()["version"] == 1
    assert detail.json()["submitted_at"] == "2026-03-02T09:00:00+07:00"
    stranger = Client()
    stranger.force_login(world.other_user)
    assert_error(stranger.get(f"{BASE}/{body['code']}"), 404, "dossier_not_found", "code")


def test_submit_errors_name_the_field(world, clock, citizen_client):
    assert_error(
        multipart_submit(citizen_client, form_data="{not json"), 400, "invalid_json", "form_data"
    )
    fake = io.BytesIO(EXE)
    fake.name = "to-khai.pdf"
    assert_error(
        multipart_submit(citizen_client, **{"files.to-khai": fake}),
        400,
        "file_type_not_allowed",
        "files.to-khai",
    )
    response = multipart_submit(citizen_client, form_data=json.dumps({"ngay_sinh": "2026-01-01"}))
    assert_error(response, 422, "invalid_form", "ho_ten_tre")
    assert response.json()["errors"][0]["field"] == "ho_ten_tre"
    assert_error(
        multipart_submit(citizen_client, procedure="9.999999"), 404, "procedure_not_found", "code"
    )
    assert_error(
        multipart_submit(citizen_client, agency="000.00.99.H51"), 404, "agency_not_found", "agency"
    )
    response = citizen_client.post(
        BASE, data={"procedure": "1.001193", "agency": "000.00.51.H51", "other": pdf()}
    )
    assert_error(response, 400, "unknown_file_field", "other")
    assert Dossier.objects.count() == 0


def test_authentication(world, clock):
    client = Client()
    assert_error(client.get(BASE), 401, "unauthenticated")
    assert_error(
        client.get(BASE, headers={"Authorization": "Bearer cs_wrong"}), 401, "invalid_token"
    )
    headers = bearer(world.reception_a)
    assert client.get(BASE, headers=headers).status_code == 200
    token = ApiToken.objects.get(user=world.reception_a)
    assert token.last_used_at is not None
    assert len(token.key_hash) == 64
    # An officer's session must have passed the second factor.
    session = Client()
    session.force_login(world.reception_a)
    assert_error(session.get(BASE), 403, "second_factor_required")


def test_api_token_command_prints_the_token_once(world, clock, capsys):
    call_command("api_token", world.specialist_a.username, "--name", "Máy quét", "--days", "30")
    token = capsys.readouterr().out.strip()
    row = ApiToken.objects.get(user=world.specialist_a)
    assert row.key_hash == hash_token(token) and token not in (row.key_hash, row.prefix)
    assert row.name == "Máy quét" and row.expires_at is not None
    response = Client().get(BASE, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_full_lifecycle_through_the_api(world, clock, citizen_client):
    code = multipart_submit(citizen_client).json()["code"]
    desk = bearer(world.reception_a)
    specialist = bearer(world.specialist_a)
    leader = bearer(world.leader_a)
    client = Client()

    response = act(client, desk, code, "receive", expected_version=1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "received" and body["version"] == 2
    assert body["appointment_at"] == "2026-03-05T09:00:00+07:00"

    body = act(client, desk, code, "start_processing", assignee="chuyenvien.a").json()
    assert body["status"] == "processing"
    active = [step for step in body["steps"] if step["status"] == "active"]
    assert [(s["name"], s["assignee"]) for s in active] == [("Thẩm định hồ sơ", "chuyenvien.a")]

    body = act(
        client,
        specialist,
        code,
        "consult",
        reason="Xin ý kiến",
        consultations=[{"agency": "000.00.01.H51", "hours": "4"}],
    ).json()
    consultation = next(s for s in body["steps"] if s["kind"] == "consultation")
    answer = act(
        client,
        bearer(world.specialist_stp),
        code,
        "answer_consultation",
        note="Đồng ý",
        step_id=consultation["id"],
    )
    assert answer.status_code == 200, answer.content
    assert act(client, specialist, code, "forward", note="Đủ điều kiện").status_code == 200
    # Completing with nothing written is refused with a stable code, nothing changes.
    assert_error(
        act(client, leader, code, "complete"), 400, "result_summary_required", "result_summary"
    )
    assert_error(
        act(client, leader, code, "complete", result_summary="  "),
        400,
        "result_summary_required",
        "result_summary",
    )
    body = act(client, leader, code, "complete", result_summary="Giấy khai sinh").json()
    assert body["status"] == "processed" and body["timeliness"] == "early"
    response = act(client, desk, code, "return_result")
    assert_error(response, 400, "invalid_return_method", "method")
    body = act(client, desk, code, "return_result", return_method="online").json()
    assert body["status"] == "returned" and body["national_status"] == 10

    rating = citizen_client.post(
        f"{BASE}/{code}/rating",
        data=json.dumps({"score": 4, "comment": "Tốt"}),
        content_type="application/json",
    )
    assert rating.status_code == 201 and rating.json()["score"] == 4
    again = citizen_client.post(
        f"{BASE}/{code}/rating", data=json.dumps({"score": 5}), content_type="application/json"
    )
    assert_error(again, 409, "already_rated")

    history = citizen_client.get(f"{BASE}/{code}/history").json()
    assert [row["action"] for row in history] == [
        "submit",
        "receive",
        "start_processing",
        "consult",
        "answer_consultation",
        "forward",
        "complete",
        "return_result",
        "rate",
    ]
    assert history[1]["action_label"] == "Tiếp nhận hồ sơ"
    assert history[1]["actor"] == "motcua.a"


def test_action_errors(world, clock, citizen_client):
    code = multipart_submit(citizen_client).json()["code"]
    desk = bearer(world.reception_a)
    client = Client()
    assert_error(
        act(client, desk, code, "receive", expected_version=5),
        409,
        "concurrent_update",
        "expected_version",
    )
    assert_error(act(client, desk, code, "not_accept"), 400, "required", "reason")
    assert_error(act(client, desk, code, "fly"), 404, "unknown_action", "action")
    assert_error(act(client, desk, code, "supplement"), 400, "use_other_endpoint", "action")
    assert_error(act(client, desk, code, "forward"), 409, "invalid_transition")
    # Outside the caller's scope a dossier does not exist.
    assert_error(act(client, bearer(world.reception_b), code, "receive"), 404, "dossier_not_found")
    assert_error(act(client, bearer(world.leader_a), code, "receive"), 403, "not_reception_officer")
    response = client.post(
        f"{BASE}/{code}/actions/receive",
        data=json.dumps({"expected_version": "abc"}),
        content_type="application/json",
        headers=desk,
    )
    assert_error(response, 422, "validation_error", "expected_version")


def test_list_with_filters_and_pagination(world, clock, citizen_client):
    codes = []
    for minute in (0, 5, 10):  # within the session's idle timeout
        clock.set(at(2026, 3, 2, 9, minute))
        codes.append(multipart_submit(citizen_client).json()["code"])
    desk = bearer(world.reception_a)
    client = Client()
    act(client, desk, codes[0], "receive")
    page = client.get(BASE, {"limit": 2}, headers=desk).json()
    assert page["count"] == 3 and [item["code"] for item in page["items"]] == codes[:0:-1]
    page = client.get(BASE, {"limit": 2, "offset": 2}, headers=desk).json()
    assert [item["code"] for item in page["items"]] == [codes[0]]
    received = client.get(BASE, {"status": "received"}, headers=desk).json()
    assert [item["code"] for item in received["items"]] == [codes[0]]
    assert client.get(BASE, {"procedure": "1.001193"}, headers=desk).json()["count"] == 3
    assert client.get(BASE, {"agency": "000.00.52.H51"}, headers=desk).json()["count"] == 0
    day = {"submitted_from": "2026-03-02", "submitted_to": "2026-03-02"}
    assert client.get(BASE, day, headers=desk).json()["count"] == 3
    clock.set(at(2026, 3, 5, 9, 30))  # received Monday 09:10, 3 working days
    late = client.get(BASE, {"overdue": "true"}, headers=desk).json()
    assert [item["code"] for item in late["items"]] == [codes[0]]
    not_late = client.get(BASE, {"overdue": "false"}, headers=desk).json()
    assert not_late["count"] == 2
    assert_error(client.get(BASE, {"limit": 500}, headers=desk), 400, "invalid_limit", "limit")
    assert_error(client.get(BASE, {"status": "x"}, headers=desk), 400, "invalid_status", "status")
    other = client.get(BASE, headers=bearer(world.reception_b)).json()
    assert other["count"] == 0
    citizen = Client()
    citizen.force_login(world.citizen_user)
    assert citizen.get(BASE).json()["count"] == 3


def test_detail_supplement_and_download(world, clock, citizen_client):
    code = multipart_submit(citizen_client).json()["code"]
    desk = bearer(world.reception_a)
    client = Client()
    act(client, desk, code, "receive")
    response = act(
        client,
        desk,
        code,
        "request_supplement",
        reason="Giấy chứng sinh mờ.",
        missing_items=[{"component": "giay-chung-sinh", "note": "Chụp lại"}],
    )
    assert response.json()["status"] == "supplement_requested"
    response = citizen_client.post(
        f"{BASE}/{code}/supplement", data={"files.giay-chung-sinh": png("moi.png")}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "received"
    slot = next(item for item in body["components"] if item["code"] == "giay-chung-sinh")
    assert [item["version"] for item in slot["attachments"]] == [1, 2]
    assert body["supplements"][0]["fulfilled_at"] is not None

    attachment = next(item for item in body["components"] if item["code"] == "to-khai")[
        "attachments"
    ][0]
    download = citizen_client.get(f"{BASE}/{code}/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert_error(
        Client().get(
            f"{BASE}/{code}/attachments/{attachment['id']}", headers=bearer(world.reception_b)
        ),
        404,
        "dossier_not_found",
    )

    marked = client.post(
        f"{BASE}/{code}/components/to-khai", data={"verified": "true"}, headers=desk
    )
    assert marked.status_code == 200, marked.content
    assert marked.json()["verified"] is True


def test_in_person_endpoint(world, clock):
    client = Client()
    response = client.post(
        f"{BASE}/in-person",
        data={
            "procedure": "1.001193",
            "agency": "000.00.51.H51",
            "desk": world.desk_a.pk,
            "citizen": world.citizen.personal_id,
            "channel": "postal",
            "form_data": json.dumps(FORM),
            "paper_components": "to-khai,giay-chung-sinh",
            "files.to-khai": pdf(),
        },
        headers=bearer(world.reception_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received" and body["channel"] == "postal"
    assert body["appointment_at"] == "2026-03-05T09:00:00+07:00"


def test_public_lookup_shows_progress_and_no_personal_data(world, clock):
    dossier = submit(world)
    dossier = services.dossier_receive(actor=world.reception_a, dossier=dossier)
    # The code alone: only that the dossier exists (issue 13 item 9).
    exists = Client().get(f"/api/v1/lookup/{dossier.code.lower()}")
    assert exists.status_code == 200
    assert exists.json()["code"] == dossier.code and exists.json()["exists"] is True
    assert "received" not in exists.content.decode()
    # With the last 4 digits of the applicant's ID number: the stage.
    response = Client().post(
        f"/api/v1/lookup/{dossier.code.lower()}",
        data=json.dumps({"last_digits": "0001"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "code": dossier.code,
        "procedure_code": "1.001193",
        "procedure_name": "Thủ tục đăng ký khai sinh",
        "status": "received",
        "status_label": "Đã tiếp nhận",
        "national_status": 2,
        "received_at": "2026-03-02T09:00:00+07:00",
        "appointment_at": "2026-03-05T09:00:00+07:00",
    }
    text = response.content.decode()
    assert world.citizen.full_name not in text and world.citizen.personal_id not in text
    missing = Client().get("/api/v1/lookup/000.00.51.H51-260302-9999")
    assert_error(missing, 404, "dossier_not_found", "code")
    assert "000.00.51.H51" not in missing.json()["message"]


def test_public_lookup_answer_is_what_the_schema_would_render(world, clock):
    """The look-up answers without the ninja schema round trip; its bytes must be the same."""
    from ninja.renderers import JSONRenderer

    from congso.api.dossiers import LookupOut, lookup_payload
    from congso.dossiers import selectors

    clock.set(at(2026, 3, 2, 9, 0).replace(microsecond=123456))
    dossier = services.dossier_receive(actor=world.reception_a, dossier=submit(world))
    response = Client().post(
        f"/api/v1/lookup/{dossier.code}",
        data=json.dumps({"last_digits": "5678"}),  # the phone's last digits
        content_type="application/json",
    )
    found = selectors.lookup(dossier.code)
    expected = JSONRenderer().render(
        None, LookupOut(**lookup_payload(found)).model_dump(), response_status=200
    )
    assert response.content.decode() == expected
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["received_at"] == "2026-03-02T09:00:00.123+07:00"
