"""The collecting agency's signature on the e-receipts of payments (biên lai điện tử), through
signing's generic service: the agency's seal signer profile (``SignatureRole.SEAL``), PAdES
B-B, certifying, with signing's Vietnamese stamp (the agency, the time). Registered on
:data:`congso.payments.receipts.receipt_sealers` by ``ResultsConfig.ready()``: payments sits
below signing, so it cannot call it itself
(docs/payments.md "E-receipts")."""

from __future__ import annotations

from congso.org.models import Agency
from congso.payments.receipts import receipt_sealers
from congso.signing import services as signing
from congso.signing.models import Level, SignatureRole, SignerProfile

FIELD = "receipt_seal"
#: Under the QR code and its address, right side of the A5 page (points): the stamp's size.
BOX = (165, 170, 386, 255)


@receipt_sealers.register("signing.agency_seal")
def seal_receipt(pdf: bytes, agency: Agency, reason: str) -> bytes | None:
    profile = (
        SignerProfile.objects.select_related("agency")
        .filter(agency=agency, role=SignatureRole.SEAL, active=True)
        .order_by("pk")
        .first()
    )
    if profile is None:
        return None
    prepared = signing.add_fields(pdf, {FIELD: BOX})
    signed = signing.sign_pdf(
        prepared,
        profile=profile,
        field_name=FIELD,
        level=Level.B_B,
        certify=True,
        stamp=signing.profile_stamp(profile),
        reason=reason,
    )
    return signed.pdf
