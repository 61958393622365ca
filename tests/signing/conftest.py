"""The signing tests' PKI: generated once per test session into a temporary folder, its OCSP,
CRL and TSA services served on a free loopback port in a thread; every test points the
settings at it. Dossiers come from the dossier tests' small world."""

from __future__ import annotations

import datetime
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congso.printing.eresults import example_birth_extract
from congso.results import render
from congso.signing import pades, pki, signers, stamps
from congso.signing.models import SignerProfile
from tests.dossiers.conftest import Clock, World, build_world

SIG_FIELDS = {
    "Sig1_approval": render.FIELD_BOXES["approval"],
    "Sig2_seal": render.FIELD_BOXES["seal"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pki.DemoPKI]:
    directory = tmp_path_factory.mktemp("pki")
    pki.generate(directory, base_url=f"http://127.0.0.1:{_free_port()}")
    demo = pki.DemoPKI(directory)
    server = pki.serve_in_thread(demo)
    yield demo
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def signing_settings(settings: Any, demo_pki: pki.DemoPKI, tmp_path: Path) -> pki.DemoPKI:
    settings.SIGNING_DEMO_PKI_DIR = demo_pki.directory
    settings.SIGNING_DEMO_PKI_URL = demo_pki.base_url
    settings.SIGNING_TRUST_ROOTS = [str(demo_pki.directory / "root.crt")]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_ONLINE_REVOCATION = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo_pki


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    """A rendered two-page result with both signature fields, without Django models."""
    document = render.ResultDocument(
        code="000.00.51.H51-260105-0001-KQ(1)",
        document=example_birth_extract(),
        verify_url="http://127.0.0.1:8000/xac-thuc/thu-nghiem/",
        dossier_code="000.00.51.H51-260105-0001",
        procedure_name="Thủ tục đăng ký khai sinh",
        applicant_name="Nguyễn Thị Hồng Nhung",
        received_at=None,
        processed_at=None,
        legal_basis="Luật Hộ tịch năm 2014",
        roles=["approval", "seal"],
    )
    return pades.add_fields(render.render_result(document), SIG_FIELDS)


def soft_signer(name: str) -> signers.Signer:
    profile = SignerProfile(
        display_name=name, title="", config={"p12_path": f"officers/{name}.p12"}
    )
    return signers.REGISTRY["soft_token"].signer(profile)


def stamp(name: str = "Nguyễn Văn Bình", title: str = "CHỦ TỊCH") -> stamps.StampText:
    return stamps.StampText(
        signer=name,
        title=title,
        agency="Ủy ban nhân dân xã Tịnh Khê",
        moment=datetime.datetime.now(datetime.UTC),
    )


def sign_level(
    pdf: bytes,
    level: str,
    *,
    officer: str = "chu-tich",
    field: str = "Sig1_approval",
    certify: bool = True,
) -> bytes:
    from congso.signing import services, validation

    long_term = level in ("B-LT", "B-LTA")
    return pades.sign(
        pdf,
        signer=soft_signer(officer),
        request=pades.SignRequest(
            field_name=field, level=level, certify=certify, stamp_text=stamp()
        ),
        timestamper=services.timestamper() if level != "B-B" else None,
        validation_context=validation.signing_validation_context() if long_term else None,
    )


def run(*command: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        command, input=data, capture_output=True, check=False, env=env, timeout=60
    )
    return (completed.stdout + completed.stderr).decode("utf-8", "replace")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def world(db: Any, clock: Clock) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def fresh_revocation_cache() -> Iterator[None]:
    """Each test starts with an empty OCSP/CRL cache (a revocation made by a test must not be
    hidden by a response cached in an earlier one)."""
    from congso.signing import revcache

    revcache.OCSP_CACHE.clear()
    revcache.CRL_CACHE.clear()
    yield
    revcache.OCSP_CACHE.clear()
    revcache.CRL_CACHE.clear()
