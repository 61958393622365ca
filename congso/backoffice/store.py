"""The officer's side of "Giấy tờ của tôi": mark a dossier's component file as a digitised
paper of the applicant (issuer, number, date, validity), kept in the citizen's store
(:func:`congso.docstore.services.document_digitise`). Thin: parse, call, render."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from congso.backoffice.views import _dossier
from congso.core.errors import DomainError, localise
from congso.docstore import services as store
from congso.docstore.models import StoredDocument


def _date(raw: str, field: str) -> datetime.date | None:
    if not raw.strip():
        return None
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise DomainError("digitise_invalid", "Ngày không hợp lệ.", field=field) from None


@login_required
@never_cache
def digitise(request: HttpRequest, code: str, component_id: int) -> HttpResponse:
    dossier = _dossier(request, code)
    component = dossier.components.filter(pk=component_id).first()
    if component is None:
        raise Http404
    existing = StoredDocument.objects.filter(
        attachment__component=component, citizen=dossier.applicant_citizen
    ).first()
    values = {
        "title": existing.title if existing else component.name,
        "issuer": existing.issuer if existing else "",
        "number": existing.number if existing else "",
        "issued_on": existing.issued_on.isoformat() if existing and existing.issued_on else "",
        "valid_until": (
            existing.valid_until.isoformat() if existing and existing.valid_until else ""
        ),
    }
    error = ""
    status = 200
    if request.method == "POST":
        values = {key: request.POST.get(key, "")[:300] for key in values}
        try:
            store.document_digitise(
                actor=request.user,
                component=component,
                title=values["title"],
                issuer=values["issuer"],
                number=values["number"],
                issued_on=_date(values["issued_on"], "issued_on"),
                valid_until=_date(values["valid_until"], "valid_until"),
            )
        except DomainError as exc:
            error, status = localise(exc.message), 422
        else:
            return redirect(reverse("backoffice:dossier", kwargs={"code": dossier.code}) + "#tp")
    context = {
        "dossier": dossier,
        "component": component,
        "values": values,
        "existing": existing,
        "error": error,
    }
    return render(request, "backoffice/digitise.html", context, status=status)
