"""Fixtures of the indicator tests: the dossier tests' world and clock, and the hand-computed
month of ``dataset.py``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dossiers.conftest import Clock, World, clock, media, world  # noqa: F401 (fixtures)
from tests.indicators.dataset import Month, build_month


@pytest.fixture
def month(world: World, clock: Clock) -> Month:  # noqa: F811 (the fixtures above)
    return build_month(world, clock)


@pytest.fixture
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False
