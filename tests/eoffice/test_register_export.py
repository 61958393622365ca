"""The registers' metadata export: CSV and JSON of a register's entries, from the register
page and the API; a subject starting with ``=`` stays inert text; only the agency's clerks and
leaders."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from congso.eoffice import services
from congso.eoffice.models import Direction, Document, FileRole
from tests.api.tokens import bearer
from tests.eoffice.conftest import SO, World
from tests.eoffice.test_flow import issue

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'


def test_register_metadata_exports_as_csv_and_json(
    world: World, pump: Callable[[], None], settings: object
) -> None:
    first = issue(world)
    second = issue(world, subject=HOSTILE)
    pump()
    for document in Document.objects.filter(
        agency=world.so.agency, direction=Direction.INCOMING
    ).order_by("pk"):
        services.incoming_register(actor=world.so.clerk, document_id=document.pk)
    year = timezone.localdate().year
    settings.OFFICER_2FA_REQUIRED = False  # type: ignore[attr-defined]
    client = Client()
    client.force_login(world.ubnd.clerk)
    page = client.get("/can-bo/van-ban/so-van-ban/", {"so": "di", "nam": year})
    assert "dinh-dang=csv" in page.content.decode() and "dinh-dang=json" in page.content.decode()

    exported = client.get(
        "/can-bo/van-ban/so-van-ban/", {"so": "di", "nam": year, "dinh-dang": "csv"}
    )
    assert exported["Content-Type"].startswith("text/csv")
    assert "attachment" in exported["Content-Disposition"]
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["register_number"] for r in rows] == ["1", "2"]
    assert [r["number_notation"] for r in rows] == ["01/UBND-VP", "02/UBND-VP"]
    assert rows[0]["document_id"] == first.document_id
    assert rows[1]["subject"] == "'" + HOSTILE  # inert: a spreadsheet shows it, never runs it
    assert SO in rows[0]["recipients"] and "(paper)" in rows[0]["recipients"]
    main = first.files.get(version=first.version, role=FileRole.MAIN)
    assert rows[0]["main_file_sha256"] == main.sha256

    body = json.loads(
        client.get(
            "/can-bo/van-ban/so-van-ban/", {"so": "di", "nam": year, "dinh-dang": "json"}
        ).content
    )
    assert body["title"] == "SỔ ĐĂNG KÝ VĂN BẢN ĐI" and body["year"] == year
    entries = body["entries"]
    assert [e["register_number"] for e in entries] == [1, 2]
    assert entries[1]["subject"] == HOSTILE  # JSON carries the value as it is
    assert entries[1]["document_id"] == second.document_id
    assert {r["code"] for r in entries[0]["recipients"]} >= {SO}

    # The API: the department's incoming register, for its clerk; others get a 404.
    api = "/api/v1/eoffice/registers"
    answer = Client().get(
        f"{api}/{world.so.agency.pk}/in/{year}/export?format=csv", headers=bearer(world.so.clerk)
    )
    assert answer.status_code == 200
    api_rows = list(csv.DictReader(io.StringIO(answer.content.decode().removeprefix("\ufeff"))))
    assert [r["register_number"] for r in api_rows] == ["1", "2"]
    assert api_rows[1]["subject"] == "'" + HOSTILE
    assert {r["issuer_code"] for r in api_rows} == {world.ubnd.agency.code}
    as_json = Client().get(
        f"{api}/{world.so.agency.pk}/in/{year}/export", headers=bearer(world.so.leader)
    )
    assert [e["number_notation"] for e in as_json.json()["entries"]] == ["01/UBND-VP", "02/UBND-VP"]
    stranger = Client().get(
        f"{api}/{world.so.agency.pk}/in/{year}/export", headers=bearer(world.xa.clerk)
    )
    assert stranger.status_code == 404
    bad = Client().get(
        f"{api}/{world.so.agency.pk}/sideways/{year}/export", headers=bearer(world.so.clerk)
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_field"
