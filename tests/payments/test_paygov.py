"""The national payment platform adapter (assumed protocol, docs/payments.md) against its own
simulator (simulators/paygov, its own process): order created server to server, paid on the
platform's page, the signed notification applied once; a forged, a wrong-amount or a stale one
changes nothing."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congso.payments.models import Callback, IntentStatus, PaymentIntent
from simulators.paygov.process import PayGovSimulator
from tests.api.tokens import bearer
from tests.payments.conftest import FEE, VN, fee_requested, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def paygov_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PayGovSimulator]:
    simulator = PayGovSimulator(run_dir=tmp_path_factory.mktemp("paygov")).start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def paygov(settings: Any, paygov_simulator: PayGovSimulator, live_server: Any, clock: Any):
    import datetime

    clock.set(datetime.datetime.now(tz=VN).replace(microsecond=0))
    paygov_simulator.reset()
    for name, value in paygov_simulator.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    settings.PAYGOV_NOTIFY_URL = live_server.url + reverse("payments:notify", args=["paygov"])
    yield paygov_simulator
    assert paygov_simulator.quiesce()


def _start(world, clock, api):
    dossier = fee_requested(world, clock)
    started = api.post(
        f"/api/v1/payments/dossiers/{dossier.code}",
        {"provider": "paygov"},
        content_type="application/json",
        headers=bearer(world.citizen_user),
    )
    assert started.status_code == 201, started.content
    return dossier, started.json()


def _answers(simulator, reference):
    assert simulator.quiesce()
    return [
        json.loads(n["answer"])["code"]
        for n in simulator.state()["notifications"]
        if n["order_id"] == reference
    ]


def test_paid_through_the_national_platform_once(world, clock, paygov):
    api = Client()
    dossier, body = _start(world, clock, api)
    assert body["pay_url"].startswith(paygov.url + "/pay/")
    paygov.faults("duplicate")
    back = paygov.pay(body["pay_url"])
    reference = body["reference"]
    assert wait_for(lambda: PaymentIntent.objects.get(reference=reference).status == "paid")
    assert _answers(paygov, reference) == ["00", "02"]
    intent = PaymentIntent.objects.get(reference=reference)
    assert intent.amount_vnd == FEE and intent.provider_ref.startswith("NTT")
    assert intent.receipt.method.endswith("Nền tảng thanh toán Cổng Dịch vụ công quốc gia")
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    # The browser's return verifies (informative only) and shows the paid intent.
    citizen = Client()
    citizen.force_login(world.citizen_user)
    parts = urllib.parse.urlsplit(back["return_url"])
    returned = citizen.get(f"{parts.path}?{parts.query}", follow=True)
    assert returned.status_code == 200 and reference in returned.content.decode()


@pytest.mark.parametrize(
    ("fault", "code"), [("forged", "97"), ("wrong_amount", "04"), ("stale", "99")]
)
def test_a_forged_wrong_amount_or_stale_notification_changes_nothing(
    world, clock, paygov, fault, code
):
    api = Client()
    _dossier, body = _start(world, clock, api)
    paygov.faults(fault)
    paygov.pay(body["pay_url"])
    assert _answers(paygov, body["reference"]) == [code]
    intent = PaymentIntent.objects.get(reference=body["reference"])
    assert intent.status == IntentStatus.PENDING
    assert Callback.objects.filter(provider="paygov").exclude(verdict="applied").count() == 1
