"""The payment tests' parts: the VNPay/bank simulator (simulators/vnpay) as its own process once
per session, congso pointed at it, its callbacks at the live server, and a dossier waiting for
its fee (national status 6)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from time import monotonic, sleep
from typing import Any

import pytest
from django.urls import reverse

from congso.dossiers import services
from congso.dossiers.models import Dossier
from simulators.vnpay.process import VNPaySimulator
from tests.dossiers.conftest import VN, clock, media, to_processing, world  # noqa: F401

FEE = 8000


@pytest.fixture(scope="session")
def vnpay_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VNPaySimulator]:
    simulator = VNPaySimulator(run_dir=tmp_path_factory.mktemp("vnpay")).start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def gateway(
    settings: Any,
    vnpay_simulator: VNPaySimulator,
    live_server: Any,
    clock: Any,  # noqa: F811 - the dossier tests' fixture
) -> Iterator[VNPaySimulator]:
    """congso pointed at the simulator, the simulator's IPN and bank webhook at the live server;
    the test clock at the real time (the gateway stamps its callbacks with it). Ends once no
    callback is in flight, with the callbacks switched off."""
    clock.set(datetime.datetime.now(tz=VN).replace(microsecond=0))
    vnpay_simulator.reset()
    for name, value in vnpay_simulator.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    settings.SIGNING_PUBLIC_URL = live_server.url
    settings.OFFICER_2FA_REQUIRED = False
    vnpay_simulator.configure(
        ipn_url=live_server.url + reverse("payments:notify", args=["vnpay"]),
        bank_webhook=live_server.url + reverse("payments:notify", args=["vietqr"]),
        delay_seconds=0.4,
    )
    try:
        yield vnpay_simulator
    finally:
        quiet = vnpay_simulator.quiesce()
        vnpay_simulator.configure(ipn_url="", bank_webhook="")
        assert quiet, "the VNPay simulator still had callbacks in flight"


def fee_requested(people: Any, time: Any, amount: int | None = FEE) -> Dossier:
    """A dossier in processing whose specialist asks for the fee (status 6)."""
    dossier = to_processing(people, time, time.now)
    return services.dossier_request_payment(
        actor=people.specialist_a,
        dossier=dossier,
        reason="Lệ phí đăng ký khai sinh",
        amount_vnd=amount,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = monotonic() + seconds
    while monotonic() < deadline:
        if condition():
            return True
        sleep(0.05)
    return condition()
