"""The e-office through the API: a document drafted, signed, numbered and sent to a department;
the department registers, assigns, handles and closes it; the sender reads 01 → 06."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.api.tokens import bearer
from tests.eoffice.conftest import SO, World, pdf_bytes

pytestmark = pytest.mark.django_db
API = "/api/v1/eoffice"


def call(client: Client, user: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = bearer(user)
    if body is None:
        response = client.get(API + path, headers=headers)
    else:
        response = client.post(API + path, body, content_type="application/json", headers=headers)
    return response


def file(name: str, data: bytes) -> dict[str, str]:
    return {"name": name, "content_base64": base64.b64encode(data).decode()}


def test_the_flow_through_the_api(world: World, pump: Callable[[], None]) -> None:
    client = Client()
    ubnd, so = world.ubnd, world.so
    draft = {
        "agency": ubnd.agency.pk,
        "doc_type": "KH",
        "subject": "Kế hoạch chuyển đổi số năm 2027",
        "main": file("kh.pdf", pdf_bytes()),
        "signer": ubnd.leader.pk,
        "signer_position": "Chủ tịch",
        "signer_competence": "TM.",
        "recipients": [{"name": "Sở Nội vụ", "code": SO}],
    }
    bad = call(client, ubnd.specialist, "/documents", {**draft, "main": file("kh.pdf", b"MZ")})
    assert bad.status_code == 400 and bad.json()["code"] == "file_type_not_allowed"
    created = call(client, ubnd.specialist, "/documents", draft)
    assert created.status_code == 201, created.json()
    document = created.json()
    assert document["number_notation"] == "" and document["state"] == "draft"
    pk = document["id"]
    assert (
        call(client, ubnd.specialist, f"/documents/{pk}/submit", {"reviewers": []}).status_code
        == 200
    )
    refused = call(client, ubnd.clerk, f"/documents/{pk}/sign", {})
    assert refused.status_code == 403 and refused.json()["code"] == "not_the_signer"
    assert call(client, ubnd.leader, f"/documents/{pk}/sign", {}).status_code == 200
    issued = call(client, ubnd.clerk, f"/documents/{pk}/issue", {}).json()
    assert issued["number_notation"] == "01/KH-UBND" and issued["state"] == "issued"
    pump()

    inbox = call(client, so.clerk, "/documents?direction=in").json()
    assert [d["number_notation"] for d in inbox] == ["01/KH-UBND"]
    received = inbox[0]["id"]
    # The commune's officers do not see the department's documents.
    assert call(client, world.xa.clerk, f"/documents/{received}").status_code == 404
    registered = call(client, so.clerk, f"/documents/{received}/register", {}).json()
    assert registered["register_number"] == 1
    assigned = call(
        client,
        so.leader,
        f"/documents/{received}/assign",
        {"lead": so.specialist.pk, "co": [so.head.pk], "working_days": 3},
    ).json()
    assert assigned["state"] == "assigned" and assigned["due_at"]
    call(client, so.specialist, f"/documents/{received}/comments", {"text": "Đã nghiên cứu."})
    done = call(client, so.specialist, f"/documents/{received}/complete", {"note": "Để biết."})
    assert done.json()["state"] == "done"
    register = call(client, so.clerk, f"/registers/{so.agency.pk}/in/{registered['register_year']}")
    assert [d["register_number"] for d in register.json()] == [1]
    pump()

    sent = call(client, ubnd.clerk, f"/documents/{pk}").json()
    (dispatch,) = sent["dispatches"]
    assert (dispatch["delivery"], dispatch["status_code"]) == ("sent", "06")
    codes = [s["code"] for s in sent["statuses"] if s["direction"] == "in"]
    assert codes == ["01", "03", "04", "05", "06"]
