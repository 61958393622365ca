"""The population database through the LGSP adapter, against its simulator (its own process):
matching on ID + upper-case name + birth year, purpose and request id on every query, the
access log the person reads, the brief cache, faults; prefill with the source shown."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from congso.catalog.models import ProcedureVersion
from congso.core.errors import PermissionDenied
from congso.identity import population as population_module
from congso.identity.models import PopulationLookup
from congso.org.models import AdministrativeUnit, Citizen, UnitKind, UnitLevel
from simulators.vneid.citizens import SEEDED

pytestmark = pytest.mark.django_db

AN = next(c for c in SEEDED if c.sub == "vneid-an")
User = get_user_model()


@pytest.fixture
def an():  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username="an", password="mat-khau-rat-dai-2026")
    return Citizen.objects.create(
        user=user,
        full_name=AN.full_name,
        personal_id=AN.personal_id,
        birth_date=datetime.date(1990, 4, 15),
        gender="male",
    )


def _ask(citizen, actor, **changes):  # type: ignore[no-untyped-def]
    query = {
        "personal_id": citizen.personal_id,
        "full_name": citizen.full_name,
        "birth_year": 1990,
        "purpose": "Điền sẵn tờ khai",
        "procedure_code": "1.001193",
        "actor": actor,
        **changes,
    }
    return population_module.lookup(**query)


def test_plain_upper() -> None:
    assert population_module.plain_upper("  Nguyễn Văn   Đức ") == "NGUYEN VAN DUC"
    assert population_module.plain_upper("Trần Thị Ánh Tuyết") == "TRAN THI ANH TUYET"


def test_a_citizen_looks_themself_up(population, an) -> None:  # type: ignore[no-untyped-def]
    resident = _ask(an, an.user)
    assert resident.full_name == AN.full_name and resident.gender == "male"
    assert resident.birth_date == datetime.date(1990, 4, 15)
    assert resident.current is not None and resident.current.commune_code == "21211"
    assert resident.current.district_code == ""  # the post-2025 format
    assert resident.household_head is not None
    entry = PopulationLookup.objects.get()
    assert (entry.actor_kind, entry.outcome, entry.procedure_code) == (
        "citizen",
        "found",
        "1.001193",
    )
    sent = population.state()["log"]
    assert [e["MaYeuCau"] for e in sent] == [entry.request_id]
    assert sent[0]["MaDVC"] == "1.001193" and sent[0]["MaCanBo"] == ""
    # Asked again soon: the brief cache, still logged, the database not asked.
    assert _ask(an, an.user).full_name == AN.full_name
    assert [e.outcome for e in PopulationLookup.objects.order_by("at")] == ["found", "cached"]
    assert len(population.state()["log"]) == 1
    # The profile is not touched.
    an.refresh_from_db()
    assert an.address == "" and an.address_unit is None


def test_an_officer_looks_an_applicant_up(population, an) -> None:  # type: ignore[no-untyped-def]
    officer = User.objects.create_user(username="motcua.a", is_staff=True, full_name="Lê Văn C")
    _ask(an, officer, dossier_code="000.00.51.H51-261204-0001")
    entry = PopulationLookup.objects.get()
    assert entry.actor_kind == "officer" and entry.dossier_code.endswith("0001")
    assert population.state()["log"][0]["MaCanBo"] == "motcua.a"
    # The citizen reads it on their page.
    client = Client()
    client.force_login(an.user)
    page = client.get("/tai-khoan/dinh-danh/ai-da-tra-cuu/").content.decode()
    assert "Cán bộ Lê Văn C" in page and "000.00.51.H51-261204-0001" in page
    assert "ai-da-tra-cuu" in client.get("/ca-nhan/").content.decode()


def test_someone_else_may_not_look_a_person_up(population, an) -> None:  # type: ignore[no-untyped-def]
    stranger = User.objects.create_user(username="la")
    with pytest.raises(PermissionDenied):
        _ask(an, stranger)
    assert PopulationLookup.objects.count() == 0
    assert population.state()["log"] == []


@pytest.mark.parametrize(
    ("changes", "fault", "code", "outcome"),
    [
        ({"full_name": "Nguyễn Văn Bảo"}, None, "population_mismatch", "mismatch"),
        ({"birth_year": 1991}, None, "population_mismatch", "mismatch"),
        ({}, "name_mismatch", "population_mismatch", "mismatch"),
        ({}, "not_found", "population_not_found", "not_found"),
        ({}, "timeout", "population_unavailable", "unavailable"),
        ({}, "5xx", "population_unavailable", "unavailable"),
    ],
)
def test_bad_answers(population, an, changes, fault, code, outcome) -> None:  # type: ignore[no-untyped-def]
    if fault:
        population.faults(fault)
    with pytest.raises(population_module.PopulationError) as caught:
        _ask(an, an.user, **changes)
    assert caught.value.code == code
    assert PopulationLookup.objects.get().outcome == outcome


def test_an_unknown_personal_id(population) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(username="x", is_staff=True)
    with pytest.raises(population_module.PopulationError) as caught:
        population_module.lookup(
            personal_id="051090999999",
            full_name="Ai Đó",
            birth_year=1990,
            purpose="Tiếp nhận",
            procedure_code="1.001193",
            actor=user,
        )
    assert caught.value.code == "population_not_found"


def test_answers_with_the_district_level_are_read() -> None:
    message = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        "<KetQua>0</KetQua><CongdanCollection><CongDan><SoDinhDanh>051090100001</SoDinhDanh>"
        "<HoVaTen><Ten>Nguyễn Văn An</Ten></HoVaTen><GioiTinh>1</GioiTinh>"
        "<NgayThangNamSinh><NgayThangNam>19900415</NgayThangNam></NgayThangNamSinh>"
        "<ThuongTru><MaTinhThanh>51</MaTinhThanh><MaQuanHuyen>522</MaQuanHuyen>"
        "<MaPhuongXa>21211</MaPhuongXa><ChiTiet>Thôn 1</ChiTiet></ThuongTru>"
        "</CongDan></CongdanCollection></s:Body></s:Envelope>"
    )
    result, resident = population_module.parse_answer(message)
    assert result == "0" and resident is not None
    assert resident.permanent is not None and resident.permanent.district_code == "522"
    assert resident.current is None


def test_an_entity_bomb_is_refused() -> None:
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>'
    with pytest.raises(ValueError):
        population_module.parse_answer(bomb)


def test_the_form_is_prefilled_with_the_source_shown(population, world) -> None:  # type: ignore[no-untyped-def]
    province = AdministrativeUnit.objects.get(code="51", level=UnitLevel.PROVINCE)
    AdministrativeUnit.objects.create(
        code="21211",
        name="Xã Tịnh Khê",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.COMMUNE,
        parent=province,
        province=province,
    )
    version = ProcedureVersion.objects.get(procedure=world.procedure)
    version.form_schema = {
        "fields": [
            {
                "name": "noi_cu_tru",
                "type": "address",
                "label": "Nơi cư trú",
                "required": True,
                "prefill": "citizen.address",
            },
            {"name": "ghi_chu", "type": "text", "label": "Ghi chú"},
        ]
    }
    version.save()
    user = User.objects.create_user(username="an2")
    Citizen.objects.create(
        user=user,
        full_name=AN.full_name,
        personal_id=AN.personal_id,
        birth_date=datetime.date(1990, 4, 15),
    )
    client = Client()
    client.force_login(user)
    start = client.get(f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/")
    assert start.status_code == 302
    page = client.get(start["Location"]).content.decode()
    assert 'id="f-noi-cu-tru-source">từ CSDLQG về dân cư</p>' in page
    assert 'value="Số 12, đường Lê Lợi"' in page
    assert 'id="f-ghi-chu-source"' not in page
    # Changed by the citizen: the source is no longer claimed.
    step = start["Location"]
    client.post(
        step,
        {
            "noi_cu_tru.province": "51",
            "noi_cu_tru.unit_code": "21211",
            "noi_cu_tru.detail": "Số 99, đường Khác",
            "competent_agency": "1",
        },
    )
    again = client.get(step).content.decode()
    assert 'value="Số 99, đường Khác"' in again
    assert "f-noi-cu-tru-source" not in again
    entry = PopulationLookup.objects.get()
    assert entry.actor_kind == "citizen" and entry.procedure_code == world.procedure.code
