"""The agencies' XML-DSig seals: the key and certificate an agency signs its edXML packages
with, and the trust anchors incoming packages are verified against.

Files in ``CONGSO_EOFFICE_SEALS_DIR``: ``<OrganId>.key.pem`` (PKCS#8, unencrypted; protect the
directory) and ``<OrganId>.crt.pem`` (leaf first, then intermediates). The certificate names the
agency in a subject alternative name ``urn:qcvn102:<OrganId>``; a package whose signing
certificate does not name its ``From`` agency is refused. Trust anchors:
``CONGSO_EOFFICE_TRUST_ANCHORS`` (a PEM bundle). :func:`issue_demo_seals` makes a local CA and
seals for the demo and the tests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from congso.core.errors import DomainError
from congso.eoffice.edxml import SAN_PREFIX, Seal


def seal_for(organ_id: str) -> Seal:
    directory = Path(settings.EOFFICE_SEALS_DIR)
    key_path = directory / f"{organ_id}.key.pem"
    cert_path = directory / f"{organ_id}.crt.pem"
    if not key_path.exists() or not cert_path.exists():
        raise DomainError(
            "no_seal",
            f"Cơ quan {organ_id} chưa có chứng thư số để ký gói tin liên thông.",
            status=503,
        )
    # Loading an RSA key checks it (about 40 ms on the bench machine, more under load), once
    # per package without this: the seal is kept while its files are unchanged.
    stamp = (str(key_path), key_path.stat().st_mtime_ns, cert_path.stat().st_mtime_ns)
    cached = _LOADED.get(stamp)
    if cached is not None:
        return cached
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DomainError("no_seal", f"Khóa ký gói tin của cơ quan {organ_id} không phải RSA.")
    chain = tuple(x509.load_pem_x509_certificates(cert_path.read_bytes()))
    if len(_LOADED) >= 512:
        _LOADED.clear()
    _LOADED[stamp] = seal = Seal(key=key, chain=chain)
    return seal


#: The seals loaded, by (key file, its mtime, the certificate's mtime).
_LOADED: dict[tuple[str, int, int], Seal] = {}


def trust_anchors() -> str:
    path = str(settings.EOFFICE_TRUST_ANCHORS)
    if not path or not Path(path).exists():
        raise DomainError(
            "no_trust_anchors", "Chưa cấu hình chứng thư gốc để kiểm tra gói tin.", status=503
        )
    return path


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def issue_demo_seals(directory: Path, organ_ids: Iterable[str], *, ca_name: str = "") -> Path:
    """A demo CA (``ca.pem``) and a seal per organ id in ``directory``; returns the CA file.
    Reuses the CA already there. DEMO ONLY: the keys are unencrypted."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key_path, ca_path = directory / "ca.key.pem", directory / "ca.pem"
    if ca_path.exists():
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        assert isinstance(ca_key, rsa.RSAPrivateKey)
    else:
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, ca_name or "congso demo e-office CA")]
        )
        ca = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        ca_key_path.write_bytes(_pem(ca_key))
        ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for organ_id in organ_ids:
        if (directory / f"{organ_id}.crt.pem").exists():
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, organ_id)]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=730))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.UniformResourceIdentifier(SAN_PREFIX + organ_id)]
                ),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        (directory / f"{organ_id}.key.pem").write_bytes(_pem(key))
        (directory / f"{organ_id}.crt.pem").write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
        )
    return ca_path
