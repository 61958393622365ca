"""The signatures on an outgoing document: PAdES through signing's generic service
(:func:`congso.signing.services.sign_pdf` — "sign these PDF bytes with this officer's key").

* the leader's, with the leader's active signer profile in the issuing agency (soft token or
  PKCS#11), or hash-only through :func:`prepare_external` / :func:`finish_external` (a profile
  whose key never reaches the server: a token on the leader's machine, a remote signing
  service), certifying (DocMDP "fill forms"); both signature fields are created just before it,
  so the agency's seal signature later fills a field that already exists and the leader's
  signature stays valid;
* the agency's seal (chữ ký số của cơ quan, ND 30/2020 Art. 8 and Annex I), applied by the clerk
  at issue, after the number is taken: the agency's seal signer profile
  (``SignatureRole.SEAL``), an incremental update whose visible stamp shows the number,
  notation and date of issue.

Both at ``CONGSO_EOFFICE_SIGNATURE_LEVEL`` (B-B by default), with signing's Vietnamese stamp.
Only this module calls into ``congso.signing``. The hash-only leader signature is B-B."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When

from congso.core.errors import DomainError
from congso.eoffice.models import Confidentiality, Direction, Document, FileRole, State
from congso.org.models import Agency
from congso.signing import archive, pades, verification
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
        return signing.add_fields(pdf, {FIELD: BOX, SEAL_FIELD: SEAL_BOX})
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
    """``pdf`` signed (PAdES, certifying) by ``leader``'s key for ``agency``."""
    profile = approval_profile(leader, agency, external=False)
    prepared = _with_field(pdf)
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


def seal_pdf(pdf: bytes, *, clerk: Any, document: Document) -> Sealed | None:
    """The agency's seal signature on the leader-signed ``pdf`` of the numbered ``document``, its
    stamp showing the number, the date of issue and (not for a confidential document) the QR
    code of its public verification page; None when the agency has no seal profile and
    ``CONGSO_EOFFICE_SEAL_REQUIRED`` is off."""
    number_notation = document.number_notation
    issued_on = document.issued_on
    assert issued_on is not None
    profile = seal_profile(document.agency, clerk)
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
    token = public_token(document)
    stamp = signing.profile_stamp(
        profile,
        extra=(f"Số: {number_notation}", f"Ngày ban hành: {issued_on:%d/%m/%Y}"),
        url=signing.verify_url(token) if token else "",
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


# --- The public verification page (``/xac-thuc/<token>/``) ------------------------------------

#: The kind of the e-office's documents in signing's public tokens.
VERIFY_KIND = "eoffice.document"


def public_token(document: Document, *, make: bool = True) -> str | None:
    """The token of an issued document's verification page (made at issue and kept; the QR
    code on the seal's stamp opens it); none for a confidential document, which never shows
    on a public page. ``make`` false only reads (a page view writes nothing)."""
    if document.confidentiality != Confidentiality.NORMAL:
        return None
    return verification.token_for(VERIFY_KIND, document.pk, make=make) or None


def verify_url(document: Document) -> str:
    """The address of the document's verification page, as made at issue ("" for a
    confidential document or one not issued yet); reads only."""
    if document.direction != Direction.OUTGOING or not document.number_notation:
        return ""
    token = public_token(document, make=False)
    return signing.verify_url(token) if token else ""


def _read(document: Document) -> bytes:
    row = document.files.get(version=document.version, role=FileRole.MAIN)
    with row.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def stored_document(token: str) -> verification.StoredDocument | None:
    """The stored original of an issued, not confidential, outgoing document, for the
    verification page (registered on ``signing.verification.stored_documents``)."""
    object_id = verification.object_for(VERIFY_KIND, token)
    if object_id is None:
        return None
    document = (
        Document.objects.select_related("doc_type")
        .filter(
            pk=object_id,
            direction=Direction.OUTGOING,
            state__in=[State.ISSUED, State.RECALLED],
            confidentiality=Confidentiality.NORMAL,
        )
        .first()
    )
    if document is None:
        return None
    main = document.files.filter(version=document.version, role=FileRole.MAIN).first()
    if main is None:
        return None
    issued = f" ngày {document.issued_on:%d/%m/%Y}" if document.issued_on else ""
    title = (
        f"{document.doc_type.name} số {document.number_notation}{issued} của "
        f"{document.issuer_name}: {document.subject}"
    )
    if document.state == State.RECALLED:
        title += " (văn bản đã bị thu hồi)"
    return verification.StoredDocument(
        code=document.number_notation,
        title=title,
        sha256=main.sha256,
        public_token=token,
        read=lambda: _read(document),
        kind=verification.DOCUMENT,
    )


# --- The archive (PAdES-LTA re-time-stamping, ``congso.signing.archive``) --------------------


def archived_documents() -> Iterator[archive.ArchivedDocument]:
    """The main files of the issued outgoing documents, lent to signing's archival
    re-time-stamping (registered on ``signing.archive.sources`` by the app's ``ready()``)."""
    issued = Document.objects.filter(
        direction=Direction.OUTGOING, state__in=[State.ISSUED, State.RECALLED]
    ).order_by("pk")
    for document in issued:
        yield archive.ArchivedDocument(
            kind="eoffice.document",
            code=document.number_notation,
            target=document,
            read=partial(_read, document),
            replace=partial(archive_store, document),
        )


def archive_store(document: Document, pdf: bytes) -> None:
    """Keep the re-time-stamped main file (an incremental update of the stored one) in place
    of the current version's; signing audits it (``signing.archive.retimestamp``)."""
    with transaction.atomic():
        row = (
            document.files.select_for_update()
            .filter(version=document.version, role=FileRole.MAIN)
            .get()
        )
        with row.file.open("rb") as handle:
            current = handle.read()
        if not pdf.startswith(current):
            raise DomainError("document_changed", "Tệp văn bản vừa thay đổi; hãy chạy lại.")
        old_name, storage = row.file.name, row.file.storage
        row.file.save(row.name, ContentFile(pdf, name=row.name), save=False)
        row.size = len(pdf)
        row.sha256 = sha256(pdf)
        row.save(update_fields=["file", "size", "sha256"])
        transaction.on_commit(lambda: storage.delete(old_name))
