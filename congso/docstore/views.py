"""The citizen's page "Giấy tờ của tôi": what the store holds, where each entry came from, where
it was reused, and the consent to reuse (withdraw / allow again)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.core.errors import DomainError, localise
from congso.docstore import selectors, services


@login_required
@never_cache
def my_documents(request: HttpRequest) -> HttpResponse:
    documents = list(selectors.documents_for_user(request.user))
    today = timezone.localdate()
    rows = [
        {"document": d, "valid": d.valid_on(today), "reuses": list(d.reuses.all())}
        for d in documents
    ]
    return render(request, "docstore/my_documents.html", {"rows": rows})


@login_required
@require_POST
def consent(request: HttpRequest, document_id: int) -> HttpResponse:
    allowed = request.POST.get("allow") == "1"
    try:
        document = services.reuse_set(actor=request.user, document_id=document_id, allowed=allowed)
    except DomainError as exc:
        messages.error(request, localise(exc.message))
    else:
        if allowed:
            text = gettext("Đã cho phép dùng lại «%(title)s» khi nộp hồ sơ.")
        else:
            text = gettext("Đã rút lại: «%(title)s» sẽ không được dùng lại cho hồ sơ mới.")
        messages.success(request, text % {"title": document.title})
    return redirect("docstore:mine")


@login_required
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    document = selectors.documents_for_user(request.user).filter(pk=document_id).first()
    if document is None:
        raise Http404
    name = (document.attachment.original_name if document.attachment else "") or (
        f"{document.number or 'giay-to'}.pdf"
    )
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=name, content_type=document.mime_type
    )
