"""PAdES signing with pyHanko, free of Django models: signature fields, visible stamps, levels
B-B to B-LTA, certification (DocMDP) signatures and hash-only (external) signing.

Speed: the signer's parsed key is cached (:mod:`congso.signing.signers`) and the signature
size is reserved up front (``bytes_reserved``), so pyHanko neither re-parses the key nor makes
a size-estimating dry run.
"""

from __future__ import annotations

import asyncio
import binascii
import datetime
import hashlib
import io
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, tsp
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import BaseStampStyle, StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from congso.signing import stamps

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")

#: Bytes reserved for the CMS signature (hex-encoded twice that in the file): the signature,
#: the certificate chain, a time-stamp token and room for the TSA's chain.
RESERVED_BYTES = 16 * 1024


class UrlTimeStamper(TimeStamper):
    """RFC 3161 over HTTP with the standard library (loopback demo TSA or a real one)."""

    def __init__(self, url: str, *, timeout: float = 10):
        super().__init__()
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        if not self.url.startswith(("http://", "https://")):
            raise TimestampRequestError(f"TSA URL must be http(s): {self.url}")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=req.dump(),
            headers={"Content-Type": "application/timestamp-query"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except OSError as exc:
            raise TimestampRequestError(f"TSA {self.url} unreachable: {exc}") from exc
        return tsp.TimeStampResp.load(body)


class _BytesPdfPage(content.PdfContent):
    """Page 1 of an in-memory PDF imported as a form XObject (the stamp drawn by reportlab)."""

    def __init__(self, data: bytes):
        super().__init__()
        self.data = data

    def render(self) -> bytes:
        writer = self._ensure_writer
        reader = PdfFileReader(io.BytesIO(self.data))
        xobject = writer.import_page_as_xobject(reader, page_ix=0)
        name = "/Stamp" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = content.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


def stamp_style(stamp_pdf: bytes) -> StaticStampStyle:
    return StaticStampStyle(
        background=_BytesPdfPage(stamp_pdf), border_width=0, background_opacity=1.0
    )


def field_names(pdf: bytes) -> set[str]:
    """The names of the document's signature fields (empty or signed)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return {str(name) for name, _value, _ref in fields.enumerate_sig_fields(reader)}


def add_fields(pdf: bytes, boxes: dict[str, tuple[int, int, int, int]], *, page: int = 0) -> bytes:
    """Create empty signature fields (before any signature, so later ones never break a
    certification signature)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name, box in boxes.items():
        fields.append_signature_field(
            writer, SigFieldSpec(sig_field_name=name, on_page=page, box=box)
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class SignRequest:
    field_name: str
    level: str
    certify: bool = False
    stamp_pdf: bytes | None = None
    reason: str = ""
    location: str = ""
    name: str = ""
    #: The Vietnamese text stamp (when no drawn ``stamp_pdf``); without either, one is made
    #: from ``name`` and ``location`` at signing time: never pyHanko's English default.
    stamp_text: stamps.StampText | None = None


def _stamp_style(request: SignRequest) -> BaseStampStyle:
    if request.stamp_pdf:
        return stamp_style(request.stamp_pdf)
    text = request.stamp_text or stamps.StampText(
        signer=request.name or "—",
        agency=request.location,
        moment=datetime.datetime.now(datetime.UTC),
    )
    return stamps.text_style(text)


def _text_params(request: SignRequest) -> dict[str, str] | None:
    return None if request.stamp_pdf else stamps.text_params(request.stamp_text)


def _metadata(
    request: SignRequest, validation_context: ValidationContext | None
) -> signers.PdfSignatureMetadata:
    if request.level not in LEVELS:
        raise ValueError(f"unknown PAdES level {request.level!r}")
    long_term = request.level in ("B-LT", "B-LTA")
    return signers.PdfSignatureMetadata(
        field_name=request.field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        certify=request.certify,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        reason=request.reason or None,
        location=request.location or None,
        name=request.name or None,
        embed_validation_info=long_term,
        use_pades_lta=request.level == "B-LTA",
        validation_context=validation_context if long_term else None,
    )


def sign(
    pdf: bytes,
    *,
    signer: signers.Signer,
    request: SignRequest,
    timestamper: TimeStamper | None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Sign the existing field ``request.field_name`` and return the new file (an incremental
    update of ``pdf``). B-T and higher need ``timestamper``; B-LT and B-LTA a validation context
    that can reach the revocation services."""
    needs_ts = request.level != "B-B"
    if needs_ts and timestamper is None:
        raise ValueError(f"{request.level} needs a time-stamping service")
    pdf_signer = signers.PdfSigner(
        _metadata(request, validation_context),
        signer=signer,
        timestamper=timestamper if needs_ts else None,
        stamp_style=_stamp_style(request),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = io.BytesIO()
    asyncio.run(
        pdf_signer.async_sign_pdf(
            writer,
            existing_fields_only=True,
            bytes_reserved=RESERVED_BYTES,
            output=out,
            appearance_text_params=_text_params(request),
        )
    )
    return out.getvalue()


# --- External (hash-only) signing ----------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A document with an empty signature placeholder, waiting for an external CMS signature.

    ``to_be_signed`` is what the signer signs (every byte but the placeholder: the PDF
    ByteRange); a CMS ``SignedData`` over it, detached, goes back to :func:`finish_external`."""

    pdf: bytes
    region_start: int
    region_end: int
    digest: bytes

    @property
    def to_be_signed(self) -> bytes:
        return self.pdf[: self.region_start] + self.pdf[self.region_end :]


def prepare_external(pdf: bytes, *, signing_cert: Any, request: SignRequest) -> Prepared:
    """Reserve the signature in ``request.field_name`` with the visible stamp; no key needed."""
    external = signers.ExternalSigner(
        signing_cert=signing_cert, cert_registry=None, signature_value=bytes(256)
    )
    pdf_signer = signers.PdfSigner(
        _metadata(SignRequest(**{**request.__dict__, "level": "B-B"}), None),
        signer=external,
        stamp_style=_stamp_style(request),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)

    async def run() -> tuple[PreparedByteRangeDigest, bytes]:
        prep_digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer,
            existing_fields_only=True,
            bytes_reserved=RESERVED_BYTES,
            appearance_text_params=_text_params(request),
        )
        assert isinstance(output, io.BytesIO)
        return prep_digest, output.getvalue()

    prep_digest, prepared = asyncio.run(run())
    return Prepared(
        pdf=prepared,
        region_start=prep_digest.reserved_region_start,
        region_end=prep_digest.reserved_region_end,
        digest=prep_digest.document_digest,
    )


def finish_external(prepared: Prepared, signature_cms: bytes) -> bytes:
    """Embed the external CMS (DER ``ContentInfo``) into the placeholder; checks that it fits
    and that its message digest is the prepared document's."""
    content_info = cms.ContentInfo.load(signature_cms)
    if content_info["content_type"].native != "signed_data":
        raise ValueError("not a CMS SignedData")
    signer_info = content_info["content"]["signer_infos"][0]
    digests = [
        attr["values"][0].native
        for attr in signer_info["signed_attrs"]
        if attr["type"].native == "message_digest"
    ]
    if digests != [prepared.digest]:
        raise ValueError("the CMS signature does not cover the prepared document")
    digest = PreparedByteRangeDigest(
        document_digest=prepared.digest,
        reserved_region_start=prepared.region_start,
        reserved_region_end=prepared.region_end,
    )
    output = io.BytesIO(prepared.pdf)
    digest.fill_with_cms(output, content_info)
    return output.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


__all__ = [
    "LEVELS",
    "Prepared",
    "SignRequest",
    "UrlTimeStamper",
    "add_fields",
    "finish_external",
    "prepare_external",
    "sha256",
    "sign",
]
