from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from congso.core import worker
from congso.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_a_missing_worker(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["worker"]["backend"] == "embedded"
    assert body["worker"]["ok"] is False
    assert body["status"] == "degraded"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_ok_with_a_live_worker(client: Client) -> None:
    worker.heartbeat()
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"]["ok"] is True


def test_stale_heartbeat_means_worker_down(client: Client) -> None:
    WorkerHeartbeat.objects.create(
        name="old", backend="embedded", last_seen=timezone.now() - timedelta(minutes=5)
    )
    assert client.get("/healthz").json()["worker"]["ok"] is False


def test_request_id_is_echoed_or_made(client: Client) -> None:
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc-12345678")
    assert given["X-Request-ID"] == "abc-12345678"
    bad = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert bad["X-Request-ID"] != "<script>"
