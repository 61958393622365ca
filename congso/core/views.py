from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from congso.core.worker import worker_state


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and worker state. 200 while the database answers (status "degraded" when the
    worker is down: pages still work, background work waits in the job table); 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        database = {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
        return JsonResponse({"status": "down", "database": database}, status=503)
    work = worker_state()
    status = "ok" if work["ok"] else "degraded"
    return JsonResponse({"status": status, "database": database, "worker": work})


#: Searches offered under the home page's search box (words, not codes: they keep working when
#: the catalogue changes).
POPULAR_SEARCHES = (
    "Đăng ký khai sinh",
    "Đăng ký kết hôn",
    "Đăng ký thường trú",
    "Đăng ký hộ kinh doanh",
    "Chứng thực bản sao",
)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"popular_searches": POPULAR_SEARCHES})
