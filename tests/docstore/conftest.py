from typing import Any

import pytest

from tests.printing.conftest import clock, media, world  # noqa: F401 (shared fixtures)


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False
