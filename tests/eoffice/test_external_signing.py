"""Hash-only signing of an outgoing document: the leader's key is on his token or at a remote
signing service and never reaches the server. Through the API: prepare → the device signs the
bytes (here `openssl cms`, with a key the server never reads) → finish; a CMS made with
another key is refused and changes nothing; the signed document validates and is issued."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from congso.eoffice import services
from congso.eoffice.models import Document, ExternalSigning, State
from congso.eoffice.services import Recipient, Upload
from congso.signing import pki, validation
from congso.signing.models import SignatureRole, SignerProfile
from tests.eoffice.conftest import SO, World, pdf_bytes
from tests.signing.conftest import demo_pki, signing_settings  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed"),
]


def _cms(tbs: bytes, cert: Path, key: Path, chain: Path, tmp_path: Path) -> str:
    (tmp_path / "tbs.bin").write_bytes(tbs)
    out = tmp_path / "sig.der"
    subprocess.run(
        [
            *("openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256"),
            *("-outform", "DER", "-in", str(tmp_path / "tbs.bin"), "-out", str(out)),
            *("-signer", str(cert), "-inkey", str(key), "-certfile", str(chain)),
        ],
        check=True,
        capture_output=True,
    )
    return base64.b64encode(out.read_bytes()).decode()


def _forged_copy(real: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A self-made certificate copying the real one's subject, issuer and serial number, with a
    key of its own: what anyone can make without the CA."""
    original = x509.load_pem_x509_certificate(real.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder().subject_name(original.subject).issuer_name(original.issuer)
        .public_key(key.public_key()).serial_number(original.serial_number)
        .not_valid_before(original.not_valid_before_utc)
        .not_valid_after(original.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = tmp_path / "forged.crt", tmp_path / "forged.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_a_leader_signs_with_a_key_the_server_never_sees(
    world: World,
    signing_settings: pki.DemoPKI,  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    demo = signing_settings
    office = world.ubnd
    chain = b"".join(
        path.read_bytes() for path in (demo.officer_cert("pho-chu-tich"), demo.directory / "ca.crt")
    )
    SignerProfile.objects.create(
        user=office.leader,
        agency=office.agency,
        role=SignatureRole.APPROVAL,
        backend="external",
        display_name="Trần Thị Lan",
        title="Phó Chủ tịch",
        certificate_pem=chain.decode(),
        config={},
    )
    draft = services.draft_create(
        actor=office.specialist,
        agency_id=office.agency.pk,
        doc_type_code="CV",
        subject="Về việc đôn đốc số hóa hồ sơ thủ tục hành chính năm 2026",
        main=Upload("cong-van.pdf", pdf_bytes(2)),
        attachments=[],
        signer_id=office.leader.pk,
        signer_position="Phó Chủ tịch",
        signer_competence="KT.",
        recipients=[Recipient(name="Sở Nội vụ", code=SO)],
        to_places=["Như trên", "Lưu: VT"],
        place="Demo",
        notation_suffix="UBND-VP",
        page_count=2,
    )
    services.draft_submit(actor=office.specialist, document_id=draft.pk, reviewer_ids=[])
    client = Client()
    client.force_login(office.leader)
    started = client.post(f"/api/v1/eoffice/documents/{draft.pk}/external")
    assert started.status_code == 201, started.content
    session, tbs = started.json()["session"], base64.b64decode(started.json()["to_be_signed"])
    original = Document.objects.get(pk=draft.pk).files.get(role="main").sha256

    # A CMS from a self-made copy of the leader's certificate proves nothing.
    forged_cert, forged_key = _forged_copy(demo.officer_cert("pho-chu-tich"), tmp_path)
    forged = client.post(
        f"/api/v1/eoffice/external/{session}",
        {"signature_cms": _cms(tbs, forged_cert, forged_key, demo.directory / "ca.crt", tmp_path)},
        content_type="application/json",
    )
    assert forged.status_code in (400, 409, 422), forged.content
    assert forged.json()["code"] == "signature_key_mismatch"
    document = Document.objects.get(pk=draft.pk)
    assert document.state == State.APPROVED
    assert document.files.get(role="main").sha256 == original
    # Someone else cannot finish the leader's session.
    other = Client()
    other.force_login(office.clerk)
    stolen = other.post(
        f"/api/v1/eoffice/external/{session}",
        {"signature_cms": base64.b64encode(b"x").decode()},
        content_type="application/json",
    )
    assert stolen.status_code == 404 and stolen.json()["code"] == "session_not_found"

    real = client.post(
        f"/api/v1/eoffice/external/{session}",
        {
            "signature_cms": _cms(
                tbs,
                demo.officer_cert("pho-chu-tich"),
                demo.officer_key("pho-chu-tich"),
                demo.directory / "ca.crt",
                tmp_path,
            )
        },
        content_type="application/json",
    )
    assert real.status_code == 200, real.content
    document = Document.objects.get(pk=draft.pk)
    assert document.state == State.SIGNED
    main = document.files.get(role="main")
    assert main.signed and main.sha256 != original
    with main.file.open("rb") as handle:
        report = validation.validate_pdf(handle.read())
    (sig,) = report.signatures
    assert sig.intact and sig.signature_valid and sig.indication == validation.PASSED
    assert "Trần Thị Lan" in sig.signer.subject
    assert ExternalSigning.objects.get(token=session).finished_at is not None
    again = client.post(
        f"/api/v1/eoffice/external/{session}",
        {"signature_cms": base64.b64encode(b"x").decode()},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "session_finished"

    issued = services.document_issue(actor=office.clerk, document_id=draft.pk)
    assert issued.state == State.ISSUED and issued.register_number == 1
    assert issued.code_number == "01" and issued.code_notation.endswith("UBND-VP")
