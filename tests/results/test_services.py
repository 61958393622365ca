"""Signed results through the services, the API and the public page: render, certify, approve,
store with SHA-256, audit; external signing with `openssl cms` (a key the server never sees);
PKCS#11 on SoftHSM2."""

from __future__ import annotations

import base64
import datetime
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from congso.audit.models import AuditEvent
from congso.core.errors import Conflict, PermissionDenied
from congso.dossiers.models import Dossier
from congso.org.models import Role, RoleAssignment
from congso.results import services
from congso.results.models import ExternalSigningSession, ResultStatus, ResultTemplate, SignedResult
from congso.signing import pki, signers, validation
from congso.signing.models import SignatureRole, SignerProfile
from congso.signing.validation import PASSED
from tests.dossiers.conftest import Clock, World, at, to_processing

pytestmark = pytest.mark.django_db


def _profile(world: World, user: Any, officer: str, role: str, **extra: Any) -> SignerProfile:
    params: dict[str, Any] = {
        "user": user,
        "agency": world.commune_a,
        "role": role,
        "display_name": {"chu-tich": "Nguyễn Văn Bình", "van-thu": "Lê Thị Mai"}.get(
            officer, officer
        ),
        "title": "Chủ tịch" if role == SignatureRole.APPROVAL else "Văn thư",
        "backend": "soft_token",
        "config": {"p12_path": f"officers/{officer}.p12"},
    }
    params.update(extra)
    return SignerProfile.objects.create(**params)


@pytest.fixture
def dossier(world: World, clock: Clock) -> Dossier:
    ResultTemplate.objects.create(
        procedure=world.procedure,
        kind="birth_extract",
        title="Trích lục khai sinh",
        level="B-T",
        signature_roles=["approval", "seal"],
        legal_basis="Luật Hộ tịch năm 2014",
    )
    dossier = to_processing(world, clock, at(2026, 1, 5, 8))
    clock.set(datetime.datetime.now(datetime.UTC))
    return dossier


@pytest.fixture
def clerk(world: World) -> Any:
    from congso.accounts.models import User

    user = User.objects.create_user(username="vanthu.a", password="x", full_name="Lê Thị Mai")
    RoleAssignment.objects.create(
        user=user, role=Role.CLERK, agency=world.commune_a, valid_from=datetime.date(2020, 1, 1)
    )
    return user


