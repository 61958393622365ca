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


@pytest.fixture(autouse=True)
def _a_trust_root(settings: Any, tmp_path: Path) -> None:
    """A configured trust anchor (one of its own, self-signed), so that a well-formed PDF sent
    to the validation operation is validated rather than refused as "not configured" (503);
    without it the outcome would depend on what an earlier run left in ``var/pki``."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Schemathesis test root")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    root = tmp_path / "root.crt"
    root.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    settings.SIGNING_TRUST_ROOTS = [str(root)]


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
