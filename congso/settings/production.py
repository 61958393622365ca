"""Production settings: everything in base, hardened. ``manage.py check --deploy`` is clean."""

from __future__ import annotations

from congso.settings.base import *

if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise RuntimeError(
        "CONGSO_SECRET_KEY must be set to a random value of 50+ characters in production"
    )

if AUDIT_CHAIN_KEY.startswith("insecure-") or len(AUDIT_CHAIN_KEY) < 32:
    raise RuntimeError(
        "CONGSO_AUDIT_CHAIN_KEY must be set to a random value of 32+ characters in production"
    )

DEBUG = False
SECURE_SSL_REDIRECT = SSL_REDIRECT
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {**SECURE_CSP, "upgrade-insecure-requests": True}
