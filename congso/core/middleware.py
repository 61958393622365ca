"""Request id: taken from ``X-Request-ID`` when a proxy sets a sane one, otherwise made here.

The id is stored in the context variable of :mod:`congso.core.context`, so the audit log and
the log lines carry it without every service having to pass the request around.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from congso.core.context import request_id_var
from congso.core.text import message_for

_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SANE.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class LoadSheddingMiddleware:
    """Answer 503 + Retry-After when the request already waited too long for a server thread.

    The wait is measured by ``congso.core.server.SheddingThreadWorker``; under any other server
    the header is absent and nothing is shed. Health checks are never shed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.limit = settings.SHED_QUEUE_MS / 1000

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("HTTP_X_CONGSO_QUEUE_WAIT")
        if raw and self.limit > 0 and request.path != "/healthz":
            try:
                waited = float(raw)
            except ValueError:
                waited = 0.0
            if waited > self.limit:
                response = JsonResponse(
                    {
                        "code": "overloaded",
                        "message": "Hệ thống đang quá tải, xin vui lòng thử lại sau ít giây.",
                        "field": None,
                    },
                    status=503,
                )
                response["Retry-After"] = str(settings.SHED_RETRY_AFTER_SECONDS)
                response["Content-Length"] = str(len(response.content))
                return response
        return self.get_response(request)


class InvalidTextMiddleware:
    """Refuse a request whose text holds a NUL character or a lone surrogate, naming the field
    (see :mod:`congso.core.text`): query-string values, form fields (URL-encoded or multipart)
    and JSON bodies. The API (``/api/``) answers its usual error body ``{"code": "invalid_text",
    "message", "field"}`` with status 422; pages answer 400 with the message in Vietnamese.

    Cheap on the common path: a JSON body is decoded again only when its bytes hold a ``\\u``
    escape (the only way a JSON text can spell a surrogate or NUL), a query string only when it
    holds ``%00`` (Django decodes invalid UTF-8, surrogates included, to U+FFFD)."""

    _BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = self._find(request)
        if bad is not None:
            return self._refuse(request, bad)
        return self.get_response(request)

    def _find(self, request: HttpRequest) -> str | None:
        query = request.META.get("QUERY_STRING", "")
        if query and ("%00" in query or "\x00" in query):
            bad = _first_in_querydict(request.GET)
            if bad is not None:
                return bad
        if request.method not in self._BODY_METHODS:
            return None
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _first_in_querydict(request.POST) or _first_file_name(request)
        if content_type == "application/json" or content_type.endswith("+json"):
            return _first_in_json(request)
        return None

    @staticmethod
    def _refuse(request: HttpRequest, field: str) -> HttpResponse:
        from congso.core.text import INVALID_TEXT

        name = field or "(nội dung)"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": INVALID_TEXT, "message": message_for(name), "field": name}, status=422
            )
        return render(
            request,
            "core/invalid_text.html",
            {"field": name, "message": message_for(name)},
            status=400,
        )


def _first_in_json(request: HttpRequest) -> str | None:
    from congso.core.text import first_invalid_path

    try:
        body = request.body
    except Exception:  # too large etc.: Django answers that itself later
        return None
    if b"\\u" not in body and b"\x00" not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None  # not JSON: the view's own parser reports it
    return first_invalid_path(data)


def _first_in_querydict(data: Any) -> str | None:
    from congso.core.text import is_valid_text, printable

    for key, values in data.lists():
        if not is_valid_text(key):
            return printable(str(key))
        for value in values:
            if isinstance(value, str) and not is_valid_text(value):
                return str(key)
    return None


def _first_file_name(request: HttpRequest) -> str | None:
    from congso.core.text import is_valid_text

    for key, uploads in request.FILES.lists():
        if any(not is_valid_text(getattr(upload, "name", "") or "") for upload in uploads):
            return str(key)
    return None
