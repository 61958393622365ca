"""Real parts for the notify tests: Kannel (bearerbox + smsbox + Kannel's fakesmsc) started once
per session with the repository's configuration on free ports, and a real SMTP server."""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from congso.contrib.kannel.box import BEARERBOX, Kannel
from congso.core import worker
from simulators.zalo.process import ZaloSimulator
from tests.dossiers.conftest import clock, media, world  # noqa: F401 - the dossier tests' fixtures
from tests.notify.smtpd import SmtpServer


@pytest.fixture(scope="session")
def kannel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kannel]:
    if not shutil.which(BEARERBOX):
        pytest.fail("Kannel is not installed: apt-get install kannel kannel-extras")
    box = Kannel(run_dir=tmp_path_factory.mktemp("kannel")).start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def gateways(
    settings: Any, kannel: Kannel, smtp_server: SmtpServer, live_server: Any
) -> Iterator[Any]:
    """Point this process at the real Kannel, SMTP server and the live DLR callback."""
    settings.NOTIFY_KANNEL_URL = kannel.sendsms_url
    settings.NOTIFY_KANNEL_USER = kannel.username
    settings.NOTIFY_KANNEL_PASSWORD = kannel.password
    settings.NOTIFY_DLR_BASE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.NOTIFY_QUIET_HOURS = ""
    smtp_server.messages.clear()
    yield settings
    # A delivery report still on its way from Kannel to the live server would write during the
    # database flush that ends the test and deadlock it: let the reports of the SMS sent arrive
    # first (briefly; a message whose report never comes only delays the teardown).
    from congso.notify.models import Message

    deadline = time.monotonic() + 5
    pending = Message.objects.filter(channel="sms", status=Message.Status.SENT)
    while time.monotonic() < deadline and pending.exists():
        time.sleep(0.1)


@pytest.fixture(scope="session")
def zalo_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZaloSimulator]:
    """The Zalo simulator (``simulators/zalo``) as its own process, once per session."""
    simulator = ZaloSimulator(run_dir=tmp_path_factory.mktemp("zalo")).start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def zalo(gateways: Any, zalo_simulator: ZaloSimulator, live_server: Any) -> Iterator[ZaloSimulator]:
    """Point this process at the Zalo simulator (on top of Kannel and SMTP), its callbacks at
    the live webhook, and load the demo OA's templates as the Zalo notice templates. Ends once
    the simulator has no callback in flight (one arriving during the next test's database flush
    would deadlock it), and with the callbacks switched off."""
    from django.core.management import call_command
    from django.urls import reverse

    zalo_simulator.reset()
    state = zalo_simulator.state()  # an earlier test may have refreshed the tokens
    for name, value in zalo_simulator.env().items():
        setattr(gateways, name.removeprefix("CONGSO_"), value)
    gateways.ZALO_ACCESS_TOKEN = state["access_token"]
    gateways.ZALO_REFRESH_TOKEN = state["refresh_token"]
    gateways.ZALO_TIMEOUT = 1
    gateways.ZALO_DEFAULT_ON = False
    zalo_simulator.configure(
        webhook=live_server.url + reverse("notify:zalo-webhook"),
        timeout_seconds=2.5,
        callback_delay=0.2,
        no_zalo=["0987000111"],
    )
    call_command("zalo_demo_templates", stdout=io.StringIO())
    try:
        yield zalo_simulator
    finally:
        quiet = zalo_simulator.quiesce()
        zalo_simulator.configure(webhook="")
        assert quiet, "the Zalo simulator still had callbacks in flight"


def wait_for(predicate: Callable[[], bool], seconds: float = 20.0, *, drain: bool = True) -> bool:
    """Run due jobs in this process (the embedded worker's loop) until ``predicate`` holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if drain:
            worker.drain(limit=500)
        if predicate():
            return True
        time.sleep(0.1)
    return False
