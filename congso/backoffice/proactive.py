"""The proactive services' officer page (/can-bo/dich-vu-chu-dong/, issue 21): the measures
per rule (offers made, accepted, declined, completed, time saved) and the review queue of the
"act by itself" offers (ND 224/2026 art. 16.4), each approved or sent back
(:func:`congso.lifeevents.services.offer_review`). Thin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.core.errors import DomainError, PermissionDenied, localise
from congso.lifeevents import selectors, services


@login_required
@never_cache
def proactive(request: HttpRequest) -> HttpResponse:
    try:
        queue = list(selectors.review_queue_for(request.user)[:100])
    except PermissionDenied as exc:
        return render(
            request, "backoffice/proactive.html", {"denied": localise(exc.message)}, status=403
        )
    context = {
        "queue": queue,
        "measures": selectors.measures(),
        "totals": selectors.totals(),
        "error": request.GET.get("loi", ""),
        "done": gettext("Đã ghi nhận.") if request.GET.get("da") else "",
    }
    return render(request, "backoffice/proactive.html", context)


@login_required
@require_POST
def review(request: HttpRequest, offer_id: int) -> HttpResponse:
    url = reverse("backoffice:proactive")
    try:
        services.offer_review(
            actor=request.user,
            offer_id=offer_id,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        return redirect(url + "?" + urlencode({"loi": localise(exc.message)}))
    return redirect(url + "?da=1")
