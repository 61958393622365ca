"""The LGSP + national-portal simulator, started once per test session as its own process
(simulators/lgsp), and congso pointed at it; the dossier world of tests/dossiers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congso.dossiers import services
from congso.dossiers.models import Dossier
from congso.integration import lgsp
from simulators.lgsp.process import LgspSimulator
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    Clock,
    World,
    build_world,
    clock,
    media,
    receive,
    submit,
    world,
)


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LgspSimulator]:
    sim = LgspSimulator(run_dir=Path(tmp_path_factory.mktemp("lgsp")), timeout_seconds=1.5)
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def portal(simulator: LgspSimulator, settings: Any) -> Iterator[LgspSimulator]:
    """The simulator, emptied, with congso's settings pointing at it."""
    simulator.reset()
    env = simulator.env()
    settings.LGSP_URL = env["CONGSO_LGSP_URL"]
    settings.LGSP_USERNAME = env["CONGSO_LGSP_USERNAME"]
    settings.LGSP_PASSWORD = env["CONGSO_LGSP_PASSWORD"]
    settings.LGSP_UNIT_CODE = env["CONGSO_LGSP_UNIT_CODE"]
    settings.LGSP_PROVINCES = ""
    settings.LGSP_TIMEOUT = 0.5  # the simulator's timeout fault answers after 1.5 s
    settings.LGSP_BREAKER_FAILURES = 5
    settings.LGSP_BREAKER_SECONDS = 0  # half-open at once: the tests do not wait
    settings.SYNC_BACKOFF_SECONDS = 0  # retries due at once (the clock is frozen)
    settings.SYNC_MAX_ATTEMPTS = 8
    lgsp.reset()
    yield simulator
    lgsp.reset()


def lifecycle(world: World, dossier: Dossier) -> Dossier:  # noqa: F811
    """Received, processed, completed and returned at the desk (the happy path)."""
    dossier = receive(world, dossier)
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier, note="Hợp lệ.")
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary="Đã cấp trích lục."
    )
    return services.dossier_return_result(actor=world.reception_a, dossier=dossier, method="desk")
