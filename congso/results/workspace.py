"""E-results in the officer workspace (under ``/can-bo/``, behind the second factor) and in the
citizen's account. Thin: dossiers are read through ``dossier_for`` (``restrict()``), every
change goes through :mod:`congso.results.services`, a service's error is shown in Vietnamese on
the confirmation page and nothing is lost (the stored result only changes when a signature
succeeds)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from congso.core.errors import DomainError, NotFound
from congso.dossiers import selectors as dossier_selectors
from congso.dossiers.models import Dossier
from congso.dossiers.permissions import is_applicant
from congso.org.permissions import current_roles
from congso.printing.eresults import EResult
from congso.printing.layout import date_line
from congso.results import selectors, services
from congso.results.models import ResultStatus, SignedResult
from congso.signing.models import SignatureRole

#: Notices shown on the dossier page after an action (``?ketqua=<key>``).
NOTICES = {
    "lap": _("Đã lập kết quả điện tử; đang chờ ký số."),
    "ky": _("Đã ký số kết quả điện tử."),
}


def _officer_dossier(request: HttpRequest, code: str) -> Dossier:
    user = request.user
    if not (user.is_authenticated and (user.is_superuser or current_roles(user).exists())):
        raise Http404
    try:
        return dossier_selectors.dossier_for(user, code)
    except NotFound:
        raise Http404 from None


def _result(dossier: Dossier, number: int) -> SignedResult:
    result = (
        SignedResult.objects.select_related("dossier")
        .filter(dossier=dossier, number=number)
        .first()
    )
    if result is None:
        raise Http404
    return result


def _back(dossier: Dossier, notice: str) -> HttpResponse:
    url = reverse("backoffice:dossier", kwargs={"code": dossier.code})
    return redirect(f"{url}?ketqua={notice}#ket-qua-dien-tu")


def _preview(doc: EResult | None, heading: Any, note: Any) -> dict[str, Any]:
    if doc is None:
        return {}
    return {
        "doc": doc,
        "date_line": date_line(doc.place, datetime.date.fromisoformat(doc.issued_on)),
        "preview_heading": heading,
        "preview_note": note,
    }


def _stored_document(result: SignedResult) -> EResult | None:
    """The document the stored file prints (kept with the result when it was prepared)."""
    if not result.content:
        return None
    try:
        return EResult.from_dict(result.content)
    except (KeyError, TypeError, ValueError):
        return None


def _page(request: HttpRequest, context: dict[str, Any], error: str = "") -> HttpResponse:
    context["error"] = error
    return render(request, "results/officer_action.html", context, status=422 if error else 200)


@login_required
@never_cache
def prepare(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm (GET) and prepare (POST) the next e-result of a dossier."""
    dossier = _officer_dossier(request, code)
    context: dict[str, Any] = {
        "dossier": dossier,
        "action": "prepare",
        "title": _("Lập kết quả điện tử"),
        "template": selectors.template_of(dossier),
        "previous": selectors.latest_result(dossier),
    }
    if dossier.status in selectors.PREPARE_STATUSES:
        context["preview"] = _preview(
            services.result_preview(dossier),
            _("Xem trước văn bản sẽ lập"),
            _(
                "Văn bản lập từ tờ khai của hồ sơ, đúng như bản in; số đăng ký được cấp khi "
                "xác nhận. Kiểm tra kỹ trước khi trình lãnh đạo ký."
            ),
        )
    if request.method == "POST":
        try:
            services.result_prepare(actor=request.user, dossier=dossier)
        except DomainError as exc:
            return _page(request, context, exc.message)
        return _back(dossier, "lap")
    return _page(request, context)


@login_required
@never_cache
def sign(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """Confirm (GET) and make (POST) the next signature of a result with one of the officer's
    own signer profiles."""
    dossier = _officer_dossier(request, code)
    result = _result(dossier, number)
    profiles = selectors.signing_profiles(request.user, result)
    role = result.next_role()
    context: dict[str, Any] = {
        "dossier": dossier,
        "action": "sign",
        "title": _("Ký số kết quả điện tử"),
        "result": result,
        "profiles": profiles,
        "next_role": SignatureRole(role).label if role else "",
        "signatures": list(result.signatures.all()),
        "preview": _preview(
            _stored_document(result),
            _("Văn bản trình ký"),
            _("Nội dung của tệp sẽ được ký số (mã kết quả %(code)s).") % {"code": result.code},
        ),
    }
    if request.method == "POST":
        # Any of the officer's own profiles: the service says why it may not sign (turn,
        # agency, inactive key) rather than a generic refusal.
        chosen = selectors.own_profile(request.user, request.POST.get("profile", ""))
        try:
            if result.status == ResultStatus.SIGNED:
                raise DomainError("already_signed", "Kết quả đã được ký đủ.")
            if chosen is None:
                raise DomainError(
                    "profile_required",
                    "Hãy chọn chữ ký số của mình để ký (chỉ người được cấp chữ ký số, đúng lượt "
                    "ký, mới ký được).",
                )
            services.result_sign(
                actor=request.user,
                result=result,
                profile=chosen,
                expected_sha256=request.POST.get("sha256", "").strip() or None,
            )
        except DomainError as exc:
            result.refresh_from_db()
            context["profiles"] = selectors.signing_profiles(request.user, result)
            return _page(request, context, exc.message)
        return _back(dossier, "ky")
    return _page(request, context)


def _pdf(result: SignedResult, *, inline: bool) -> FileResponse:
    response = FileResponse(
        result.file.open("rb"),
        as_attachment=not inline,
        filename=f"{result.code}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
def officer_pdf(request: HttpRequest, code: str, number: int) -> FileResponse:
    """The stored PDF itself, shown in the browser: to check it before signing, or to print it
    when the result is returned at the desk."""
    dossier = _officer_dossier(request, code)
    return _pdf(_result(dossier, number), inline=True)


@login_required
@never_cache
def citizen_pdf(request: HttpRequest, code: str, number: int) -> FileResponse:
    """The applicant downloads a fully signed result from their account."""
    try:
        dossier = dossier_selectors.dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    if not is_applicant(request.user, dossier):
        raise Http404
    result = _result(dossier, number)
    if result not in selectors.signed_results_for_applicant(dossier):
        raise Http404
    return _pdf(result, inline=False)
