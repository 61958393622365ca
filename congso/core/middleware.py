"""Request id: taken from ``X-Request-ID`` when a proxy sets a sane one, otherwise made here.

The id is stored in a context variable so the audit log can record it without every service
having to pass the request around.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return request_id_var.get()


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
