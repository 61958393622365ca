"""The VNeID simulator as its own process, and a helper that walks a browser's part of the
authorization-code flow (the provider's login page) without a browser."""

from __future__ import annotations

import http.client
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from congso.identity import oidc
from simulators.vneid.process import VneidSimulator
from tests.printing.conftest import clock, media, world  # noqa: F401 (shared fixtures)

# Debian's Chromium for test_browser (module scope: the sync API's loop ends with the module).
browser = pytest.importorskip("tests.e2e.test_journeys_browser").browser

CALLBACK = "http://testserver/tai-khoan/dinh-danh/{provider}/callback/"


def _start(tmp: Path, profile: str) -> VneidSimulator:
    return VneidSimulator(
        run_dir=tmp,
        profile=profile,
        redirect_uris=[CALLBACK.format(provider=profile)],
        post_logout_redirect_uris=["http://testserver/"],
        timeout_seconds=2.0,
    ).start()


@pytest.fixture(scope="session")
def vneid_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VneidSimulator]:
    sim = _start(tmp_path_factory.mktemp("vneid"), "vneid")
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def dvcqg_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VneidSimulator]:
    sim = _start(tmp_path_factory.mktemp("dvcqg"), "dvcqg")
    yield sim
    sim.stop()


def _configure(settings: Any, sim: VneidSimulator) -> None:
    for name, value in sim.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    settings.OIDC_TIMEOUT_SECONDS = 1


@pytest.fixture
def vneid(settings: Any, vneid_process: VneidSimulator) -> Iterator[VneidSimulator]:
    vneid_process.reset()
    _configure(settings, vneid_process)
    oidc.forget_cached()
    yield vneid_process
    oidc.forget_cached()


@pytest.fixture
def dvcqg(settings: Any, dvcqg_process: VneidSimulator) -> Iterator[VneidSimulator]:
    dvcqg_process.reset()
    _configure(settings, dvcqg_process)
    oidc.forget_cached()
    yield dvcqg_process
    oidc.forget_cached()


def provider_login(authorize_url: str, choice: str) -> str:
    """Open the provider's login page, press ``choice`` (``sub:level`` or ``cancel``), and
    return where the provider sends the browser back (the callback URL)."""
    with urllib.request.urlopen(authorize_url, timeout=10) as response:
        page = response.read().decode()
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page))
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
    fields["login"] = choice
    parts = urllib.parse.urlsplit(authorize_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request(
        "POST",
        "/authenticationendpoint/login",
        body=urllib.parse.urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    answer = connection.getresponse()
    assert answer.status == 302, answer.read()
    return answer.getheader("Location") or ""


def login_page(authorize_url: str) -> str:
    with urllib.request.urlopen(authorize_url, timeout=10) as response:
        return response.read().decode()


def national_sign_in(
    client: Client,
    choice: str,
    *,
    provider: str = "vneid",
    query: str = "",
) -> Any:
    """The whole flow through the Django test client; the callback's response."""
    start = client.get(f"/tai-khoan/dinh-danh/{provider}/bat-dau/{query}")
    assert start.status_code == 302, start.content
    back = provider_login(start["Location"], choice)
    assert back.startswith("http://testserver/"), back
    return client.get(back.removeprefix("http://testserver"))


@pytest.fixture(scope="session")
def population_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from simulators.population.process import PopulationSimulator

    sim = PopulationSimulator(
        run_dir=tmp_path_factory.mktemp("population"), timeout_seconds=2.0
    ).start()
    yield sim
    sim.stop()


@pytest.fixture
def population(settings: Any, population_process: Any) -> Any:
    population_process.reset()
    for name, value in population_process.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    settings.POPULATION_TIMEOUT_SECONDS = 1
    return population_process
