"""The public look-up by dossier code (TT 01/2018 art. 16.2.d: without login, only the code and
how far the dossier has progressed). Reads through :func:`congso.dossiers.selectors.lookup`,
which returns no personal data."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from congso.core.errors import NotFound
from congso.dossiers import selectors
from congso.printing.qr import dossier_code_from_scan

#: Longest dossier code accepted (the model's limit).
MAX_CODE_LENGTH = 60
CODE_PATTERN = re.compile(r"^[0-9A-Z.\-]+$")

EMPTY = _("Vui lòng nhập mã số hồ sơ.")
MALFORMED = _(
    "Mã số hồ sơ chỉ gồm chữ cái không dấu, chữ số, dấu chấm (.) và dấu gạch ngang (-), "
    "tối đa 60 ký tự."
)
NOT_FOUND = _(
    "Không tìm thấy hồ sơ có mã số này. Vui lòng kiểm tra lại mã số ghi trên Giấy tiếp nhận hồ "
    "sơ và hẹn trả kết quả."
)


def clean_code(raw: str) -> str:
    """The code typed or scanned: a bare code, or the receipt's QR payload
    (``code|procedure|applicant``), whose other fields are dropped here and never shown."""
    return selectors.normalise_code(dossier_code_from_scan(raw))


@require_GET
@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("ma")
    context: dict[str, object] = {"code": "", "error": "", "result": None, "searched": False}
    status = 200
    if raw is not None:
        code = clean_code(raw)
        if raw != code:
            # One address per code: a scanned QR payload (which carries the applicant's ID),
            # spaces or lower case never stay in the address bar, the history or the page (the
            # language switcher echoes the full path).
            return HttpResponseRedirect(reverse("portal:lookup") + "?" + urlencode({"ma": code}))
        context["searched"] = True
        context["code"] = code[:MAX_CODE_LENGTH]
        if not code:
            context["error"], status = EMPTY, 400
        elif len(code) > MAX_CODE_LENGTH or not CODE_PATTERN.match(code):
            context["error"], status = MALFORMED, 400
        else:
            try:
                context["result"] = selectors.lookup(code)
            except NotFound:
                context["error"], status = NOT_FOUND, 404
    response = render(request, "portal/lookup.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
