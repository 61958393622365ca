"""Downloads of the printed forms. Thin: parse the request, find the dossier through the
permission layer (``Dossier.objects.restrict(user, "view")``, via
:func:`congso.dossiers.selectors.dossier_for`), render, answer with the PDF.

Officers (``/can-bo/…``, behind the second factor) get the dossier forms of the dossiers they
may see — numbered as in the dossier's form set (01–05 of TT 01/2018 before 15/9/2025, 01–06 of
TT 03/2025 from then on) — and the tracking book of a desk of theirs; the applicant gets their
own form 01. A
dossier out of scope, or a form the dossier does not have yet, is a 404 — the same answer as a
code that does not exist.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from congso.core.errors import DomainError, NotFound
from congso.dossiers import selectors
from congso.dossiers.models import Dossier
from congso.dossiers.permissions import is_applicant
from congso.org.models import Desk
from congso.org.selectors import is_officer
from congso.printing.context import FormNotAvailable
from congso.printing.forms import render_form, render_tracking_book

#: Longest period one tracking-book download may cover.
MAX_BOOK_DAYS = 366
MAX_NUMBER_LENGTH = 30


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return selectors.dossier_for(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def lookup_url(request: HttpRequest, code: str) -> str:
    """The absolute address of the public look-up page for ``code`` (printed on form 01)."""
    return request.build_absolute_uri(reverse("portal:lookup") + "?" + urlencode({"ma": code}))


def _render(number: int, dossier: Dossier, request_data: dict[str, Any]) -> HttpResponse:
    try:
        content = render_form(number, dossier, request_data=request_data)
    except FormNotAvailable as exc:
        raise Http404(exc.message) from exc
    return _pdf(content, f"mau-{number:02d}-{dossier.code}.pdf")


@require_GET
@never_cache
@login_required
def dossier_form(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """Officers: form ``number`` of the dossier's set (01–05 or 01–06) of a dossier they may see.

    Optional query parameters: ``so`` — the registered document number to print as "Số: …";
    ``yeu-cau`` — which supplement request form 02 prints (default: the latest).
    """
    if not is_officer(request.user):
        raise Http404("Không tìm thấy hồ sơ.")
    dossier = _dossier(request, code)
    doc_number = request.GET.get("so", "").strip()
    if len(doc_number) > MAX_NUMBER_LENGTH:
        return _bad_request(f"Số văn bản dài quá {MAX_NUMBER_LENGTH} ký tự.")
    request_data: dict[str, Any] = {"number": doc_number, "lookup_url": lookup_url(request, code)}
    supplement = request.GET.get("yeu-cau", "").strip()
    if supplement:
        if not supplement.isdigit():
            return _bad_request("Mã yêu cầu bổ sung (yeu-cau) phải là số.")
        request_data["supplement_id"] = int(supplement)
    return _render(int(number), dossier, request_data)


@require_GET
@never_cache
@login_required
def applicant_receipt(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant: the receipt and appointment (form 01) of their own dossier."""
    dossier = _dossier(request, code)
    if not is_applicant(request.user, dossier):
        raise Http404("Không tìm thấy hồ sơ.")
    return _render(1, dossier, {"lookup_url": lookup_url(request, dossier.code)})


def _date(value: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(
            "invalid_date", f"Ngày «{name}» phải có dạng YYYY-MM-DD.", field=name
        ) from exc


def _book_query(params: Any) -> tuple[int, datetime.date, datetime.date]:
    desk = (params.get("desk") or "").strip()
    if not desk.isdigit():
        raise DomainError("invalid_desk", "Thiếu hoặc sai mã bộ phận một cửa (desk).", field="desk")
    date_from = _date((params.get("from") or "").strip(), "from")
    date_to = _date((params.get("to") or "").strip(), "to")
    if date_from > date_to:
        raise DomainError(
            "invalid_range", "Ngày bắt đầu (from) phải trước ngày kết thúc (to).", field="from"
        )
    if (date_to - date_from).days >= MAX_BOOK_DAYS:
        raise DomainError(
            "range_too_long",
            f"Mỗi lần in sổ theo dõi hồ sơ tối đa {MAX_BOOK_DAYS} ngày.",
            field="to",
        )
    return int(desk), date_from, date_to


@require_GET
@never_cache
@login_required
def tracking_book(request: HttpRequest) -> HttpResponse:
    """Officers: the tracking book (form 06) of a desk of their agency over a period
    (``?desk=<id>&from=YYYY-MM-DD&to=YYYY-MM-DD``), listing the dossiers they may see."""
    try:
        desk_id, date_from, date_to = _book_query(request.GET)
    except DomainError as exc:
        return _bad_request(exc.message)
    if not is_officer(request.user):
        raise Http404("Không tìm thấy bộ phận một cửa.")
    desk = Desk.objects.restrict(request.user, "view").filter(pk=desk_id).first()
    if desk is None:
        raise Http404("Không tìm thấy bộ phận một cửa.")
    content = render_tracking_book(
        desk, date_from, date_to, queryset=Dossier.objects.restrict(request.user, "view")
    )
    return _pdf(content, f"so-theo-doi-{desk.pk}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf")
