"""Schemathesis over the whole API (issue 11 §3): anonymous and with the tokens of a citizen, a
reception officer, a specialist and a leader. The committed OpenAPI document is the contract:
every answer must be documented (status and body), and no input may cause a server error.

Bounded for CI: a fixed seed (derandomised), a few examples per operation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.dossiers.conftest import submit

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "api" / "openapi-v1.json"
MAX_EXAMPLES = 5
ROLES = ("anonymous", "citizen", "reception", "specialist", "leader")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text()))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Django closes the database connection at the end of a WSGI request; the test's
    transaction must survive every call (as Django's own test client arranges)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def headers(request: pytest.FixtureRequest, world: Any, tokens: dict[str, Any]) -> Any:
    submit(world)  # one dossier in the world, so list operations have something to answer
    role = request.param
    return {} if role == "anonymous" else tokens[role]


@pytest.mark.django_db
@pytest.mark.parametrize("headers", ROLES, indirect=True)
@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_its_contract(case: Any, headers: dict[str, str]) -> None:
    case.call_and_validate(headers=headers, checks=CHECKS)
