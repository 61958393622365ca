from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_SECONDS = 900
    settings.OFFICER_2FA_REQUIRED = True
    # django-otp waits 1 s, 2 s, 4 s … between wrong codes; tests that want it set it back.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
