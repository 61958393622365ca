"""The signing services any document uses: sign these PDF bytes with this officer's key into
this field, or prepare them for a signature made outside the server and finish it; the
time-stamp authority; the public address of a stored document's verification page.

Signing knows no dossier and stores no document: the app that owns a document (the e-results of
dossiers, :mod:`congso.results.services`; the e-office's papers later) keeps the file, decides
whose turn it is, records the signature and audits it. These functions write nothing; they
return the signed bytes and what the signature was made with (:class:`Signed`), or a Vietnamese
:class:`~congso.core.errors.DomainError` — the caller's stored file stays as it was.

A document that will carry several signatures is created with all its fields
(:func:`add_fields`) before the first one, so the first signature can certify the document
(DocMDP "fill forms") and the later ones sign pre-created fields without breaking it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pyhanko.sign.timestamps import TimestampRequestError

from congso.core.errors import DomainError, PermissionDenied
from congso.signing import pades, signers, stamps, validation
from congso.signing.models import Level, SignatureRole, SignerProfile


def verify_url(public_token: str) -> str:
    """The public verification page of a stored document (the QR code on it opens this)."""
    path = reverse("signing:verify-result", kwargs={"token": public_token})
    return settings.SIGNING_PUBLIC_URL.rstrip("/") + path


def timestamper() -> pades.UrlTimeStamper:
    url = settings.SIGNING_TSA_URL or settings.SIGNING_DEMO_PKI_URL.rstrip("/") + "/tsa"
    return pades.UrlTimeStamper(url)


def add_fields(pdf: bytes, boxes: dict[str, tuple[int, int, int, int]]) -> bytes:
    """The document with every (empty) signature field it will need, on its first page."""
    return pades.add_fields(pdf, boxes)


def field_names(pdf: bytes) -> set[str]:
    """The signature fields the document has (empty or signed)."""
    return pades.field_names(pdf)


@dataclass(frozen=True)
class Signed:
    """A signature just made: the new file and the certificate that made it."""

    pdf: bytes
    certificate: asn1_x509.Certificate
    field_name: str
    level: str
    certify: bool

    @property
    def info(self) -> validation.CertificateInfo:
        return validation.cert_info(self.certificate)


def profile_stamp(
    profile: SignerProfile, *, extra: tuple[str, ...] = (), moment: Any = None, url: str = ""
) -> stamps.StampText:
    """The Vietnamese stamp of a profile's signature: the officer (name, title with KT./TL./
    TUQ.) or, for the agency's seal, the agency; ``extra`` lines (a number and date); ``url``:
    a QR code of it on the stamp (the document's verification page)."""
    title = profile.title
    if profile.authority_prefix:
        title = f"{profile.authority_prefix} {profile.on_behalf_of} – {title}".strip(" –")
    seal = profile.role == SignatureRole.SEAL
    return stamps.StampText(
        signer=profile.display_name,
        title="" if seal else title,
        agency=profile.agency.name,
        moment=moment or timezone.now(),
        heading="Chữ ký số của cơ quan" if seal else "",
        extra=extra,
        url=url,
    )


def check_signer(actor: Any, profile: SignerProfile) -> None:
    """Only the holder of an active profile signs with it."""
    if profile.user_id != getattr(actor, "pk", None) or not profile.active:
        raise PermissionDenied("not_your_key", "Chỉ người được cấp chữ ký số này mới ký được.")


def signing_error(exc: BaseException) -> DomainError:
    """A Vietnamese error for a failed signature or time-stamp; the stored document is left
    unchanged."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimestampRequestError):
            return DomainError(
                "tsa_unavailable",
                "Không lấy được dấu thời gian từ dịch vụ cấp dấu thời gian (TSA) nên chưa ký "
                "được. Văn bản vẫn giữ nguyên; hãy thử ký lại sau ít phút.",
                status=502,
            )
        seen = seen.__cause__ or seen.__context__
    return DomainError(
        "signing_failed",
        f"Không ký được văn bản; văn bản vẫn giữ nguyên (chi tiết kỹ thuật: {exc}).",
        status=502,
    )


def sign_pdf(
    pdf: bytes,
    *,
    profile: SignerProfile,
    field_name: str,
    level: str,
    certify: bool,
    stamp_pdf: bytes | None = None,
    reason: str,
    stamp: stamps.StampText | None = None,
) -> Signed:
    """Sign the existing field ``field_name`` of ``pdf`` with the profile's key (soft token or
    PKCS#11) at ``level`` (B-B … B-LTA); ``certify``: the first signature, locking the document
    to form filling and further signatures. The visible stamp: ``stamp_pdf`` (drawn by the
    caller), else ``stamp``, else the profile's Vietnamese stamp (:func:`profile_stamp`)."""
    signer = signers.signer_for(profile)
    request = pades.SignRequest(
        field_name=field_name,
        level=level,
        certify=certify,
        stamp_pdf=stamp_pdf,
        reason=reason,
        location=profile.agency.name,
        name=profile.display_name,
        stamp_text=stamp or profile_stamp(profile),
    )
    long_term = level in (Level.B_LT, Level.B_LTA)
    try:
        signed = pades.sign(
            pdf,
            signer=signer,
            request=request,
            timestamper=timestamper() if level != Level.B_B else None,
            validation_context=validation.signing_validation_context() if long_term else None,
        )
    except DomainError:
        raise
    except Exception as exc:  # pyHanko, the TSA or the token: report, keep the file as it was
        raise signing_error(exc) from exc
    cert = signer.signing_cert
    assert cert is not None
    return Signed(pdf=signed, certificate=cert, field_name=field_name, level=level, certify=certify)


def profile_certificate(profile: SignerProfile) -> asn1_x509.Certificate:
    """The enrolled certificate of an external (remote) signer."""
    data = profile.certificate_pem.encode()
    if not data.strip():
        raise DomainError(
            "signer_misconfigured", "Hồ sơ ký từ xa chưa có chứng thư số của người ký."
        )
    if pem.detect(data):
        _type, _headers, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def prepare_external(
    pdf: bytes,
    *,
    profile: SignerProfile,
    field_name: str,
    certify: bool,
    stamp_pdf: bytes | None = None,
    reason: str,
    stamp: stamps.StampText | None = None,
) -> pades.Prepared:
    """Reserve the signature in ``field_name`` for an external device or remote service (B-B;
    the signer's key never reaches the server). The ``to_be_signed`` bytes of the result are
    signed into a detached CMS and given to :func:`finish_external`."""
    if profile.backend != "external":
        raise DomainError("signer_not_external", "Người ký này ký trực tiếp trên máy chủ.")
    return pades.prepare_external(
        pdf,
        signing_cert=profile_certificate(profile),
        request=pades.SignRequest(
            field_name=field_name,
            level=Level.B_B,
            certify=certify,
            stamp_pdf=stamp_pdf,
            reason=reason,
            location=profile.agency.name,
            name=profile.display_name,
            stamp_text=stamp or profile_stamp(profile),
        ),
    )


def finish_external(
    prepared: pades.Prepared,
    signature_cms: bytes,
    *,
    profile: SignerProfile,
    field_name: str,
    certify: bool,
) -> Signed:
    """Embed the CMS signature returned by the signer's device and check it: the enrolled
    certificate's own key made it, over this document, and that certificate chains to a trusted
    root and is not revoked."""
    try:
        signed = pades.finish_external(prepared, signature_cms)
        content = cms.ContentInfo.load(signature_cms)["content"]
        signer_info = content["signer_infos"][0]
        carried = [c.chosen for c in content["certificates"] or () if c.name == "certificate"]
    except ValueError as exc:
        raise DomainError("bad_signature", f"Chữ ký gửi về không hợp lệ: {exc}.") from exc
    # Identifiers inside the CMS (serial, subject) are only claims and are never trusted on
    # their own.
    validation.check_enrolled_signer(
        signer_info=signer_info,
        digest=prepared.digest,
        enrolled_pem=profile.certificate_pem.encode(),
        extra_certs=carried,
    )
    report = validation.validate_pdf(signed)
    mine = next((item for item in report.signatures if item.field_name == field_name), None)
    if mine is None or not mine.intact or not mine.signature_valid:
        raise DomainError(
            "bad_signature", "Chữ ký gửi về không khớp với văn bản hoặc chứng thư số."
        )
    cert = profile_certificate(profile)
    if mine.signer.sha256 != validation.cert_info(cert).sha256:
        raise DomainError("signature_key_mismatch", "Chữ ký không phải của người được giao ký.")
    return Signed(
        pdf=signed, certificate=cert, field_name=field_name, level=Level.B_B, certify=certify
    )
