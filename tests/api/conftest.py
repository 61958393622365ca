"""Fixtures for the API-wide tests: the dossier tests' small world, and API tokens for it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.tokens import bearer
from tests.dossiers.conftest import clock, media, world  # noqa: F401 (fixtures)


@pytest.fixture
def tokens(world: Any) -> dict[str, dict[str, str]]:  # noqa: F811 (the fixture above)
    """``Authorization`` headers by role: citizen, reception, specialist, leader."""
    return {
        "citizen": bearer(world.citizen_user),
        "reception": bearer(world.reception_a),
        "specialist": bearer(world.specialist_a),
        "leader": bearer(world.leader_a),
    }
