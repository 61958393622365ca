"""Kannel's delivery-report callback: parse, call the notify service."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from congso.core.errors import NotFound
from congso.notify import services


@csrf_exempt
@require_GET
def kannel_dlr(request: HttpRequest, key: UUID) -> HttpResponse:
    """``GET …/dlr/<key>/?attempt=N&type=%d&answer=%A`` (Kannel substitutes %d and %A)."""
    try:
        attempt = int(request.GET.get("attempt", "0"))
        dlr_type = int(request.GET["type"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("attempt and type must be integers")
    try:
        services.delivery_report_record(
            key=str(key), attempt=attempt, dlr_type=dlr_type, answer=request.GET.get("answer", "")
        )
    except NotFound:
        return HttpResponse("unknown message", status=404, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
