"""Real parts for the notify tests: Kannel (bearerbox + smsbox + Kannel's fakesmsc) started once
per session with the repository's configuration on free ports, and a real SMTP server."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from congso.core import worker
from congso.contrib.kannel.box import BEARERBOX, Kannel
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
def gateways(settings: Any, kannel: Kannel, smtp_server: SmtpServer, live_server: Any) -> Any:
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
    return settings


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
