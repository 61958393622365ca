"""The e-result tests use the signing tests' PKI (generated once per session, its OCSP, CRL and
TSA served on a loopback port) and the dossier tests' small world."""

from __future__ import annotations

from tests.signing.conftest import (  # noqa: F401 (fixtures)
    clock,
    demo_pki,
    fresh_revocation_cache,
    signing_settings,
    unsigned_pdf,
    world,
)
