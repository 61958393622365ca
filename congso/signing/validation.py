"""Validating the signatures of a PDF: an ETSI-style report per signature (EN 319 102-1).

pyHanko's AdES processes decide (``ades_lta_validation``: basic validation, validation with
time, past signature validation with the proofs of existence the document's time-stamps give);
this module only chooses the trust anchors and the revocation policy, and turns the result into
plain data for the API and the public page. Trust anchors are explicit configuration
(``CONGSO_SIGNING_TRUST_ROOTS``), never the operating system's store.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.validation.ades import (
    AdESBasicValidationResult,
    ades_basic_validation,
    ades_lta_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers import FetcherBackend
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from congso.core.errors import DomainError, Message
from congso.signing import revcache, tokens

PASSED = "TOTAL_PASSED"
INDETERMINATE = "INDETERMINATE"
FAILED = "TOTAL_FAILED"

INDICATION_LABELS = {
    PASSED: "Hợp lệ",
    INDETERMINATE: "Chưa xác định được",
    FAILED: "Không hợp lệ",
}

SUB_INDICATION_LABELS = {
    "HASH_FAILURE": "Nội dung đã bị thay đổi sau khi ký.",
    "SIG_CRYPTO_FAILURE": "Giá trị chữ ký không khớp với chứng thư số.",
    "REVOKED": "Chứng thư số của người ký đã bị thu hồi.",
    "REVOKED_NO_POE": "Chứng thư số đã bị thu hồi và không có bằng chứng chữ ký có trước khi "
    "thu hồi.",
    "OUT_OF_BOUNDS_NO_POE": "Chứng thư số đã hết hạn (hoặc chưa hiệu lực) và không có dấu thời "
    "gian chứng minh chữ ký được tạo khi chứng thư còn hiệu lực.",
    "OUT_OF_BOUNDS_NOT_REVOKED": "Chứng thư số đã hết hạn nhưng không bị thu hồi.",
    "NO_CERTIFICATE_CHAIN_FOUND": "Không dựng được chuỗi chứng thư đến một CA gốc tin cậy.",
    "TRY_LATER": "Chưa lấy được thông tin thu hồi chứng thư; hãy thử lại sau.",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "Thông tin thu hồi không còn hiệu lực.",
    "CHAIN_CONSTRAINTS_FAILURE": "Chuỗi chứng thư không thỏa ràng buộc.",
    "SIGNED_DATA_NOT_FOUND": "Không tìm thấy dữ liệu được ký.",
    "FORMAT_FAILURE": "Chữ ký sai định dạng.",
    "POLICY_PROCESSING_ERROR": "Văn bản bị sửa đổi sau khi ký theo cách không được phép.",
}


#: What a certification signature lets happen after it (PDF DocMDP), for people.
CERTIFICATION_LABELS = {
    "NO_CHANGES": "không cho phép bất kỳ thay đổi nào sau khi ký",
    "FILL_FORMS": "sau khi ký chỉ được điền biểu mẫu và ký thêm",
    "ANNOTATE": "sau khi ký chỉ được điền biểu mẫu, ký thêm và ghi chú",
}

#: How much of the file the signature covers, for people.
COVERAGE_LABELS = {
    "ENTIRE_FILE": "toàn bộ tệp",
    "ENTIRE_REVISION": "toàn bộ văn bản khi ký (sau đó chỉ thêm chữ ký, dấu thời gian)",
    "CONTIGUOUS_BLOCK_FROM_START": "một phần đầu của tệp",
    "UNCLEAR": "không xác định được",
}


def trust_roots(paths: Iterable[str] | None = None) -> list[asn1_x509.Certificate]:
    """The configured trust anchors (PEM or DER files; a PEM file may hold several)."""
    roots: list[asn1_x509.Certificate] = []
    for raw in paths if paths is not None else settings.SIGNING_TRUST_ROOTS:
        path = Path(raw)
        if not path.is_file():
            continue
        data = path.read_bytes()
        if pem.detect(data):
            for _type, _headers, der in pem.unarmor(data, multiple=True):
                roots.append(asn1_x509.Certificate.load(der))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def _revocation_policy() -> CertRevTrustPolicy:
    return CertRevTrustPolicy(
        RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
        )
    )


def signing_validation_context(
    roots: list[asn1_x509.Certificate] | None = None,
) -> ValidationContext:
    """For signing at B-LT/B-LTA: fetch OCSP/CRL online and embed them."""
    return ValidationContext(
        trust_roots=roots if roots is not None else trust_roots(),
        allow_fetching=True,
        revocation_mode="require",
    )


def validation_spec(
    *, online: bool | None = None, fetcher_backend: FetcherBackend | None = None
) -> PdfSignatureValidationSpec:
    """Trust the configured roots; require OCSP or CRL for every certificate of the chain;
    fetch online (``CONGSO_SIGNING_ONLINE_REVOCATION``) or use only what the document holds."""
    roots = trust_roots()
    if not roots:
        raise DomainError(
            "no_trust_roots",
            "Chưa cấu hình CA gốc tin cậy (CONGSO_SIGNING_TRUST_ROOTS): không thể xác thực.",
            status=503,
        )
    fetch = settings.SIGNING_ONLINE_REVOCATION if online is None else online
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=_revocation_policy(),
    )
    return PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=(
                    RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                    if fetch
                    else RevinfoOnlineFetchingRule.LOCAL_ONLY
                ),
                fetcher_backend=fetcher_backend,
            ),
        ),
        diff_policy=DEFAULT_DIFF_POLICY,
    )


# --- The report -----------------------------------------------------------------------------------


@dataclass
class CertificateInfo:
    subject: str
    common_name: str
    title: str
    organisation: str
    serial: str
    issuer: str
    not_before: str
    not_after: str
    #: SHA-256 of the DER certificate (names it in the ETSI XML report).
    sha256: str = ""


@dataclass
class SignatureReport:
    field_name: str
    indication: str
    indication_label: str
    sub_indication: str | None
    explanation: str
    level: str
    signer: CertificateInfo
    chain: list[str]
    trust_anchor: str | None
    claimed_signing_time: str | None
    best_signature_time: str | None
    timestamp: dict[str, Any] | None
    revocation: dict[str, Any]
    certification: str | None
    coverage: str
    modified_after_signing: bool
    modification_level: str | None
    intact: bool
    signature_valid: bool
    messages: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    sha256: str
    size: int
    signature_count: int
    indication: str
    indication_label: str
    signatures: list[SignatureReport]
    validated_at: str
    document_timestamps: int
    #: The archival document time-stamps (PAdES-LTA), oldest first: time, TSA, when the TSA's
    #: certificate ends (the next one is due before that: ``signing_retimestamp``).
    archive_timestamps: list[dict[str, str]] = field(default_factory=list)
    #: Every signature reached PAdES B-LTA (long-term archival).
    lta: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _attr(name: asn1_x509.Name, key: str) -> str:
    value = name.native.get(key, "")
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return str(value)


def cert_info(cert: asn1_x509.Certificate) -> CertificateInfo:
    subject = cert.subject
    return CertificateInfo(
        subject=subject.human_friendly,
        common_name=_attr(subject, "common_name"),
        title=_attr(subject, "title"),
        organisation=_attr(subject, "organization_name"),
        serial=format(cert.serial_number, "X"),
        issuer=cert.issuer.human_friendly,
        not_before=cert["tbs_certificate"]["validity"]["not_before"].native.isoformat(),
        not_after=cert["tbs_certificate"]["validity"]["not_after"].native.isoformat(),
        sha256=hashlib.sha256(cert.dump()).hexdigest(),
    )


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _indication(result: AdESBasicValidationResult) -> tuple[str, str | None]:
    status = result.ades_subindic.status.name  # PASSED / INDETERMINATE / FAILED
    indication = {"PASSED": PASSED, "INDETERMINATE": INDETERMINATE}.get(status, FAILED)
    sub = None if indication == PASSED else str(getattr(result.ades_subindic, "name", ""))
    return indication, sub


def _level(embedded: EmbeddedPdfSignature, reader: PdfFileReader, later_doc_ts: bool) -> str:
    signed_attrs = embedded.signer_info["unsigned_attrs"]
    has_sig_ts = signed_attrs.native is not None and any(
        attr["type"].native == "signature_time_stamp_token" for attr in signed_attrs
    )
    if not has_sig_ts:
        return "B-B"
    dss = _dss(reader)
    has_revinfo = dss is not None and ("/OCSPs" in dss or "/CRLs" in dss)
    if not has_revinfo:
        return "B-T"
    return "B-LTA" if later_doc_ts else "B-LT"


def _dss(reader: PdfFileReader) -> Any:
    dss = reader.root.get("/DSS")
    return dss.get_object() if dss is not None else None


def _messages(result: AdESBasicValidationResult) -> list[str]:
    messages: list[str] = []
    if result.failure_msg:
        messages.append(result.failure_msg)
    return messages


def _revocation_summary(result: AdESBasicValidationResult, reader: PdfFileReader) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for item in result.validation_objects or ():
        kind = getattr(item.object_type, "name", str(item.object_type))
        kinds[kind] = kinds.get(kind, 0) + 1
    dss = _dss(reader)
    embedded = {
        "ocsp": len(dss.get("/OCSPs", [])) if dss is not None else 0,
        "crl": len(dss.get("/CRLs", [])) if dss is not None else 0,
    }
    return {"validation_objects": kinds, "embedded_in_document": embedded}


def _timestamp(result: AdESBasicValidationResult) -> dict[str, Any] | None:
    ts = getattr(result, "signature_timestamp_status", None)
    status = result.api_status
    token_status = getattr(status, "timestamp_validity", None)
    if ts is None and token_status is None:
        return None
    info: dict[str, Any] = {}
    if token_status is not None:
        info["time"] = _iso(token_status.timestamp)
        info["intact"] = token_status.intact
        info["valid"] = token_status.valid
        info["trusted"] = token_status.trusted
        info["tsa"] = token_status.signing_cert.subject.human_friendly
    if ts is not None:
        indication, sub = _indication(ts)
        info["indication"] = indication
        info["sub_indication"] = sub
    return info


def _chain(status: Any) -> tuple[list[str], str | None]:
    path = getattr(status, "validation_path", None)
    if path is None:
        return [], None
    names = [cert.subject.human_friendly for cert in path.iter_certs(include_root=True)]
    anchor = path.trust_anchor.authority.name.human_friendly if path.trust_anchor else None
    return names, anchor


def _count_doc_timestamps(reader: PdfFileReader) -> list[int]:
    """Revision numbers of the document time-stamps."""
    revisions: list[int] = []
    for embedded in reader.embedded_timestamp_signatures:
        revisions.append(embedded.signed_revision)
    return revisions


def _has_signature_timestamp(embedded: EmbeddedPdfSignature) -> bool:
    unsigned = embedded.signer_info["unsigned_attrs"]
    return unsigned.native is not None and any(
        attr["type"].native == "signature_time_stamp_token" for attr in unsigned
    )


async def _validate_one(
    embedded: EmbeddedPdfSignature,
    spec: PdfSignatureValidationSpec,
    timing: ValidationTimingInfo,
    *,
    archived: bool,
) -> tuple[AdESBasicValidationResult, dict[str, Any]]:
    """The EN 319 102-1 process the signature's form calls for: validation for long-term
    availability (§ 5.6.3) when a document time-stamp follows it, validation with time
    (§ 5.5) when it carries a signature time-stamp, basic validation (§ 5.3) otherwise."""
    embedded.compute_integrity_info(diff_policy=spec.diff_policy)
    integrity = embedded.summarise_integrity_info()
    if archived:
        return await ades_lta_validation(embedded, spec, timing_info=timing), integrity
    process = (
        ades_with_time_validation if _has_signature_timestamp(embedded) else ades_basic_validation
    )
    result = await process(
        embedded.signed_data,
        spec.signature_validation_spec,
        timing_info=timing,
        raw_digest=embedded.compute_digest(),
    )
    return result, integrity


async def _validate_all(
    reader: PdfFileReader, *, online: bool | None, moment: datetime.datetime | None
) -> list[SignatureReport]:
    fetch = settings.SIGNING_ONLINE_REVOCATION if online is None else online
    backend = revcache.CachingFetcherBackend() if fetch else None
    spec = validation_spec(online=fetch, fetcher_backend=backend)
    try:
        return await _reports(reader, spec, moment)
    finally:
        if backend is not None:
            await backend.close()


async def _reports(
    reader: PdfFileReader, spec: PdfSignatureValidationSpec, moment: datetime.datetime | None
) -> list[SignatureReport]:
    timing = (
        ValidationTimingInfo.now()
        if moment is None
        else ValidationTimingInfo(
            validation_time=moment, best_signature_time=moment, point_in_time_validation=True
        )
    )
    ts_revisions = _count_doc_timestamps(reader)
    reports: list[SignatureReport] = []
    for embedded in reader.embedded_regular_signatures:
        archived = any(rev > embedded.signed_revision for rev in ts_revisions)
        try:
            result, integrity = await _validate_one(embedded, spec, timing, archived=archived)
        except SignatureValidationError as exc:
            reports.append(_broken(embedded, str(exc)))
            continue
        status = result.api_status
        indication, sub = _indication(result)
        diff = integrity.get("diff_result")
        mod_level = getattr(diff, "modification_level", None)
        modified = integrity.get("docmdp_ok") is False or not bool(getattr(status, "intact", False))
        if mod_level is not None and mod_level == ModificationLevel.OTHER:
            modified = True
        if indication == PASSED and modified:
            indication, sub = FAILED, "POLICY_PROCESSING_ERROR"
        chain, anchor = _chain(status)
        docmdp = embedded.docmdp_level
        coverage = integrity.get("coverage")
        reports.append(
            SignatureReport(
                field_name=str(embedded.field_name),
                indication=indication,
                indication_label=INDICATION_LABELS[indication],
                sub_indication=sub,
                explanation=SUB_INDICATION_LABELS.get(sub or "", "")
                if sub
                else "Chữ ký hợp lệ, văn bản còn nguyên vẹn.",
                level=_level(embedded, reader, archived),
                signer=cert_info(embedded.signer_cert),
                chain=chain,
                trust_anchor=anchor,
                claimed_signing_time=_iso(embedded.self_reported_timestamp),
                best_signature_time=_iso(getattr(result, "best_signature_time", None)),
                timestamp=_timestamp(result),
                revocation=_revocation_summary(result, reader),
                certification=docmdp.name if docmdp is not None else None,
                coverage=coverage.name if coverage is not None else "",
                modified_after_signing=modified,
                modification_level=mod_level.name if mod_level is not None else None,
                intact=bool(getattr(status, "intact", False)),
                signature_valid=bool(getattr(status, "valid", False)),
                messages=_messages(result),
            )
        )
    return reports


def _broken(embedded: EmbeddedPdfSignature, message: str) -> SignatureReport:
    return SignatureReport(
        field_name=str(embedded.field_name),
        indication=FAILED,
        indication_label=INDICATION_LABELS[FAILED],
        sub_indication="FORMAT_FAILURE",
        explanation=SUB_INDICATION_LABELS["FORMAT_FAILURE"],
        level="",
        signer=cert_info(embedded.signer_cert),
        chain=[],
        trust_anchor=None,
        claimed_signing_time=None,
        best_signature_time=None,
        timestamp=None,
        revocation={},
        certification=None,
        coverage="",
        modified_after_signing=True,
        modification_level=None,
        intact=False,
        signature_valid=False,
        messages=[message],
    )


def _overall(reports: list[SignatureReport]) -> str:
    if not reports:
        return INDETERMINATE
    indications = {report.indication for report in reports}
    if FAILED in indications:
        return FAILED
    if INDETERMINATE in indications:
        return INDETERMINATE
    return PASSED


def validate_pdf(
    data: bytes, *, online: bool | None = None, moment: datetime.datetime | None = None
) -> ValidationReport:
    """Validate every signature of ``data``; ``moment`` validates as at another time (tests of
    expiry), ``online=False`` uses only the validation data inside the document."""

    if not data.startswith(b"%PDF-"):
        raise DomainError(
            "not_pdf",
            Message(gettext_noop("Tệp tải lên không phải PDF.")),
            field="file",
            status=422,
        )
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if not trust_roots():
            validation_spec()  # raises no_trust_roots
        reports = asyncio.run(_validate_all(reader, online=online, moment=moment))
        doc_ts = len(_count_doc_timestamps(reader))
        archived = [
            stamp.as_dict()
            for stamp in tokens.reader_timestamps(reader)
            if stamp.kind == "document"
        ]
    except DomainError:
        raise
    except Exception as exc:  # a malformed PDF raises from deep inside the parser
        # The parser's own words (English, internal) are never shown: the file is unreadable.
        raise DomainError(
            "pdf_unreadable",
            Message(
                gettext_noop(
                    "Không đọc được tệp PDF: tệp bị hỏng hoặc không đúng định dạng PDF. Hãy tải "
                    "lại bản gốc đã nhận rồi thử lại."
                )
            ),
            field="file",
            status=422,
        ) from exc
    overall = _overall(reports)
    return ValidationReport(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        signature_count=len(reports),
        indication=overall,
        indication_label=INDICATION_LABELS[overall] if reports else "Không có chữ ký số",
        signatures=reports,
        validated_at=(moment or datetime.datetime.now(datetime.UTC)).isoformat(),
        document_timestamps=doc_ts,
        archive_timestamps=archived,
        lta=bool(reports) and all(report.level == "B-LTA" for report in reports),
    )


# --- Proof of the enrolled key (external signatures) ------------------------------------------


def _load_certs(data: bytes) -> list[asn1_x509.Certificate]:
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)] if data.strip() else []


async def _validate_cert_path(
    cert: asn1_x509.Certificate, intermediates: list[asn1_x509.Certificate]
) -> None:
    from pyhanko_certvalidator import CertificateValidator

    roots = trust_roots()
    if not roots:
        validation_spec()  # raises no_trust_roots
    fetch = bool(settings.SIGNING_ONLINE_REVOCATION)
    backend = revcache.CachingFetcherBackend() if fetch else None
    context = ValidationContext(
        trust_roots=roots,
        other_certs=intermediates,
        allow_fetching=fetch,
        revocation_mode="require",
        fetcher_backend=backend,
    )
    try:
        validator = CertificateValidator(cert, validation_context=context)
        await validator.async_validate_usage(key_usage={"digital_signature"})
    finally:
        if backend is not None:
            await backend.close()


def check_enrolled_signer(
    *, signer_info: Any, digest: bytes, enrolled_pem: bytes, extra_certs: Iterable[Any] = ()
) -> None:
    """Refuse an external CMS signature unless it is a proof made with the enrolled key.

    The identifiers inside the CMS (issuer, serial, subject) are claims anyone can copy into a
    self-made certificate; only three checks together prove who signed:

    1. the signature value verifies over the signed attributes (whose message digest must be
       ``digest``, the prepared document's) with the public key of the **enrolled**
       certificate (``enrolled_pem``, the first certificate of the profile's PEM), never with
       the certificate the CMS carries;
    2. that certificate builds a path to a configured trust root (``CONGSO_SIGNING_TRUST_ROOTS``;
       intermediates from the profile PEM and the CMS are untrusted helpers only);
    3. no certificate of the path is revoked (OCSP or CRL required, fetched online).

    Raises a :class:`DomainError` with a stable code: ``signature_key_mismatch``,
    ``certificate_revoked``, ``certificate_expired`` or ``certificate_untrusted``.
    """
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InvalidCertificateError,
        NotYetValidError,
        PathBuildingError,
        PathValidationError,
        RevokedError,
    )

    certs = _load_certs(enrolled_pem)
    if not certs:
        raise DomainError(
            "signer_misconfigured", "Hồ sơ ký từ xa chưa có chứng thư số của người ký."
        )
    enrolled, intermediates = certs[0], [*certs[1:], *extra_certs]
    try:
        intact, valid = validate_sig_integrity(signer_info, enrolled, "data", digest)
    except Exception:  # a malformed signer info or an algorithm mismatch: not a proof
        intact = valid = False
    if not (intact and valid):
        raise DomainError(
            "signature_key_mismatch",
            "Chữ ký gửi về không được tạo bằng khóa của chứng thư số đã đăng ký cho người ký.",
            field="signature_cms",
        )
    try:
        asyncio.run(_validate_cert_path(enrolled, list(intermediates)))
    except RevokedError as exc:
        raise DomainError(
            "certificate_revoked",
            "Chứng thư số của người ký đã bị thu hồi.",
            field="signature_cms",
        ) from exc
    except (ExpiredError, NotYetValidError) as exc:
        raise DomainError(
            "certificate_expired",
            "Chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực.",
            field="signature_cms",
        ) from exc
    except (PathBuildingError, PathValidationError, InvalidCertificateError) as exc:
        raise DomainError(
            "certificate_untrusted",
            f"Chứng thư số của người ký không hợp lệ hoặc không dẫn đến CA gốc tin cậy: {exc}",
            field="signature_cms",
        ) from exc
