"""Security headers on every page (issue 13 item 6): Content-Security-Policy, Permissions-Policy
and Django's own, for every named page without parameters, anonymous and signed in; in every
settings module; and ``SECURE_PROXY_SSL_HEADER`` only behind a configured proxy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from congso.core.clients import client_ip
from congso.core.middleware import header_value
from tests.accounts.helpers import login_verified, make_device, make_user

pytestmark = pytest.mark.django_db

CSP_EXPECTED = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _named_pages(patterns: Any, namespace: str | None = None) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _named_pages(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if pattern.pattern.regex.groups == 0:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


NAMED_PAGES = sorted(set(_named_pages(get_resolver().url_patterns)))


def assert_headers(response: Any, where: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp == CSP_EXPECTED, where
    for forbidden in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"):
        assert forbidden not in csp.split(), (where, forbidden)
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, (where, feature)
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("Referrer-Policy") == "same-origin", where
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", where


def test_the_crawl_sees_the_pages_that_matter() -> None:
    for name in [
        "core:home",
        "accounts:login",
        "accounts:password_change",
        "accounts:password_reset",
        "accounts:tokens",
        "portal:search",
        "backoffice:index",
        "indicators:dashboard",
        "admin:index",
        "api-v1:openapi-view",
        "api-v1:list_dossiers",
    ]:
        assert name in NAMED_PAGES, name
    assert len(NAMED_PAGES) > 90


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_every_named_page_without_parameters_has_the_headers(who: str) -> None:
    from congso.org.models import AdministrativeUnit, UnitKind, UnitLevel

    # The installation's province (the feedback pages and Open311 answer 503 "not configured"
    # without it): the crawl sees those pages as a province sees them.
    AdministrativeUnit.objects.get_or_create(
        code=str(settings.FEEDBACK_PROVINCE).zfill(2),
        level=UnitLevel.PROVINCE,
        defaults={"name": "Tỉnh Quảng Ngãi", "kind": UnitKind.PROVINCE},
    )
    client = Client(raise_request_exception=False)
    if who == "officer":
        officer = make_user("quantri", staff=True, is_superuser=True)
        login_verified(client, officer, make_device(officer))
    seen = 0
    for name in NAMED_PAGES:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code < 500, (who, url, response.status_code)
        assert_headers(response, f"{who} GET {url} → {response.status_code}")
        seen += 1
    assert seen == len(NAMED_PAGES)


def test_error_pages_and_static_files_have_the_headers() -> None:
    client = Client(raise_request_exception=False)
    assert_headers(client.get("/khong-co-trang-nay/"), "404")
    # A request refused before any view (NUL in the query string) still carries them.
    assert_headers(client.get("/thu-tuc/?q=%00"), "invalid text")
    assert_headers(client.get("/api/v1/dossiers?offset=-1"), "api error")


def test_no_template_has_inline_script_or_style() -> None:
    """What the policy forbids is not written anywhere: no ``<script>`` without ``src``, no
    ``style=`` attribute or ``<style>`` element, no ``on…=`` handler in the project's templates."""
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "congso"
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if (
            inline_script.search(text)
            or re.search(r"\sstyle\s*=", text, re.I)
            or re.search(r"<style[\s>]", text, re.I)
            or re.search(r"\son[a-z]+\s*=", text, re.I)
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_header_value_matches_djangos_format() -> None:
    assert (
        header_value(
            {"default-src": ["'self'"], "report-uri": [], "upgrade-insecure-requests": True}
        )
        == "default-src 'self'; upgrade-insecure-requests"
    )


def _settings_in_subprocess(module: str, extra_env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json, django.conf as c; from importlib import import_module; "
        f"m = import_module({module!r}); "
        "print(json.dumps({'mw': m.MIDDLEWARE, 'csp': m.SECURE_CSP, 'pp': m.PERMISSIONS_POLICY, "
        "'proxy': getattr(m, 'SECURE_PROXY_SSL_HEADER', None)}))"
    )
    env = {
        **os.environ,
        "CONGSO_SECRET_KEY": "k" * 64,
        "CONGSO_AUDIT_CHAIN_KEY": "c" * 40,
        **extra_env,
    }
    if "CONGSO_PROXY_ADDRESSES" not in extra_env:
        env.pop("CONGSO_PROXY_ADDRESSES", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "module", ["congso.settings.base", "congso.settings.test", "congso.settings.production"]
)
def test_every_settings_module_sends_the_policy(module: str) -> None:
    found = _settings_in_subprocess(module, {})
    assert "congso.core.middleware.SecurityHeadersMiddleware" in found["mw"]
    assert found["mw"][0] == "congso.core.middleware.ProxyHeadersMiddleware"
    assert found["csp"]["script-src"] == ["'self'"] and found["csp"]["style-src"] == ["'self'"]
    assert found["pp"]["camera"] == []
    # No proxy configured: X-Forwarded-Proto is not believed, in production either.
    assert found["proxy"] is None
    if module.endswith("production"):
        assert found["csp"]["upgrade-insecure-requests"] is True


def test_the_proxy_header_is_trusted_only_where_a_proxy_is_configured() -> None:
    found = _settings_in_subprocess(
        "congso.settings.production", {"CONGSO_PROXY_ADDRESSES": "10.0.0.5,10.1.0.0/16"}
    )
    assert found["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_forwarded_headers_from_a_direct_client_are_dropped(settings: Any, rf: Any) -> None:
    from django.http import HttpResponse

    from congso.core.middleware import ProxyHeadersMiddleware

    seen: dict[str, Any] = {}

    def view(request: Any) -> HttpResponse:
        seen["secure"] = request.is_secure()
        seen["ip"] = client_ip(request)
        return HttpResponse()

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    middleware = ProxyHeadersMiddleware(view)
    spoofed = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}

    settings.PROXY_ADDRESSES = []
    middleware(rf.get("/", REMOTE_ADDR="203.0.113.7", **spoofed))
    assert seen == {"secure": False, "ip": "203.0.113.7"}

    settings.PROXY_ADDRESSES = ["10.0.0.0/8"]
    # From a client that is not the proxy: still not believed.
    middleware(rf.get("/", REMOTE_ADDR="203.0.113.7", **spoofed))
    assert seen == {"secure": False, "ip": "203.0.113.7"}
    # Through the proxy: the right-most address the proxies did not add is the client's; what
    # the client wrote itself further left is ignored.
    middleware(
        rf.get(
            "/",
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20, 10.2.3.4",
        )
    )
    assert seen == {"secure": True, "ip": "198.51.100.20"}
