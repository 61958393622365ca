"""Floors for the benchmarks: the least a Django view on this server and database can do.

Mounted only when ``CONGSO_BENCH_FLOOR`` is on (the benchmark turns it on); the same server,
settings and middleware serve them, so the ratio to congso's own endpoints is fair.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from congso.benchfloor.models import FloorRow


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    row = FloorRow.objects.create(payload=json.loads(request.body or b"{}"))
    return JsonResponse({"id": row.pk}, status=201)


@require_GET
def read(request: HttpRequest, pk: int) -> JsonResponse:
    row = get_object_or_404(FloorRow, pk=pk)
    return JsonResponse({"id": row.pk, "payload": row.payload, "created_at": row.created_at})
