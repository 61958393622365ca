"""The signatures on an outgoing document: PAdES through signing's generic service
(:func:`congso.signing.services.sign_pdf` — "sign these PDF bytes with this officer's key").

* the leader's, with the leader's active signer profile in the issuing agency (soft token or
  PKCS#11), certifying (DocMDP "fill forms"); both signature fields are created just before it,
  so the agency's seal signature later fills a field that already exists and the leader's
  signature stays valid;
* the agency's seal (chữ ký số của cơ quan, ND 30/2020 Art. 8 and Annex I), applied by the clerk
  at issue, after the number is taken: the agency's seal signer profile
  (``SignatureRole.SEAL``), an incremental update whose visible stamp shows the number,
  notation and date of issue.

Both at ``CONGSO_EOFFICE_SIGNATURE_LEVEL`` (B-B by default), with signing's Vietnamese stamp.
Only this module calls into ``congso.signing``. Not done here (docs/eoffice.md): hash-only
(external, remote) signing of documents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When

from congso.core.errors import DomainError
from congso.org.models import Agency
from congso.signing import pades
from congso.signing import services as signing
from congso.signing.models import SignatureRole, SignerProfile

FIELD = "eoffice_leader"
SEAL_FIELD = "eoffice_seal"
#: Bottom right of the first page (points): where the leader's stamp goes.
BOX = (330, 40, 560, 120)
#: Bottom left of the first page: the agency seal's stamp (number and date of issue).
SEAL_BOX = (40, 40, 270, 120)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def level() -> str:
    chosen = str(settings.EOFFICE_SIGNATURE_LEVEL)
    if chosen not in pades.LEVELS:
        raise DomainError(
            "signer_misconfigured",
            f"Mức chữ ký số văn bản “{chosen}” không hợp lệ (CONGSO_EOFFICE_SIGNATURE_LEVEL).",
            status=503,
        )
    return chosen


def sign_pdf(pdf: bytes, *, leader: Any, agency: Agency, reason: str) -> bytes:
    """``pdf`` signed (PAdES, certifying) by ``leader``'s key for ``agency``."""
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
        prepared = signing.add_fields(pdf, {FIELD: BOX, SEAL_FIELD: SEAL_BOX})
    except Exception as exc:  # pyHanko raises many kinds on a PDF it cannot update
        raise DomainError("pdf_unsignable", f"Không ký được tệp PDF này: {exc}") from None
    signed = signing.sign_pdf(
        prepared,
        profile=profile,
        field_name=FIELD,
        level=level(),
        certify=True,
        reason=reason,
    )
    return signed.pdf


def seal_profile(agency: Agency, clerk: Any) -> SignerProfile | None:
    """The agency's active seal profile: the issuing clerk's own first, else the agency's."""
    return (
        SignerProfile.objects.select_related("agency")
        .filter(agency=agency, role=SignatureRole.SEAL, active=True)
        .annotate(
            mine=Case(
                When(user_id=getattr(clerk, "pk", None), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("mine", "pk")
        .first()
    )


@dataclass(frozen=True)
class Sealed:
    pdf: bytes
    profile: SignerProfile
    certificate_serial: str
    level: str


def seal_pdf(
    pdf: bytes, *, clerk: Any, agency: Agency, number_notation: str, issued_on: date
) -> Sealed | None:
    """The agency's seal signature on the leader-signed ``pdf``, its stamp showing the number and
    the date of issue; None when the agency has no seal profile and
    ``CONGSO_EOFFICE_SEAL_REQUIRED`` is off."""
    profile = seal_profile(agency, clerk)
    if profile is None:
        if settings.EOFFICE_SEAL_REQUIRED:
            raise DomainError(
                "no_seal_profile",
                "Cơ quan chưa có chữ ký số của cơ quan (hồ sơ chữ ký số vai trò văn thư) nên "
                "chưa ban hành được văn bản.",
                status=409,
            )
        return None
    if SEAL_FIELD not in signing.field_names(pdf):
        # Signed before the seal field was created with the leader's: add it now (pyHanko's
        # policy accepts a new signature field after a "fill forms" certification).
        pdf = signing.add_fields(pdf, {SEAL_FIELD: SEAL_BOX})
    stamp = signing.profile_stamp(
        profile,
        extra=(f"Số: {number_notation}", f"Ngày ban hành: {issued_on:%d/%m/%Y}"),
    )
    signed = signing.sign_pdf(
        pdf,
        profile=profile,
        field_name=SEAL_FIELD,
        level=level(),
        certify=False,
        reason=f"Ban hành văn bản số {number_notation}",
        stamp=stamp,
    )
    return Sealed(
        pdf=signed.pdf, profile=profile, certificate_serial=signed.info.serial, level=signed.level
    )
