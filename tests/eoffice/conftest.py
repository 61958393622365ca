"""The e-office tests' world: the demo province's People's Committee, a department and a
commune (one congso instance, one system on the axis), officers for each role, the agencies'
XML-DSig seals from a test CA, a PKCS#12 key for each leader, and the axis simulator as its own
process."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from django.contrib.auth import get_user_model
from pypdf import PdfWriter

from congso.core import worker
from congso.eoffice import exchange, seals
from congso.eoffice.models import OutboxItem
from congso.org.models import Agency, AgencyLevel, Role, RoleAssignment
from congso.signing.models import SignatureRole, SignerProfile
from simulators.docaxis.process import DocAxisSimulator

UBND, SO, XA = "000.00.00.H51", "000.00.01.H51", "000.00.51.H51"
OTHER_PROVINCE = "000.00.00.H52"
PASSPHRASE = "test-p12"


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    import io

    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("seals")
    seals.issue_demo_seals(directory, [UBND, SO, XA, OTHER_PROVINCE])
    return directory


@pytest.fixture(scope="session")
def leader_p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed PKCS#12 key for the leaders' PAdES signatures."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lãnh đạo thử nghiệm")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("p12") / "leader.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"leader", key, cert, None, BestAvailableEncryption(PASSPHRASE.encode())
        )
    )
    return path


@pytest.fixture(scope="session")
def axis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocAxisSimulator]:
    simulator = DocAxisSimulator(run_dir=tmp_path_factory.mktemp("docaxis")).start()
    yield simulator
    simulator.stop()


@pytest.fixture(autouse=True)
def eoffice_settings(settings: Any, seal_dir: Path, tmp_path: Path) -> Any:
    settings.EOFFICE_SEALS_DIR = str(seal_dir)
    settings.EOFFICE_TRUST_ANCHORS = str(seal_dir / "ca.pem")
    settings.SIGNING_P12_PASSPHRASE = PASSPHRASE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCAXIS_URL = ""
    # The flow tests go through the axis simulator even between this instance's agencies
    # (test_directory.py turns internal routing on).
    settings.EOFFICE_INTERNAL_ROUTING = False
    settings.WORKER_BACKEND = "embedded"
    return settings


@pytest.fixture
def on_axis(settings: Any, axis: DocAxisSimulator) -> DocAxisSimulator:
    axis.reset()
    for name, value in axis.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    settings.DOCAXIS_TIMEOUT = 2
    axis.configure(timeout_seconds=3)
    return axis


@dataclass
class Office:
    agency: Agency
    clerk: Any
    leader: Any
    specialist: Any
    head: Any


@dataclass
class World:
    ubnd: Office
    so: Office
    xa: Office
    offices: dict[str, Office] = field(default_factory=dict)


def _user(username: str, agency: Agency, role: str, full_name: str = "") -> Any:
    first, _, last = (full_name or username).partition(" ")
    user = get_user_model().objects.create_user(
        username=username, password="x", first_name=first, last_name=last
    )
    RoleAssignment.objects.create(user=user, role=role, agency=agency)
    return user


def _office(code: str, name: str, short: str, level: str, p12: Path, prefix: str) -> Office:
    agency = Agency.objects.create(code=code, name=name, short_name=short, level=level)
    leader = _user(f"{prefix}_leader", agency, Role.LEADER, f"Nguyễn Văn {prefix.upper()}")
    SignerProfile.objects.create(
        user=leader,
        agency=agency,
        role=SignatureRole.APPROVAL,
        backend="soft_token",
        display_name=leader.get_full_name(),
        title="Chủ tịch",
        config={"p12_path": str(p12)},
    )
    return Office(
        agency=agency,
        clerk=_user(f"{prefix}_clerk", agency, Role.CLERK, "Trần Thị Văn Thư"),
        leader=leader,
        specialist=_user(f"{prefix}_specialist", agency, Role.SPECIALIST, "Lê Chuyên Viên"),
        head=_user(f"{prefix}_head", agency, Role.DEPARTMENT_HEAD, "Phạm Trưởng Phòng"),
    )


@pytest.fixture
def world(db: None, leader_p12: Path) -> World:
    ubnd = _office(
        UBND, "Ủy ban nhân dân tỉnh Demo", "UBND", AgencyLevel.PROVINCE, leader_p12, "ub"
    )
    so = _office(SO, "Sở Nội vụ tỉnh Demo", "SNV", AgencyLevel.PROVINCE, leader_p12, "so")
    xa = _office(XA, "Ủy ban nhân dân xã Một", "UBND", AgencyLevel.COMMUNE, leader_p12, "xa")
    return World(ubnd=ubnd, so=so, xa=xa, offices={UBND: ubnd, SO: so, XA: xa})


def run_jobs() -> int:
    """Run every due job of the embedded worker (in this thread)."""
    ran = 0
    while worker.run_job() is not None:
        ran += 1
    return ran


@pytest.fixture
def pump(on_axis: DocAxisSimulator) -> Callable[[], None]:
    """Deliver everything queued and take everything received, until the exchange is quiet."""

    def run() -> None:
        for _ in range(20):
            busy = run_jobs()
            for item in OutboxItem.objects.filter(status=OutboxItem.Status.PENDING):
                exchange.deliver(item.pk)
                busy += 1
            busy += len(exchange.poll())
            if not busy:
                return
        raise AssertionError("the exchange did not settle")

    return run
