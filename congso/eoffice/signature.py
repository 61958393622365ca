"""The leader's signature on an outgoing document: PAdES through signing's generic service
(:func:`congso.signing.services.sign_pdf` — "sign these PDF bytes with this officer's key"),
with the leader's active signer profile in the issuing agency (soft token or PKCS#11), or
hash-only through :func:`prepare_external` / :func:`finish_external` (a profile whose key never
reaches the server: a token on the leader's machine, a remote signing service).

Only this module calls into ``congso.signing``. Not done here (docs/eoffice.md): B-T and higher
levels, the agency's seal signature applied by the clerk at issue."""

from __future__ import annotations

import hashlib
from typing import Any

from congso.core.errors import DomainError
from congso.org.models import Agency
from congso.signing import pades
from congso.signing import services as signing
from congso.signing.models import Level, SignatureRole, SignerProfile

FIELD = "eoffice_leader"
#: Bottom right of the first page (points): where the signature block's stamp goes.
BOX = (330, 40, 560, 120)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def approval_profile(leader: Any, agency: Agency, *, external: bool) -> SignerProfile:
    """The leader's active approval profile in ``agency``: one whose key the server uses (soft
    token, PKCS#11), or with ``external`` one whose key never reaches it (hash-only signing)."""
    profiles = SignerProfile.objects.select_related("agency").filter(
        user=leader, agency=agency, role=SignatureRole.APPROVAL, active=True
    )
    profiles = (
        profiles.filter(backend="external") if external else profiles.exclude(backend="external")
    )
    profile = profiles.order_by("pk").first()
    if profile is None:
        raise DomainError(
            "no_signer_profile",
            "Lãnh đạo chưa có chữ ký số từ xa của cơ quan này (hồ sơ chữ ký số)."
            if external
            else "Lãnh đạo chưa có chữ ký số của cơ quan này (hồ sơ chữ ký số).",
            status=409,
        )
    signing.check_signer(leader, profile)
    return profile


def _with_field(pdf: bytes) -> bytes:
    try:
        return signing.add_fields(pdf, {FIELD: BOX})
    except Exception as exc:  # pyHanko raises many kinds on a PDF it cannot update
        raise DomainError("pdf_unsignable", f"Không ký được tệp PDF này: {exc}") from None


def prepare_external(pdf: bytes, *, profile: SignerProfile, reason: str) -> pades.Prepared:
    """Reserve the leader's signature (B-B, certifying) for a device or remote service; the
    ``to_be_signed`` bytes are signed into a detached CMS and given to :func:`finish_external`."""
    return signing.prepare_external(
        _with_field(pdf),
        profile=profile,
        field_name=FIELD,
        certify=True,
        stamp_pdf=None,
        reason=reason,
    )


def finish_external(prepared: pades.Prepared, cms: bytes, *, profile: SignerProfile) -> bytes:
    """The prepared PDF with the CMS embedded, once it is proven to be the enrolled signer's
    over these bytes (``signing.finish_external``)."""
    return signing.finish_external(
        prepared, cms, profile=profile, field_name=FIELD, certify=True
    ).pdf


def sign_pdf(pdf: bytes, *, leader: Any, agency: Agency, reason: str) -> bytes:
    """``pdf`` signed (PAdES B-B, certifying) by ``leader``'s key for ``agency``."""
    profile = approval_profile(leader, agency, external=False)
    prepared = _with_field(pdf)
    signed = signing.sign_pdf(
        prepared,
        profile=profile,
        field_name=FIELD,
        level=Level.B_B,
        certify=True,
        stamp_pdf=None,
        reason=reason,
    )
    return signed.pdf
