"""The population database and the document axis reached through the province's integration
platform with the one LGSP client: the LGSP simulator relays to the population and axis
simulators (each its own process), every call is in the LGSP request log with its message id,
and the platform's faults reach the adapters as the direct path's would."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from congso.contrib.docaxis import client as axis_client
from congso.identity import population
from congso.identity.models import LookupOutcome, PopulationLookup
from congso.integration import lgsp
from congso.integration.models import LgspCall
from congso.org.models import Citizen
from simulators.docaxis.process import DocAxisSimulator
from simulators.lgsp.process import LgspSimulator
from simulators.population.process import PopulationSimulator
from simulators.vneid.citizens import SEEDED

pytestmark = pytest.mark.django_db

AN = next(c for c in SEEDED if c.sub == "vneid-an")


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    people = PopulationSimulator(run_dir=Path(tmp_path_factory.mktemp("population"))).start()
    axis = DocAxisSimulator(run_dir=Path(tmp_path_factory.mktemp("docaxis"))).start()
    try:
        yield people, axis
    finally:
        people.stop()
        axis.stop()


@pytest.fixture
def bridged(portal: LgspSimulator, backends: tuple[Any, Any], settings: Any) -> Any:
    people, axis = backends
    people.reset()
    axis.reset()
    direct = people.env()
    portal.bridge(
        CSDLDC={"url": direct["CONGSO_POPULATION_URL"], "token": direct["CONGSO_POPULATION_TOKEN"]},
        VDXP={"url": axis.url},
    )
    settings.POPULATION_VIA_LGSP = True
    settings.POPULATION_URL = ""  # nothing reaches the population database directly
    settings.POPULATION_TOKEN = ""
    settings.POPULATION_INTEGRATION_CODE = direct["CONGSO_POPULATION_INTEGRATION_CODE"]
    settings.DOCAXIS_VIA_LGSP = True
    settings.DOCAXIS_URL = ""
    for name, value in axis.env().items():
        if name != "CONGSO_DOCAXIS_URL":
            setattr(settings, name.removeprefix("CONGSO_"), value)
    return portal


def test_a_population_look_up_goes_through_the_platform(bridged: LgspSimulator) -> None:
    user = get_user_model().objects.create_user(username="an", password="mat-khau-rat-dai-2026")
    citizen = Citizen.objects.create(
        user=user, full_name=AN.full_name, personal_id=AN.personal_id,
        birth_date=datetime.date(1990, 4, 15), gender="male",
    )  # fmt: skip
    resident = population.lookup(
        personal_id=citizen.personal_id,
        full_name=citizen.full_name,
        birth_year=1990,
        purpose="Điền sẵn tờ khai",
        procedure_code="1.001193",
        actor=user,
    )
    assert resident.full_name == AN.full_name and resident.current is not None
    call = LgspCall.objects.get(service=population.LGSP_SERVICE)
    assert call.outcome == LgspCall.Outcome.OK
    # The request log's subject is the look-up's own request id: the two logs meet.
    assert call.subject == PopulationLookup.objects.get().request_id
    assert bridged.state()["counters"]["bridge:CSDLDC.TraCuuCongDan"] == 1

    # The platform failing (5xx) is the database being unavailable, logged on both sides.
    bridged.faults("5xx")
    with pytest.raises(population.PopulationError) as caught:
        population.lookup(
            personal_id=citizen.personal_id, full_name="Một Tên Khác", birth_year=1990,
            purpose="Điền sẵn tờ khai", procedure_code="1.001193", actor=user,
        )  # fmt: skip
    assert caught.value.code == "population_unavailable"
    assert PopulationLookup.objects.latest("at").outcome == LookupOutcome.UNAVAILABLE
    assert LgspCall.objects.filter(outcome=LgspCall.Outcome.UNAVAILABLE).count() == 1


def test_the_document_axis_goes_through_the_platform(
    bridged: LgspSimulator, backends: tuple[Any, Any], settings: Any
) -> None:
    package = b'<?xml version="1.0" encoding="UTF-8"?><edXMLEnvelope>thu</edXMLEnvelope>'
    doc_id = axis_client.send(
        data=package, message_type="edoc", to="000.00.00.H52", key="000.00.00.H51,2026/12/07,1"
    )
    assert doc_id
    codes = {agency["code"] for agency in axis_client.agencies()}
    assert {"000.00.00.H51", "000.00.00.H52"} <= codes

    # The second province's system reads it, through its own credentials on the same platform.
    _, axis = backends
    for name, value in axis.env("congso-h52").items():
        if name != "CONGSO_DOCAXIS_URL":
            setattr(settings, name.removeprefix("CONGSO_"), value)
    waiting = axis_client.received()
    assert [item["docId"] for item in waiting] == [doc_id]
    assert axis_client.fetch(doc_id) == package
    axis_client.confirm(doc_id)
    assert axis_client.received() == []
    services = set(LgspCall.objects.values_list("service", flat=True))
    assert services == {
        "VDXP.SendEdoc", "VDXP.GetAgencies", "VDXP.GetReceivedEdocList", "VDXP.GetEdoc",
        "VDXP.UpdateStatus",
    }  # fmt: skip
    assert not LgspCall.objects.exclude(outcome=LgspCall.Outcome.OK).exists()

    # The axis refusing a system (bad secret) is a refusal, not a retry; the platform down is.
    settings.DOCAXIS_SECRET = "sai-bi-mat"
    with pytest.raises(axis_client.AxisRefused):
        axis_client.received()
    bridged.faults("5xx")
    with pytest.raises(axis_client.AxisUnavailable):
        axis_client.received()
    # A platform that does not carry an operation refuses it by its schema (nothing relayed).
    with pytest.raises(lgsp.LgspError) as caught:
        lgsp.call("VDXP.GetEdoc", {"method": "DELETE", "path": "/api/edoc/1", "headers": {}})
    assert caught.value.code == "lgsp_refused"
