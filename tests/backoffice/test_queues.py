"""The officer queues and dossier page: scope, counts, diacritics-insensitive search, keyset
pagination and a query count that does not grow with the rows (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from congso.backoffice import selectors
from congso.dossiers import services
from tests.dossiers.conftest import at, submit


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


def officer(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queue_page_query_count_does_not_grow_with_rows(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    client = officer(world.reception_a)
    submit(world)
    few = queries(client, "/can-bo/hang-doi/tiep-nhan/")
    for _ in range(6):
        submit(world)
    many = queries(client, "/can-bo/hang-doi/tiep-nhan/")
    assert many == few
    assert many <= 12


def test_dossier_page_query_count_is_bounded(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = services.dossier_receive(actor=world.reception_a, dossier=submit(world))
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    client = officer(world.specialist_a)
    count = queries(client, f"/can-bo/ho-so/{dossier.code}/")
    # +2 (issue 16): the e-office block reads the dossier's documents and the viewer's offices;
    # +1 (issue 20): the transfer block reads the dossier's transfers.
    assert count <= 27


def test_counts_and_scope(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    submit(world)
    submit(world)
    counts = selectors.queue_counts(world.reception_a)
    assert counts["tiep-nhan"] == 2
    assert selectors.queue_counts(world.reception_b)["tiep-nhan"] == 0
    html = officer(world.reception_a).get("/can-bo/", follow=True).content.decode()
    assert "Chờ tiếp nhận" in html and "Nguyễn Thị Hồng Nhung" in html


def test_search_ignores_diacritics_and_finds_codes_and_ids(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    client = officer(world.reception_a)
    for query in ("nguyen thi hong", "NGUYỄN THỊ", "khai sinh", dossier.code[-6:], "051085000001"):
        html = client.get("/can-bo/hang-doi/tat-ca/", {"q": query}).content.decode()
        assert dossier.code in html, query
    html = client.get("/can-bo/hang-doi/tat-ca/", {"q": "tran van"}).content.decode()
    assert dossier.code not in html


def test_keyset_pagination(world, clock, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for minute in range(5):
        clock.set(at(2026, 3, 2, 8, minute))
        submit(world)
    page = selectors.queue_page(world.reception_a, selectors.Q())
    seen = [d.code for d in page.rows]
    while page.next_cursor:
        page = selectors.queue_page(world.reception_a, selectors.Q(), cursor=page.next_cursor)
        seen += [d.code for d in page.rows]
    assert len(seen) == 5 == len(set(seen))


def test_an_action_needs_its_reason_and_records_nothing_without_it(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    client = officer(world.reception_a)
    url = f"/can-bo/ho-so/{dossier.code}/thao-tac/not_accept/"
    assert "Lý do" in client.get(url).content.decode()
    response = client.post(url, {"version": dossier.version})
    assert response.status_code == 422
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    response = client.post(url, {"version": dossier.version, "reason": "Sai thẩm quyền."})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "not_accepted"


def test_stale_version_is_refused(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    client = officer(world.reception_a)
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/receive/", {"version": dossier.version + 5}
    )
    assert response.status_code == 422


def test_the_steps_name_roles_for_people_not_codes(world, clock):
    from congso.backoffice.templatetags.backoffice_ui import ROLE_LABELS
    from congso.org.models import Role

    assert set(ROLE_LABELS) == set(Role.values)
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = services.dossier_receive(actor=world.reception_a, dossier=submit(world))
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    html = officer(world.specialist_a).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    steps = html[html.index("Các bước xử lý") :]
    assert "<td>Chuyên viên</td>" in steps
    assert ">specialist<" not in steps and ">reception<" not in steps
