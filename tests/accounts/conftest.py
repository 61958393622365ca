from __future__ import annotations

import pytest

from tests.dossiers.conftest import Clock, clock  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.LOGIN_FREE_FAILURES = 3
    settings.LOGIN_DELAY_SECONDS = 30
    settings.LOGIN_MAX_DELAY_SECONDS = 900
    settings.LOGIN_IP_FREE_FAILURES = 20
    settings.OFFICER_2FA_REQUIRED = True
    # django-otp waits 1 s, 2 s, 4 s … between wrong codes; tests that want it set it back.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


__all__ = ["Clock"]
