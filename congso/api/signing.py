"""Signed results and signature validation (``/api/v1/signatures``): the validation is
signing's (:mod:`congso.signing`), the e-results of dossiers are results' (:mod:`congso.results`).

``POST /validate`` is public: anyone uploads a PDF and gets an ETSI-style report per signature.
The rest needs a login: officers prepare and sign results; the applicant downloads theirs.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from congso.accounts.tokens import READ, SIGN
from congso.api.auth import SESSION_OR_TOKEN, token_scope
from congso.api.schemas import ErrorOut
from congso.core.errors import DomainError, NotFound
from congso.dossiers import selectors
from congso.results import services
from congso.results.models import ExternalSigningSession, SignedResult
from congso.signing.models import SignerProfile
from congso.signing.validation import validate_pdf
from congso.signing.views import MAX_UPLOAD_BYTES

router = Router()


class CertificateOut(Schema):
    subject: str
    common_name: str
    title: str
    organisation: str
    serial: str
    issuer: str
    not_before: str
    not_after: str


class SignatureReportOut(Schema):
    field_name: str
    indication: str
    indication_label: str
    sub_indication: str | None
    explanation: str
    level: str
    signer: CertificateOut
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
    messages: list[str]


class ValidationReportOut(Schema):
    sha256: str
    size: int
    signature_count: int
    indication: str
    indication_label: str
    signatures: list[SignatureReportOut]
    validated_at: str
    document_timestamps: int


class SignatureOut(Schema):
    role: str
    field_name: str
    certify: bool
    signer_name: str
    signer_title: str
    certificate_serial: str
    level: str
    signed_at: datetime


class SignedResultOut(Schema):
    code: str
    dossier_code: str
    title: str
    level: str
    status: str
    roles: list[str]
    next_role: str | None
    sha256: str
    size: int
    verify_url: str
    created_at: datetime
    signed_at: datetime | None
    signatures: list[SignatureOut]


class PrepareIn(Schema):
    dossier_code: str


class SignIn(Schema):
    profile_id: int


class ExternalOut(Schema):
    session: str
    to_be_signed: str  # base64 of the bytes to sign (the PDF ByteRange)
    digest_sha256: str


class ExternalIn(Schema):
    signature_cms: str  # base64 DER CMS SignedData (detached)


def _result(result: SignedResult) -> SignedResultOut:
    return SignedResultOut(
        code=result.code,
        dossier_code=result.dossier.code,
        title=result.title,
        level=result.level,
        status=result.status,
        roles=list(result.roles),
        next_role=result.next_role(),
        sha256=result.sha256,
        size=result.size,
        verify_url=services.verify_url(result),
        created_at=result.created_at,
        signed_at=result.signed_at,
        signatures=[
            SignatureOut(
                role=item.role,
                field_name=item.field_name,
                certify=item.certify,
                signer_name=item.signer_name,
                signer_title=item.signer_title,
                certificate_serial=item.certificate_serial,
                level=item.level,
                signed_at=item.signed_at,
            )
            for item in result.signatures.all()
        ],
    )


def _profile(user: Any, profile_id: int) -> SignerProfile:
    profile = (
        SignerProfile.objects.select_related("agency").filter(pk=profile_id, user=user).first()
    )
    if profile is None:
        raise NotFound("profile_not_found", "Không có hồ sơ chữ ký số này.", field="profile_id")
    return profile


@router.post(
    "/validate",
    response={200: ValidationReportOut, 413: ErrorOut, 422: ErrorOut},
    summary="Kiểm tra chữ ký số của một tệp PDF (công khai)",
)
@token_scope(READ)
def validate(request: HttpRequest, file: UploadedFile = File(...)) -> ValidationReportOut:  # noqa: B008
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise DomainError("file_too_large", "Tệp lớn hơn 20 MB.", field="file", status=413)
    report = validate_pdf(file.read())
    return ValidationReportOut(**report.as_dict())


@router.post(
    "/results",
    auth=SESSION_OR_TOKEN,
    response={201: SignedResultOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Lập kết quả điện tử của hồ sơ (chờ ký)",
)
def prepare(request: HttpRequest, payload: PrepareIn) -> Status:
    dossier = selectors.dossier_for(request.auth, payload.dossier_code)  # type: ignore[attr-defined]
    result = services.result_prepare(actor=request.auth, dossier=dossier)  # type: ignore[attr-defined]
    return Status(201, _result(result))


@router.get(
    "/results/{code}",
    auth=SESSION_OR_TOKEN,
    response={200: SignedResultOut, 401: ErrorOut, 404: ErrorOut},
    summary="Thông tin một kết quả điện tử",
)
def detail(request: HttpRequest, code: str) -> SignedResultOut:
    return _result(services.result_for_user(user=request.auth, code=code))  # type: ignore[attr-defined]


@router.get(
    "/results/{code}/file",
    auth=SESSION_OR_TOKEN,
    response={200: None, 401: ErrorOut, 404: ErrorOut},
    summary="Tải tệp PDF kết quả đã ký",
)
def download(request: HttpRequest, code: str) -> FileResponse:
    result = services.result_for_download(user=request.auth, code=code)  # type: ignore[attr-defined]
    return FileResponse(
        result.file.open("rb"),
        as_attachment=True,
        filename=f"{result.code}.pdf",
        content_type="application/pdf",
    )


@router.post(
    "/results/{code}/sign",
    auth=SESSION_OR_TOKEN,
    response={
        200: SignedResultOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        502: ErrorOut,
    },
    summary="Ký số kết quả bằng khóa của cán bộ (tệp khóa hoặc thiết bị PKCS#11)",
)
@token_scope(SIGN)
def sign(request: HttpRequest, code: str, payload: SignIn) -> SignedResultOut:
    user = request.auth  # type: ignore[attr-defined]
    result = services.result_for_user(user=user, code=code)
    services.result_sign(actor=user, result=result, profile=_profile(user, payload.profile_id))
    return _result(SignedResult.objects.get(pk=result.pk))


@router.post(
    "/results/{code}/external",
    auth=SESSION_OR_TOKEN,
    response={201: ExternalOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Chuẩn bị ký từ xa: trả về phần dữ liệu cần ký",
)
@token_scope(SIGN)
def external_prepare(request: HttpRequest, code: str, payload: SignIn) -> Status:
    user = request.auth  # type: ignore[attr-defined]
    result = services.result_for_user(user=user, code=code)
    session = services.result_external_prepare(
        actor=user, result=result, profile=_profile(user, payload.profile_id)
    )
    prepared = services.session_prepared(session)
    return Status(
        201,
        ExternalOut(
            session=session.token,
            to_be_signed=base64.b64encode(prepared.to_be_signed).decode("ascii"),
            digest_sha256=session.digest,
        ),
    )


@router.post(
    "/external/{session}",
    auth=SESSION_OR_TOKEN,
    response={
        200: SignedResultOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Hoàn tất ký từ xa: gửi chữ ký CMS",
)
@token_scope(SIGN)
def external_finish(request: HttpRequest, session: str, payload: ExternalIn) -> SignedResultOut:
    user = request.auth  # type: ignore[attr-defined]
    item = (
        ExternalSigningSession.objects.select_related("result", "profile")
        .filter(token=session, profile__user=user)
        .first()
    )
    if item is None:
        raise NotFound("session_not_found", "Không có phiên ký này.")
    try:
        cms = base64.b64decode(payload.signature_cms, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(
            "bad_signature", "Chữ ký phải là CMS (DER) mã hóa base64.", field="signature_cms"
        ) from None
    services.result_external_finish(actor=user, session=item, signature_cms=cms)
    return _result(SignedResult.objects.get(pk=item.result_id))
