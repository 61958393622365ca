"""Middleware of the whole site.

* Proxy headers: ``X-Forwarded-*`` are removed unless the peer is a configured reverse proxy.
* Security headers: Content-Security-Policy and Permissions-Policy on every response.
* Request id: taken from ``X-Request-ID`` when a proxy sets a sane one, otherwise made here.
  The id is stored in the context variable of :mod:`congso.core.context`, so the audit log and
  the log lines carry it without every service having to pass the request around.
* Load shedding and text that cannot be stored (below).
* Session refresh: the idle expiry slides without a write on every request (below).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from congso.core.clients import is_proxy
from congso.core.context import request_id_var
from congso.core.text import message_for

_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


#: Headers only a configured reverse proxy may set (``SECURE_PROXY_SSL_HEADER`` reads the first).
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST")


class ProxyHeadersMiddleware:
    """First in the chain: a request that did not come through one of
    ``settings.PROXY_ADDRESSES`` loses its ``X-Forwarded-*`` headers, so a client talking to
    the server directly can neither claim HTTPS (``SECURE_PROXY_SSL_HEADER``) nor choose the
    address the sign-in throttle counts (:func:`congso.core.clients.client_ip`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_proxy(request.META.get("REMOTE_ADDR")):
            for name in FORWARDED_HEADERS:
                request.META.pop(name, None)
        return self.get_response(request)


def header_value(directives: Mapping[str, Sequence[str] | bool]) -> str:
    """``{"default-src": ["'self'"], "upgrade-insecure-requests": True}`` →
    ``default-src 'self'; upgrade-insecure-requests`` (the shape of Django 6.0's
    ``SECURE_CSP``); a directive with an empty list or False is left out."""
    parts = []
    for name, value in directives.items():
        if value is True:
            parts.append(name)
        elif value:
            parts.append(" ".join([name, *value]))
    return "; ".join(parts)


def permissions_value(features: Mapping[str, Sequence[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{name}=({' '.join(allowed)})" for name, allowed in features.items())


class SecurityHeadersMiddleware:
    """``Content-Security-Policy`` (``settings.SECURE_CSP``, in Django 6.0's format, so the
    upgrade replaces this class by ``django.middleware.csp.ContentSecurityPolicyMiddleware``)
    and ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``) on every response, unless a
    view set its own. The values are computed once, at start-up: the policy is static (the
    templates load every script and style from static files, so no nonce is needed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.csp = header_value(settings.SECURE_CSP)
        self.permissions = permissions_value(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response


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


#: The session key holding when the session row was last written (seconds since the epoch).
SESSION_SEEN_KEY = "_congso_saved_at"


def stamp_session_at_login(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the sign-in's own save carries the stamp."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_SEEN_KEY] = int(time.time())


class SessionRefreshMiddleware:
    """Slide a session's idle expiry without rewriting it on every request (issue 22).

    ``SESSION_SAVE_EVERY_REQUEST`` rewrote the session row (and took SQLite's write lock) on
    every signed-in page view. Instead the session is saved when it changed, or when
    ``SESSION_REFRESH_SECONDS`` have passed since it was last saved; each save stamps the time.
    The expiry therefore still slides with use: a session ends between
    ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` seconds after
    its last request, never later. Listed right after ``SessionMiddleware`` (its answer is seen
    first here, so the stamp is part of the save)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.refresh = max(1, min(settings.SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response  # not read during this request, or no session: nothing to slide
        now = int(time.time())
        saved = session.get(SESSION_SEEN_KEY)
        if session.modified or not isinstance(saved, int) or now - saved >= self.refresh:
            session[SESSION_SEEN_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response
