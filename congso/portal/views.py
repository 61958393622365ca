"""The public look-up by dossier code (TT 01/2018 art. 16.2.d: without login, only the code and
how far the dossier has progressed). Reads through :mod:`congso.dossiers.lookup`: a code alone
tells only that the dossier exists; its stage needs the last 4 digits of the applicant's ID
number or phone; look-ups are throttled per address (issue 13 item 9). No personal data."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from congso.core.errors import DomainError, NotFound
from congso.core.throttle import client_address
from congso.dossiers import lookup as lookup_rules
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


THROTTLED = {
    "too_many_lookups": _(
        "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau %(time)s."
    ),
    "too_many_failures": _(
        "Đã nhập sai 4 chữ số xác minh quá nhiều lần. Vui lòng thử lại sau %(time)s."
    ),
    "code_locked": _(
        "Hồ sơ này đã bị nhập sai 4 chữ số xác minh quá nhiều lần. Vui lòng thử lại sau "
        "%(time)s, hoặc đăng nhập bằng tài khoản đã nộp hồ sơ để xem."
    ),
}
DIGITS_INVALID = _(
    "Nhập đúng 4 chữ số cuối của số định danh cá nhân (hoặc mã số thuế) hay số điện thoại của "
    "người nộp hồ sơ."
)
DIGITS_WRONG = _(
    "4 chữ số vừa nhập không khớp với số định danh cá nhân (mã số thuế) hay số điện thoại của "
    "người nộp hồ sơ."
)
ATTEMPTS_LEFT = _("Còn %(left)s lần thử.")


def _look_up(
    request: HttpRequest, code: str, address: str, context: dict[str, object]
) -> tuple[int, int | None]:
    """Fill ``context`` with what the visitor may learn; the status and Retry-After."""
    try:
        if request.method == "POST":
            digits = request.POST.get("so-cuoi", "")
            context["result"] = lookup_rules.status(code, digits, address=address)
        else:
            context["code"] = lookup_rules.exists(code, address=address)
    except lookup_rules.Throttled as exc:
        context["error"] = THROTTLED[exc.code] % {"time": exc.until}
        return 429, exc.retry_after
    except lookup_rules.VerificationFailed as exc:
        message = str(DIGITS_WRONG)
        if exc.left is not None:
            message += " " + str(ATTEMPTS_LEFT % {"left": exc.left})
        context["digits_error"], context["exists"] = message, True
        return 403, None
    except NotFound:
        context["error"] = NOT_FOUND
        return 404, None
    except DomainError:  # digits_invalid
        context["digits_error"], context["exists"] = DIGITS_INVALID, True
        return 400, None
    context["exists"] = True
    return 200, None


@require_http_methods(["GET", "POST"])
@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """GET ``?ma=<code>``: whether the dossier exists; POST ``ma`` and ``so-cuoi`` (the last 4
    digits of the applicant's ID number or phone): its stage (issue 13 item 9)."""
    posted = request.method == "POST"
    raw = (request.POST if posted else request.GET).get("ma")
    context: dict[str, object] = {
        "code": "",
        "error": "",
        "digits_error": "",
        "exists": False,
        "result": None,
        "searched": False,
    }
    status = 200
    retry_after: int | None = None
    if raw is not None:
        code = clean_code(raw)
        if raw != code and not posted:
            # One address per code: a scanned QR payload (which carries the applicant's ID),
            # spaces or lower case never stay in the address bar, the history or the page (the
            # language switcher echoes the full path).
            return HttpResponseRedirect(reverse("portal:lookup") + "?" + urlencode({"ma": code}))
        context["searched"] = True
        context["code"] = code[:MAX_CODE_LENGTH]
        address = client_address(request)
        if not code:
            context["error"], status = EMPTY, 400
        elif len(code) > MAX_CODE_LENGTH or not CODE_PATTERN.match(code):
            context["error"], status = MALFORMED, 400
        else:
            status, retry_after = _look_up(request, code, address, context)
    response = render(request, "portal/lookup.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
