"""The leader's signature on an outgoing document: PAdES through signing's generic service
(:func:`congso.signing.services.sign_pdf` — "sign these PDF bytes with this officer's key"),
with the leader's active signer profile in the issuing agency (soft token or PKCS#11).

Only :func:`sign_pdf` calls into ``congso.signing``. Not done here (docs/eoffice.md): hash-only
(external, remote) signing of documents, B-T and higher levels, the agency's seal signature
applied by the clerk at issue."""

from __future__ import annotations

import hashlib
from typing import Any

from congso.core.errors import DomainError
from congso.org.models import Agency
from congso.signing import services as signing
from congso.signing.models import Level, SignatureRole, SignerProfile

FIELD = "eoffice_leader"
#: Bottom right of the first page (points): where the signature block's stamp goes.
BOX = (330, 40, 560, 120)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sign_pdf(pdf: bytes, *, leader: Any, agency: Agency, reason: str) -> bytes:
    """``pdf`` signed (PAdES B-B, certifying) by ``leader``'s key for ``agency``."""
    profile = (
        SignerProfile.objects.select_related("agency")
        .filter(user=leader, agency=agency, role=SignatureRole.APPROVAL, active=True)
        .order_by("pk")
        .first()
    )
    if profile is None:
        raise DomainError(
            "no_signer_profile",
            "Lãnh đạo chưa có chữ ký số của cơ quan này (hồ sơ chữ ký số).",
            status=409,
        )
    signing.check_signer(leader, profile)
    try:
        prepared = signing.add_fields(pdf, {FIELD: BOX})
    except Exception as exc:  # pyHanko raises many kinds on a PDF it cannot update
        raise DomainError("pdf_unsignable", f"Không ký được tệp PDF này: {exc}") from None
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
