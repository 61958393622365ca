from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, override_settings

from congso.core.server import QUEUE_WAIT_HEADER, SheddingThreadWorker

pytestmark = pytest.mark.django_db


def test_request_that_waited_too_long_is_refused_with_retry_after(client: Client) -> None:
    response = client.get("/", HTTP_X_CONGSO_QUEUE_WAIT="2.5")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "overloaded"


def test_request_within_the_limit_is_served(client: Client) -> None:
    assert client.get("/", HTTP_X_CONGSO_QUEUE_WAIT="1.5").status_code == 200
    assert client.get("/").status_code == 200


def test_health_checks_are_never_shed(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_CONGSO_QUEUE_WAIT="30").status_code == 200


@override_settings(SHED_QUEUE_MS=0)
def test_zero_turns_shedding_off() -> None:
    assert Client().get("/", HTTP_X_CONGSO_QUEUE_WAIT="30").status_code == 200


def test_worker_measures_the_wait_and_drops_a_client_supplied_value() -> None:
    seen: dict[str, Any] = {}

    def fake_super(self: Any, req: Any, conn: Any) -> bool:
        seen["headers"] = list(req.headers)
        return True

    worker = SheddingThreadWorker.__new__(SheddingThreadWorker)
    conn = SimpleNamespace(congso_enqueued_at=time.monotonic() - 0.25)
    req = SimpleNamespace(headers=[("HOST", "x"), (QUEUE_WAIT_HEADER, "0")])
    original = SheddingThreadWorker.__mro__[1].handle_request
    SheddingThreadWorker.__mro__[1].handle_request = fake_super  # type: ignore[method-assign]
    try:
        worker.handle_request(req, conn)
    finally:
        SheddingThreadWorker.__mro__[1].handle_request = original  # type: ignore[method-assign]
    waits = [float(v) for k, v in seen["headers"] if k == QUEUE_WAIT_HEADER]
    assert len(waits) == 1
    assert 0.25 <= waits[0] < 5
