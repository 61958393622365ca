"""The demo government PKI: a root CA, an issuing (intermediate) CA, officers' certificates, an
OCSP responder, CRLs and a time-stamping authority (RFC 3161), all built with ``cryptography``.

:func:`generate` writes everything into one folder (``CONGSO_SIGNING_DEMO_PKI_DIR``)::

    root.crt  root.key          trust anchor ("CA Chính phủ thử nghiệm")
    ca.crt    ca.key            issuing CA of the officers, OCSP responder and TSA
    ocsp.crt  ocsp.key          OCSP responder (id-kp-OCSPSigning, ocsp-nocheck)
    tsa.crt   tsa.key           time-stamping unit (id-kp-timeStamping, critical)
    officers/<name>.p12         officer key + certificate + chain (PKCS#12, demo passphrase)
    officers/<name>.crt/.key    the same as PEM (the PKCS#11 and external-signing tests use them)
    revoked.json                serial → revocation time (read on every OCSP/CRL request)
    pki.json                    base URL the certificates point to, names and serials

Certificates name ``<base URL>/ocsp`` (AIA) and ``<base URL>/crl/<ca>.crl`` (CRL distribution
point), so the services must run at that URL (``manage.py signing_services``; the tests start
them in a thread). The PKI is for demonstrations and tests only: a deployment trusts its real CA
chain (``CONGSO_SIGNING_TRUST_ROOTS``) and never these files.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

#: Passphrase of the demo PKCS#12 files (demo only; real tokens never share one).
DEMO_PASSPHRASE = "congso-demo"  # noqa: S105 (demo PKI only)

#: The demo officers: file name → (full name, title, agency, validity in days, starts days ago).
OFFICERS: dict[str, tuple[str, str, str, int, int]] = {
    "chu-tich": ("Nguyễn Văn Bình", "Chủ tịch", "Ủy ban nhân dân xã Tịnh Khê", 1095, 1),
    "pho-chu-tich": ("Trần Thị Lan", "Phó Chủ tịch", "Ủy ban nhân dân xã Tịnh Khê", 1095, 1),
    "van-thu": ("Lê Thị Mai", "Văn thư", "Ủy ban nhân dân xã Tịnh Khê", 1095, 1),
    "thu-hoi": (
        "Phạm Văn Hùng",
        "Công chức tư pháp - hộ tịch",
        "Ủy ban nhân dân xã Tịnh Khê",
        1095,
        1,
    ),
}

_ONE_DAY = datetime.timedelta(days=1)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _name(common_name: str, organisation: str, title: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class _Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def _issue(
    *,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: _Issued | None,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    ca: bool = False,
    eku: list[x509.ObjectIdentifier] | None = None,
    eku_critical: bool = False,
    base_url: str = "",
    crl_name: str = "",
    ocsp: bool = False,
    ocsp_nocheck: bool = False,
) -> _Issued:
    issuer_name = issuer.cert.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    else:
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    builder = builder.add_extension(usage, critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=eku_critical)
    if crl_name:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(f"{base_url}/crl/{crl_name}.crl")],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp:
        access = x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.OCSP,
            x509.UniformResourceIdentifier(f"{base_url}/ocsp"),
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    if ocsp_nocheck:
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    cert = builder.sign(signing_key, hashes.SHA256())
    return _Issued(cert=cert, key=key)


def _write(directory: Path, name: str, issued: _Issued) -> None:
    (directory / f"{name}.crt").write_bytes(_pem_cert(issued.cert))
    key_file = directory / f"{name}.key"
    key_file.write_bytes(_pem_key(issued.key))
    key_file.chmod(0o600)


def generate(directory: Path, *, base_url: str) -> dict[str, Any]:
    """Create the demo PKI in ``directory`` (replacing one already there) and return its summary."""
    base_url = base_url.rstrip("/")
    directory.mkdir(parents=True, exist_ok=True)
    officers_dir = directory / "officers"
    officers_dir.mkdir(exist_ok=True)
    now = _now()
    org = "Ban Cơ yếu Chính phủ (thử nghiệm Công Sở)"
    root = _issue(
        subject=_name("CA Chính phủ thử nghiệm - Gốc", org),
        key=_key(),
        issuer=None,
        not_before=now - 30 * _ONE_DAY,
        not_after=now + 3650 * _ONE_DAY,
        ca=True,
    )
    ca = _issue(
        subject=_name("CA Chính phủ thử nghiệm - Cấp cho cơ quan nhà nước", org),
        key=_key(),
        issuer=root,
        not_before=now - 30 * _ONE_DAY,
        not_after=now + 3000 * _ONE_DAY,
        ca=True,
        base_url=base_url,
        crl_name="root",
    )
    responder = _issue(
        subject=_name("Dịch vụ OCSP thử nghiệm", org),
        key=_key(),
        issuer=ca,
        not_before=now - 30 * _ONE_DAY,
        not_after=now + 1000 * _ONE_DAY,
        eku=[ExtendedKeyUsageOID.OCSP_SIGNING],
        ocsp_nocheck=True,
    )
    tsa = _issue(
        subject=_name("Dịch vụ cấp dấu thời gian thử nghiệm", org),
        key=_key(),
        issuer=ca,
        not_before=now - 30 * _ONE_DAY,
        not_after=now + 1000 * _ONE_DAY,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        eku_critical=True,
        base_url=base_url,
        crl_name="ca",
        ocsp=True,
    )
    for name, issued in (("root", root), ("ca", ca), ("ocsp", responder), ("tsa", tsa)):
        _write(directory, name, issued)
    officers: dict[str, dict[str, str]] = {}
    for file_name, (full_name, title, agency, days, starts) in OFFICERS.items():
        issued = _issue(
            subject=_name(full_name, agency, title),
            key=_key(),
            issuer=ca,
            not_before=now - starts * _ONE_DAY,
            not_after=now - starts * _ONE_DAY + days * _ONE_DAY,
            eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION],
            base_url=base_url,
            crl_name="ca",
            ocsp=True,
        )
        _write(officers_dir, file_name, issued)
        bundle = pkcs12.serialize_key_and_certificates(
            name=file_name.encode(),
            key=issued.key,
            cert=issued.cert,
            cas=[ca.cert, root.cert],
            encryption_algorithm=serialization.BestAvailableEncryption(DEMO_PASSPHRASE.encode()),
        )
        p12 = officers_dir / f"{file_name}.p12"
        p12.write_bytes(bundle)
        p12.chmod(0o600)
        officers[file_name] = {
            "name": full_name,
            "title": title,
            "agency": agency,
            "serial": str(issued.cert.serial_number),
            "not_after": issued.cert.not_valid_after_utc.isoformat(),
        }
    (directory / "revoked.json").write_text("{}\n", encoding="utf-8")
    summary = {"base_url": base_url, "created_at": now.isoformat(), "officers": officers}
    (directory / "pki.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return summary


class DemoTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA with its RSA key parsed once (the stock one parses it for every
    token, which would dominate the cost of a B-T signature in the demo)."""

    def __init__(self, *, key: rsa.RSAPrivateKey, **kwargs: Any):
        super().__init__(**kwargs)
        self._key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashlib.new(md_algorithm, tst_info_data).digest()
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute("message_digest", digest),
            ]
        )
        algorithms: dict[str, hashes.HashAlgorithm] = {
            "sha256": hashes.SHA256(),
            "sha384": hashes.SHA384(),
            "sha512": hashes.SHA512(),
        }
        signature = self._key.sign(
            signed_attrs.dump(), padding.PKCS1v15(), algorithms[md_algorithm.lower()]
        )
        return signature, signed_attrs


