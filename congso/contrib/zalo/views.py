"""Zalo's callback address (the OA's webhook): verify, record, answer quickly (Zalo gives up on a
webhook that does not answer 200 within two seconds)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from congso.contrib.zalo import services


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    try:
        outcome = services.callback_record(
            body=request.body, signature=request.headers.get("X-ZEvent-Signature", "")
        )
    except services.CallbackRefused as exc:
        return HttpResponse(exc.code, status=exc.status, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
