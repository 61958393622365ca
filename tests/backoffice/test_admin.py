"""The Django admin's dossier screens: searchable and filterable, and read-only (every write
goes through the services)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from congso.dossiers.models import Dossier
from tests.dossiers.conftest import User, submit


def test_dossier_admin_searches_and_is_read_only(world, clock, settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    dossier = submit(world)
    admin = User.objects.create_superuser(username="quantri", password="x")
    client = Client()
    client.force_login(admin)
    for query in ("Nguyễn Thị Hồng", "051085000001", "1.001193", dossier.code):
        page = client.get("/quan-tri/dossiers/dossier/", {"q": query})
        assert page.status_code == 200 and dossier.code in page.content.decode(), query
    filtered = client.get("/quan-tri/dossiers/dossier/", {"desk__id__exact": world.desk_b.pk})
    assert dossier.code not in filtered.content.decode()
    change = client.get(f"/quan-tri/dossiers/dossier/{dossier.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    client.post(f"/quan-tri/dossiers/dossier/{dossier.pk}/change/", {"status": "returned"})
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"
    assert client.get(f"/quan-tri/dossiers/dossier/{dossier.pk}/delete/").status_code == 403
