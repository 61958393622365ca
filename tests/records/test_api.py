"""Records through the API (``/api/v1/records``): a plan, a series, a record, a document and a
dossier filed, closed, transferred (the bag validates), the disposition list; the refusals
answer with their stable codes and the reads are scoped."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from congso.records import bag
from tests.api.tokens import bearer
from tests.dossiers.conftest import Clock
from tests.records.conftest import Archive, issued_document, returned_dossier

pytestmark = pytest.mark.django_db
API = "/api/v1/records"


def call(client: Client, user: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = bearer(user)
    if body is None:
        return client.get(API + path, headers=headers)
    return client.post(API + path, body, content_type="application/json", headers=headers)


def test_the_records_api(client: Client, archive: Archive, clock: Clock) -> None:
    document = issued_document(archive)
    dossier = returned_dossier(archive, clock)
    clerk = archive.clerk
    plan = call(client, clerk, "/plans", {"agency": archive.world.commune_a.pk, "year": 2026})
    assert plan.status_code == 201, plan.content
    bare = call(
        client,
        clerk,
        f"/plans/{plan.json()['id']}/series",
        {"code": "09", "title": "Chưa có thời hạn"},
    )
    refused = call(client, clerk, "", {"series": bare.json()["id"], "title": "Hồ sơ thử"})
    assert refused.status_code == 400 and refused.json()["code"] == "no_retention"
    series = call(
        client, clerk, f"/plans/{plan.json()['id']}/series",
        {"code": "05", "title": "Hồ sơ chuyển đổi số", "retention_years": 10,
         "legal_basis": "Thông tư 10/2022/TT-BNV"},
    )  # fmt: skip
    assert series.status_code == 201, series.content
    record = call(
        client, clerk, "", {"series": series.json()["id"], "title": "Hồ sơ chuyển đổi số 2026"}
    )
    assert record.status_code == 201 and record.json()["code"] == "000.00.51.H51.2026.05.01"
    rid = record.json()["id"]
    both = call(client, clerk, f"/{rid}/items", {"document": document.pk, "dossier": dossier.pk})
    assert both.status_code == 400 and both.json()["code"] == "invalid_field"
    assert call(client, clerk, f"/{rid}/items", {"document": document.pk}).status_code == 201
    filed = call(client, clerk, f"/{rid}/items", {"dossier": dossier.pk})
    assert [i["reference"] for i in filed.json()["items"]] == [
        document.number_notation,
        dossier.code,
    ]
    assert call(client, archive.outsider, f"/{rid}").status_code == 404
    assert call(client, archive.outsider, "").json() == []
    assert call(client, clerk, f"/{rid}/close", {}).json()["state"] == "closed"
    again = call(client, clerk, f"/{rid}/items", {"document": document.pk})
    assert again.status_code == 409 and again.json()["code"] == "record_closed"
    transfer = call(client, clerk, f"/{rid}/transfer", {})
    assert transfer.status_code == 201, transfer.content
    checked = bag.validate_zip(base64.b64decode(transfer.json()["content_base64"]))
    assert checked.info["Payload-Oxum"] == transfer.json()["payload_oxum"]
    assert call(client, clerk, "/disposition").json() == []
