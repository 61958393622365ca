"""The public verification page: anyone uploads a PDF and reads the report; the QR code on a
signed document opens the report of the stored original (found through
:mod:`congso.signing.verification`), where the holder of a copy can upload it to compare. The
page never shows or serves the stored document itself (it is personal data)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from congso.core.errors import DomainError, Message, localise
from congso.signing import etsi, verification
from congso.signing.validation import ValidationReport, validate_pdf

#: Largest PDF the public page validates.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _uploaded(request: HttpRequest) -> bytes:
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError(
            "file_required", Message(gettext_noop("Hãy chọn tệp PDF cần kiểm tra.")), field="file"
        )
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            "file_too_large",
            Message(gettext_noop("Tệp lớn hơn %(mb)s MB."), mb=MAX_UPLOAD_BYTES // (1024 * 1024)),
            field="file",
            status=413,
        )
    return upload.read()


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "signing/verify.html", context, status=status)


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"result": None, "report": None, "error": None}
    if request.method == "POST":
        try:
            context["report"] = validate_pdf(_uploaded(request))
        except DomainError as exc:
            context["error"] = localise(exc.message)
            return _page(request, context, status=exc.status)
    return _page(request, context)


@require_http_methods(["GET", "POST"])
def verify_result(request: HttpRequest, token: str) -> HttpResponse:
    try:
        result = verification.document_by_token(token)
    except DomainError as exc:
        return _page(request, {"error": localise(exc.message)}, status=exc.status)
    original = result.read()
    report: ValidationReport = validate_pdf(original)
    context: dict[str, Any] = {"result": result, "report": report, "error": None}
    if request.method == "POST":
        # A 0-byte, disguised or broken copy is an error next to the field, as on /xac-thuc/.
        try:
            copy = _uploaded(request)
            copy_report = validate_pdf(copy)
        except DomainError as exc:
            context["error"] = localise(exc.message)
            return _page(request, context, status=exc.status)
        import hashlib

        context["copy_sha256"] = hashlib.sha256(copy).hexdigest()
        context["copy_matches"] = context["copy_sha256"] == result.sha256
        # A copy taken before the original was extended (a later signature, an archival
        # time-stamp): every byte of it begins the original.
        context["copy_is_earlier"] = not context["copy_matches"] and original.startswith(copy)
        context["copy_report"] = copy_report
    return _page(request, context)


@require_http_methods(["GET"])
def verify_result_xml(request: HttpRequest, token: str) -> HttpResponse:
    """The report of the stored original as XML after ETSI TS 119 102-2 (``etsi.py``)."""
    try:
        result = verification.document_by_token(token)
    except DomainError as exc:
        return _page(request, {"error": localise(exc.message)}, status=exc.status)
    report = validate_pdf(result.read())
    response = HttpResponse(etsi.report_xml(report), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{result.code}-bao-cao-xac-thuc.xml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