# --- Reading the PKI -----------------------------------------------------------------------------


class DemoPKI:
    """The files of a generated demo PKI, and the answers its services give."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        if not (self.directory / "pki.json").is_file():
            raise FileNotFoundError(
                f"No demo PKI in {self.directory}: run `manage.py signing_demo_pki` first."
            )
        self.summary: dict[str, Any] = json.loads(
            (self.directory / "pki.json").read_text(encoding="utf-8")
        )
        self.base_url: str = self.summary["base_url"]
        self._lock = threading.Lock()
        self.root = self._load("root")
        self.ca = self._load("ca")
        self.responder = self._load("ocsp")
        self.tsa = self._load("tsa")
        self._timestamper: DemoTimeStamper | None = None

    def _load(self, name: str, folder: Path | None = None) -> _Issued:
        base = folder or self.directory
        cert = x509.load_pem_x509_certificate((base / f"{name}.crt").read_bytes())
        key = serialization.load_pem_private_key((base / f"{name}.key").read_bytes(), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return _Issued(cert=cert, key=key)

    def officer_p12(self, name: str) -> Path:
        return self.directory / "officers" / f"{name}.p12"

    def officer_cert(self, name: str) -> Path:
        return self.directory / "officers" / f"{name}.crt"

    def officer_key(self, name: str) -> Path:
        return self.directory / "officers" / f"{name}.key"

    def officer(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.officer_cert(name).read_bytes())

    def issue_officer(
        self,
        name: str,
        *,
        full_name: str,
        title: str,
        agency: str,
        not_after: datetime.datetime,
    ) -> Path:
        """Issue one more officer certificate (e.g. a short-lived one) and return its PKCS#12."""
        officers_dir = self.directory / "officers"
        issued = _issue(
            subject=_name(full_name, agency, title),
            key=_key(),
            issuer=self.ca,
            not_before=_now() - datetime.timedelta(minutes=5),
            not_after=not_after,
            eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION],
            base_url=self.base_url,
            crl_name="ca",
            ocsp=True,
        )
        _write(officers_dir, name, issued)
        bundle = pkcs12.serialize_key_and_certificates(
            name=name.encode(),
            key=issued.key,
            cert=issued.cert,
            cas=[self.ca.cert, self.root.cert],
            encryption_algorithm=serialization.BestAvailableEncryption(DEMO_PASSPHRASE.encode()),
        )
        path = officers_dir / f"{name}.p12"
        path.write_bytes(bundle)
        path.chmod(0o600)
        return path

    # --- revocation ---

    def _revoked(self) -> dict[str, str]:
        path = self.directory / "revoked.json"
        data: dict[str, str] = json.loads(path.read_text(encoding="utf-8") or "{}")
        return data

    def revoke(self, name: str, *, at: datetime.datetime | None = None) -> None:
        """Revoke an officer's certificate (key compromise) from ``at`` (default: now)."""
        serial = str(self.officer(name).serial_number)
        with self._lock:
            revoked = self._revoked()
            revoked[serial] = (at or _now()).isoformat()
            (self.directory / "revoked.json").write_text(json.dumps(revoked) + "\n")

    def crl(self, ca_name: str) -> bytes:
        """A fresh DER CRL of ``root`` (revoking nothing) or ``ca`` (the revoked officers)."""
        issuer = self.root if ca_name == "root" else self.ca
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.cert.subject)
            .last_update(now - datetime.timedelta(minutes=1))
            .next_update(now + _ONE_DAY)
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                critical=False,
            )
        )
        if ca_name == "ca":
            for serial, when in self._revoked().items():
                entry = (
                    x509.RevokedCertificateBuilder()
                    .serial_number(int(serial))
                    .revocation_date(datetime.datetime.fromisoformat(when))
                    .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
                    .build()
                )
                builder = builder.add_revoked_certificate(entry)
        return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp_response(self, request_der: bytes) -> bytes:
        """Answer an OCSP request about a certificate issued by the issuing CA."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        serial = request.serial_number
        now = _now()
        revoked = self._revoked().get(str(serial))
        status = ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD
        # The OCSP builder needs the certificate; look the serial up among the issued files.
        subject = self._issued_by_serial(serial)
        if subject is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=subject,
                issuer=self.ca.cert,
                algorithm=request.hash_algorithm,
                cert_status=status,
                this_update=now - datetime.timedelta(seconds=30),
                next_update=now + datetime.timedelta(hours=12),
                revocation_time=datetime.datetime.fromisoformat(revoked) if revoked else None,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder.cert)
            .certificates([self.responder.cert])
        )
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = builder.sign(self.responder.key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)

    def _issued_by_serial(self, serial: int) -> x509.Certificate | None:
        candidates = [self.tsa.cert, self.responder.cert]
        candidates += [
            x509.load_pem_x509_certificate(path.read_bytes())
            for folder in ("officers", "tsa-old")
            for path in sorted((self.directory / folder).glob("*.crt"))
        ]
        return next((cert for cert in candidates if cert.serial_number == serial), None)

    # --- time-stamps ---

    def renew_tsa(self, *, not_after: datetime.datetime) -> x509.Certificate:
        """A new key and certificate for the TSA (the old certificate is kept in ``tsa-old/``
        and still answered by OCSP): what a real TSA does before its certificate ends, and
        what makes an archival re-time-stamp worth it (PAdES-LTA, ``signing_retimestamp``)."""
        old = self.directory / "tsa-old"
        old.mkdir(exist_ok=True)
        (old / f"{self.tsa.cert.serial_number:x}.crt").write_bytes(_pem_cert(self.tsa.cert))
        renewed = _issue(
            subject=self.tsa.cert.subject,
            key=_key(),
            issuer=self.ca,
            not_before=_now() - datetime.timedelta(minutes=5),
            not_after=not_after,
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            eku_critical=True,
            base_url=self.base_url,
            crl_name="ca",
            ocsp=True,
        )
        with self._lock:
            _write(self.directory, "tsa", renewed)
            self.tsa = renewed
            self._timestamper = None
        return renewed.cert

    def timestamper(self) -> DemoTimeStamper:
        """The TSA signing locally (pyHanko's in-process time-stamper with the demo TSA key),
        built once: its key is parsed on construction."""
        if self._timestamper is None:
            self._timestamper = self._build_timestamper()
        return self._timestamper

    def _build_timestamper(self) -> DemoTimeStamper:
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
            return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

        key_der = self.tsa.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return DemoTimeStamper(
            key=self.tsa.key,
            tsa_cert=asn1(self.tsa.cert),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
            certs_to_embed=SimpleCertificateStore.from_certs([asn1(self.ca.cert)]),
        )

    def timestamp_response(self, request_der: bytes) -> bytes:
        request = tsp.TimeStampReq.load(request_der)
        with self._lock:
            response = self.timestamper().request_tsa_response(request)
        return bytes(response.dump())


# --- Serving OCSP, CRLs and the TSA on loopback -------------------------------------------------


def make_server(pki: DemoPKI, *, host: str = "", port: int | None = None) -> ThreadingHTTPServer:
    """An HTTP server for ``/ocsp`` (POST), ``/tsa`` (POST), ``/crl/<ca>.crl`` and
    ``/certs/<ca>.crt`` (GET), bound to the host and port of the PKI's base URL."""
    parts = urlsplit(pki.base_url)
    bind_host = host or parts.hostname or "127.0.0.1"
    bind_port = (parts.port or 80) if port is None else port

    class Handler(BaseHTTPRequestHandler):
        server_version = "CongSoDemoPKI/1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/crl/root.crl", "/crl/ca.crl"):
                self._send(pki.crl(path[5:-4]), "application/pkix-crl")
            elif path in ("/certs/root.crt", "/certs/ca.crt"):
                cert = pki.root.cert if path == "/certs/root.crt" else pki.ca.cert
                self._send(cert.public_bytes(serialization.Encoding.DER), "application/pkix-cert")
            else:
                self._send(b"not found", "text/plain", 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path == "/ocsp":
                self._send(pki.ocsp_response(body), "application/ocsp-response")
            elif self.path == "/tsa":
                try:
                    answer = pki.timestamp_response(body)
                except ValueError:
                    self._send(b"bad request", "text/plain", 400)
                    return
                self._send(answer, "application/timestamp-reply")
            else:
                self._send(b"not found", "text/plain", 404)

    server = ThreadingHTTPServer((bind_host, bind_port), Handler)
    server.daemon_threads = True
    return server


def serve_in_thread(pki: DemoPKI) -> ThreadingHTTPServer:
    """Start the services in a daemon thread (tests and the embedded demo); ``shutdown()`` stops."""
    server = make_server(pki)
    thread = threading.Thread(target=server.serve_forever, name="congso-demo-pki", daemon=True)
    thread.start()
    return server
