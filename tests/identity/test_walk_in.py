"""An officer at the counter verifies a walk-in applicant through the population adapter: the
purpose is recorded and the look-up is in the person's access log; what the database says
differently from the record on file is shown, never written over."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from congso.identity.models import PopulationLookup
from congso.org.models import Citizen
from simulators.vneid.citizens import SEEDED
from tests.dossiers.conftest import build_world

pytestmark = pytest.mark.django_db

AN = next(c for c in SEEDED if c.sub == "vneid-an")
URL = "/can-bo/xac-minh-cong-dan/"


@pytest.fixture
def desk(settings):  # type: ignore[no-untyped-def]
    settings.OFFICER_2FA_REQUIRED = False
    world = build_world()
    client = Client()
    client.force_login(world.reception_a)
    return world, client


def _form(**changes: str) -> dict[str, str]:
    return {
        "personal_id": AN.personal_id,
        "full_name": AN.full_name,
        "birth_year": "1990",
        "purpose": "Xác minh người nộp hồ sơ khai sinh",
        "procedure_code": "1.001193",
        "dossier_code": "",
        **changes,
    }


def test_the_counter_verifies_and_shows_differences_without_overwriting(population, desk) -> None:  # type: ignore[no-untyped-def]
    world, client = desk
    # On file: entered at a desk with another birth date and a typo in the name.
    on_file = Citizen.objects.create(
        full_name="Nguyễn Văn Anh", personal_id=AN.personal_id,
        birth_date=datetime.date(1990, 5, 15),
    )  # fmt: skip
    page = client.post(URL, _form())
    text = page.content.decode()
    assert page.status_code == 200, text
    assert 'id="resident"' in text and AN.full_name in text
    assert 'id="differences"' in text
    assert "Nguyễn Văn Anh" in text and "15/05/1990" in text and "15/04/1990" in text
    on_file.refresh_from_db()
    assert on_file.full_name == "Nguyễn Văn Anh" and on_file.birth_date == datetime.date(
        1990, 5, 15
    )
    entry = PopulationLookup.objects.get()
    assert entry.actor_kind == "officer" and entry.purpose == "Xác minh người nộp hồ sơ khai sinh"
    assert population.state()["log"][0]["MaCanBo"] == world.reception_a.get_username()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_name": "Trần Thị Bình"}, "không khớp"),
        ({"birth_year": "1991"}, "không khớp"),
        ({"birth_year": "19x0"}, "Năm sinh không hợp lệ"),
        ({"purpose": ""}, "Cần ghi mục đích"),
        ({"personal_id": "12345"}, "12"),
    ],
)
def test_bad_input_at_the_counter(population, desk, changes, message) -> None:  # type: ignore[no-untyped-def]
    _world, client = desk
    page = client.post(URL, _form(**changes))
    assert page.status_code == 422 and message in page.content.decode()
    assert not Citizen.objects.filter(personal_id=AN.personal_id).exists()


def test_the_database_down_and_a_citizen_refused(population, desk) -> None:  # type: ignore[no-untyped-def]
    world, client = desk
    population.faults("timeout")
    page = client.post(URL, _form())
    assert page.status_code == 422 and "không trả lời" in page.content.decode()
    assert PopulationLookup.objects.get().outcome == "unavailable"
    citizen = Client()
    citizen.force_login(world.citizen_user)
    assert citizen.get(URL).status_code == 404
