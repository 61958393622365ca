"""API v1: a thin HTTP layer over the domain services. The domain never imports this package.

Errors are JSON ``{"code", "message", "field"}``: ``code`` is stable and machine-readable,
``message`` is Vietnamese, ``field`` names the offending input when there is one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from congso.api import calendar as calendar_api
from congso.api import catalog as catalog_api
from congso.api import dossiers as dossiers_api
from congso.api import org as org_api
from congso.api import signing as signing_api
from congso.core.errors import DomainError

api = NinjaAPI(
    title="Công Sở API",
    version="1",
    description=(
        "API của nền tảng Công Sở (dịch vụ công trực tuyến, một cửa điện tử). "
        "Errors: JSON {code, message, field} with a stable code and a Vietnamese message."
    ),
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "body", "path")]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "")})
    first = errors[0]["field"] if errors else None
    body = {
        "code": "validation_error",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "field": first,
        "errors": errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    body = {"code": codes.get(exc.status_code, "error"), "message": str(exc), "field": None}
    return api.create_response(request, body, status=exc.status_code)


api.add_router("/calendar", calendar_api.router, tags=["calendar"])
api.add_router("/org", org_api.router, tags=["org"])
api.add_router("/procedures", catalog_api.router, tags=["catalog"])
api.add_router("/dossiers", dossiers_api.router, tags=["dossiers"])
api.add_router("/lookup", dossiers_api.lookup_router, tags=["dossiers"])
api.add_router("/signatures", signing_api.router, tags=["signatures"])