def test_certify_then_approve_with_precreated_fields(
    world: World, dossier: Dossier, clerk: Any
) -> None:
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    assert result.code == f"{dossier.code}-KQ(1)"
    assert result.roles == ["approval", "seal"]
    leader = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    seal = _profile(world, clerk, "van-thu", SignatureRole.SEAL)
    with pytest.raises(Conflict):
        services.result_sign(actor=clerk, result=result, profile=seal)  # not the seal's turn yet
    first = services.result_sign(actor=world.leader_a, result=result, profile=leader)
    assert first.certify is True
    second = services.result_sign(actor=clerk, result=result, profile=seal)
    assert second.certify is False
    result.refresh_from_db()
    assert result.status == ResultStatus.SIGNED
    data = services.result_bytes(result)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == result.sha256 == second.sha256_after
    report = validation.validate_pdf(data)
    assert report.indication == PASSED, [s.messages for s in report.signatures]
    assert [s.field_name for s in report.signatures] == ["Sig1_approval", "Sig2_seal"]
    assert report.signatures[0].certification == "FILL_FORMS"
    assert all(s.level == "B-T" for s in report.signatures)
    actions = list(
        AuditEvent.objects.filter(action__startswith="signing.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["signing.result.prepare", "signing.result.sign", "signing.result.sign"]
    with pytest.raises(Conflict):
        services.result_sign(actor=world.leader_a, result=result, profile=leader)

    # A field added after the certification signature is reported as a modification.
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Sig3_added", on_page=0, box=(10, 10, 60, 40))
    )
    out = io.BytesIO()
    writer.write(out)
    tampered = validation.validate_pdf(out.getvalue())
    assert tampered.signatures[0].modified_after_signing is True
    assert tampered.indication != PASSED


def test_only_the_key_holder_signs(world: World, dossier: Dossier) -> None:
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    leader = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    with pytest.raises(PermissionDenied):
        services.result_sign(actor=world.specialist_a, result=result, profile=leader)
    with pytest.raises(PermissionDenied):
        services.result_prepare(actor=world.citizen_user, dossier=dossier)


def test_api_validate_public_page_and_download(world: World, dossier: Dossier, clerk: Any) -> None:
    ResultTemplate.objects.filter(procedure=world.procedure).update(signature_roles=["approval"])
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    leader = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    services.result_sign(actor=world.leader_a, result=result, profile=leader)
    result.refresh_from_db()
    data = services.result_bytes(result)

    client = Client()
    response = client.post("/api/v1/signatures/validate", {"file": io.BytesIO(data)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["indication"] == PASSED
    assert body["signatures"][0]["signer"]["common_name"] == "Nguyễn Văn Bình"
    assert body["signatures"][0]["level"] == "B-T"
    bad = client.post("/api/v1/signatures/validate", {"file": io.BytesIO(b"not a pdf")})
    assert bad.status_code == 422 and bad.json()["code"] == "not_pdf"

    page = client.get(f"/xac-thuc/{result.public_token}/")
    assert page.status_code == 200
    assert "Hợp lệ" in page.content.decode() and result.code in page.content.decode()
    copy = client.post(f"/xac-thuc/{result.public_token}/", {"file": io.BytesIO(data)})
    assert "trùng khớp" in copy.content.decode()
    upload = client.post("/xac-thuc/", {"file": io.BytesIO(data)})
    assert upload.status_code == 200 and "Nguyễn Văn Bình" in upload.content.decode()

    client.force_login(world.citizen_user)
    # Not released to the applicant while the dossier is still being processed.
    early = client.get(f"/api/v1/signatures/results/{result.code}/file")
    assert early.status_code == 404 and early.json()["code"] == "result_not_found"
    from congso.dossiers import services as dossier_services

    dossier = dossier_services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    dossier_services.dossier_complete(
        actor=world.leader_a,
        dossier=dossier,
        result_summary="Đã đăng ký khai sinh, cấp Trích lục khai sinh (bản điện tử).",
    )
    download = client.get(f"/api/v1/signatures/results/{result.code}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]
    client.force_login(world.other_user)
    assert client.get(f"/api/v1/signatures/results/{result.code}").status_code == 404


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_external_signing_round_trip_with_openssl(
    world: World, dossier: Dossier, signing_settings: pki.DemoPKI, tmp_path: Path, settings: Any
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    ResultTemplate.objects.filter(procedure=world.procedure).update(signature_roles=["approval"])
    demo = signing_settings
    # The key stays in a folder the server never reads; the server only knows the certificate.
    chain = b"".join(
        path.read_bytes() for path in (demo.officer_cert("pho-chu-tich"), demo.directory / "ca.crt")
    )
    profile = _profile(
        world,
        world.leader_a,
        "pho-chu-tich",
        SignatureRole.APPROVAL,
        backend="external",
        config={},
        certificate_pem=chain.decode(),
        display_name="Trần Thị Lan",
        authority_prefix="KT.",
        on_behalf_of="Chủ tịch",
        title="Phó Chủ tịch",
    )
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    client = Client()
    client.force_login(world.leader_a)
    started = client.post(
        f"/api/v1/signatures/results/{result.code}/external",
        {"profile_id": profile.pk},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    tbs = tmp_path / "tbs.bin"
    tbs.write_bytes(base64.b64decode(started.json()["to_be_signed"]))
    signature = tmp_path / "sig.der"
    subprocess.run(
        [
            "openssl",
            "cms",
            "-sign",
            "-binary",
            "-cades",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-in",
            str(tbs),
            "-out",
            str(signature),
            "-signer",
            str(demo.officer_cert("pho-chu-tich")),
            "-inkey",
            str(demo.officer_key("pho-chu-tich")),
            "-certfile",
            str(demo.directory / "ca.crt"),
        ],
        check=True,
        capture_output=True,
    )
    finished = client.post(
        f"/api/v1/signatures/external/{started.json()['session']}",
        {"signature_cms": base64.b64encode(signature.read_bytes()).decode()},
        content_type="application/json",
    )
    assert finished.status_code == 200, finished.content
    assert finished.json()["status"] == "signed"
    result.refresh_from_db()
    report = validation.validate_pdf(services.result_bytes(result))
    assert report.indication == PASSED, report.signatures[0].messages
    assert report.signatures[0].signer.common_name == "Trần Thị Lan"
    # The same CMS cannot be replayed into another prepared document.
    again = client.post(
        f"/api/v1/signatures/external/{started.json()['session']}",
        {"signature_cms": base64.b64encode(signature.read_bytes()).decode()},
        content_type="application/json",
    )
    assert again.status_code == 409


SOFTHSM = next(
    (
        p
        for p in (
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        )
        if os.path.exists(p)
    ),
    None,
)


@pytest.mark.skipif(
    SOFTHSM is None or shutil.which("softhsm2-util") is None, reason="softhsm2 not installed"
)
def test_pkcs11_signing_on_softhsm(
    world: World,
    dossier: Dossier,
    signing_settings: pki.DemoPKI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ResultTemplate.objects.filter(procedure=world.procedure).update(signature_roles=["approval"])
    demo = signing_settings
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "congso",
            "--so-pin",
            "5678",
            "--pin",
            "1234",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(demo.officer_key("chu-tich")),
            "--token",
            "congso",
            "--label",
            "chu-tich",
            "--id",
            "01",
            "--pin",
            "1234",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    monkeypatch.setenv("CONGSO_SIGNING_PKCS11_PIN", "1234")
    chain = demo.officer_cert("chu-tich").read_bytes() + (demo.directory / "ca.crt").read_bytes()
    profile = _profile(
        world,
        world.leader_a,
        "chu-tich",
        SignatureRole.APPROVAL,
        backend="pkcs11",
        config={"module": SOFTHSM, "token_label": "congso", "key_label": "chu-tich"},
        certificate_pem=chain.decode(),
    )
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    try:
        services.result_sign(actor=world.leader_a, result=result, profile=profile)
    finally:
        signers.clear_caches()
    result.refresh_from_db()
    report = validation.validate_pdf(services.result_bytes(result))
    assert report.indication == PASSED, report.signatures[0].messages
    assert report.signatures[0].level == "B-T"
    assert SignedResult.objects.get(pk=result.pk).status == ResultStatus.SIGNED


def _forged_copy(real: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A self-made certificate copying the real one's subject, issuer and serial number, with
    a key of its own (what an attacker can make without the CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    original = x509.load_pem_x509_certificate(real.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = (
        x509.CertificateBuilder()
        .subject_name(original.subject)
        .issuer_name(original.issuer)
        .public_key(key.public_key())
        .serial_number(original.serial_number)
        .not_valid_before(original.not_valid_before_utc)
        .not_valid_after(original.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "forged.crt", tmp_path / "forged.key"
    cert_path.write_bytes(forged.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _openssl_cms(tbs: bytes, cert: Path, key: Path, chain: Path, tmp_path: Path) -> str:
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


def _start_external(world: World, dossier: Dossier, officer: str, demo: pki.DemoPKI) -> tuple:
    ResultTemplate.objects.filter(procedure=world.procedure).update(signature_roles=["approval"])
    chain = b"".join(
        path.read_bytes() for path in (demo.officer_cert(officer), demo.directory / "ca.crt")
    )
    profile = _profile(
        world,
        world.leader_a,
        officer,
        SignatureRole.APPROVAL,
        backend="external",
        config={},
        certificate_pem=chain.decode(),
    )
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    client = Client()
    client.force_login(world.leader_a)
    started = client.post(
        f"/api/v1/signatures/results/{result.code}/external",
        {"profile_id": profile.pk},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    return client, result, started.json()


def _nothing_recorded(result: SignedResult) -> None:
    result.refresh_from_db()
    assert result.signatures.count() == 0
    assert result.status != ResultStatus.SIGNED
    assert not AuditEvent.objects.filter(action="signing.result.sign").exists()
    assert not ExternalSigningSession.objects.filter(
        result=result, finished_at__isnull=False
    ).exists()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_external_signature_with_a_forged_certificate_is_refused(
    world: World, dossier: Dossier, signing_settings: pki.DemoPKI, tmp_path: Path, settings: Any
) -> None:
    """issue 13 item 1: the serial number alone used to be compared."""
    settings.OFFICER_2FA_REQUIRED = False
    demo = signing_settings
    client, result, started = _start_external(world, dossier, "pho-chu-tich", demo)
    tbs = base64.b64decode(started["to_be_signed"])
    forged_cert, forged_key = _forged_copy(demo.officer_cert("pho-chu-tich"), tmp_path)
    cms_b64 = _openssl_cms(tbs, forged_cert, forged_key, demo.directory / "ca.crt", tmp_path)
    url = f"/api/v1/signatures/external/{started['session']}"
    refused = client.post(url, {"signature_cms": cms_b64}, content_type="application/json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "signature_key_mismatch"
    _nothing_recorded(result)
    # The real enrolled key on the same session is still accepted.
    real = _openssl_cms(
        tbs,
        demo.officer_cert("pho-chu-tich"),
        demo.officer_key("pho-chu-tich"),
        demo.directory / "ca.crt",
        tmp_path,
    )
    accepted = client.post(url, {"signature_cms": real}, content_type="application/json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "signed"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_external_signature_with_a_revoked_or_untrusted_certificate_is_refused(
    world: World, dossier: Dossier, signing_settings: pki.DemoPKI, tmp_path: Path, settings: Any
) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    demo = signing_settings
    demo.issue_officer(
        "bi-thu-hoi",
        full_name="Trần Thị Lan",
        title="Phó Chủ tịch",
        agency="UBND xã Tịnh Khê",
        not_after=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30),
    )
    client, result, started = _start_external(world, dossier, "bi-thu-hoi", demo)
    demo.revoke("bi-thu-hoi")
    cms_b64 = _openssl_cms(
        base64.b64decode(started["to_be_signed"]),
        demo.officer_cert("bi-thu-hoi"),
        demo.officer_key("bi-thu-hoi"),
        demo.directory / "ca.crt",
        tmp_path,
    )
    url = f"/api/v1/signatures/external/{started['session']}"
    refused = client.post(url, {"signature_cms": cms_b64}, content_type="application/json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "certificate_revoked"
    _nothing_recorded(result)
    # A root the server does not trust: the same key and certificate are refused too.
    settings.SIGNING_TRUST_ROOTS = [str(demo.officer_cert("chu-tich"))]
    again = client.post(url, {"signature_cms": cms_b64}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "certificate_untrusted"
