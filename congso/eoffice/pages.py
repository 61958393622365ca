"""The e-office pages with a form of their own — the clerk's entry of a document that came on
paper or by e-mail, the correction of an issued document (sent as an update package) — and the
cards of a document's page that each say one thing: a recall the sender asked for, an update
or a revocation received, how far our own recall went. Thin like :mod:`congso.eoffice.views`:
parse, call a service, show its error next to the field it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from congso.core.errors import DomainError, NotFound
from congso.eoffice import edxml, selectors, services
from congso.eoffice.forms import IncomingForm, UpdateForm
from congso.eoffice.models import (
    Channel,
    Direction,
    Document,
    DocumentType,
    State,
    StatusEvent,
)
from congso.org.models import Role
from congso.org.permissions import current_roles


def _types() -> list[DocumentType]:
    today = timezone.localdate()
    found: dict[str, DocumentType] = {}
    for kind in DocumentType.objects.filter(effective_from__lte=today).order_by("effective_from"):
        found[kind.code] = kind
    return sorted(found.values(), key=lambda t: (t.position, t.code))


def _clerk_of(user: Any, agency_id: int) -> bool:
    return bool(
        user.is_superuser or current_roles(user, (Role.CLERK,)).filter(agency_id=agency_id).exists()
    )


# --- Paper and e-mail incoming documents ------------------------------------------------------


@login_required
@never_cache
def incoming_new(request: HttpRequest) -> HttpResponse:
    """«Nhập văn bản đến»: the clerk enters a scanned paper document or one received by
    e-mail; it is then registered from its page like one from the axis."""
    agencies = list(selectors.office_agencies(request.user, (Role.CLERK,)))
    if not agencies:
        raise Forbidden
    form = IncomingForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        doc_types=_types(),
        initial={"agency": agencies[0].pk, "doc_type": "CV", "received_by": Channel.PAPER},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.incoming_create(
                actor=request.user,
                agency_id=data["agency"],
                doc_type_code=data["doc_type"],
                issuer_code=data["issuer_code"],
                issuer_name=data["issuer_name"],
                code_number=data["code_number"],
                code_notation=data["code_notation"],
                issued_on=data["issued_on"],
                subject=data["subject"],
                main=services.Upload(data["main"].name, data["main"].read()),
                attachments=[services.Upload(f.name, f.read()) for f in data["attachments"]],
                signer_name=data["signer_name"],
                signer_position=data["signer_position"],
                urgency=data["urgency"],
                confidentiality=data["confidentiality"],
                reply_due=data["reply_due"],
                page_count=data["page_count"],
                received_by=data["received_by"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            return redirect(reverse("eoffice:detail", args=[document.pk]) + "?xong=entered")
    elif request.method == "POST":
        status = 400
    return render(request, "eoffice/incoming.html", {"form": form, "tab": "nhap"}, status=status)


# --- Correcting an issued document ------------------------------------------------------------


@login_required
@never_cache
def document_update(request: HttpRequest, pk: int) -> HttpResponse:
    """«Cập nhật, đính chính»: the issuer's clerk corrects an issued document; what changed
    goes to every axis recipient as an update package, whose clerk accepts or refuses it."""
    try:
        document = selectors.document_for(request.user, pk)
    except NotFound:
        raise Http404 from None
    if document.direction != Direction.OUTGOING or document.state != State.ISSUED:
        raise Http404
    if not _clerk_of(request.user, document.agency_id):
        raise Forbidden
    form = UpdateForm(request.POST or None, initial=UpdateForm.initial_for(document))
    status = 200
    if request.method == "POST" and form.is_valid():
        changes = form.changes(document)
        if not changes:
            form.add_error(None, "Chưa có thông tin nào thay đổi so với văn bản đã ban hành.")
            status = 400
        else:
            try:
                services.document_update(
                    actor=request.user,
                    document_id=document.pk,
                    changes=changes,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                return redirect(reverse("eoffice:detail", args=[document.pk]) + "?xong=updated")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "eoffice/update.html",
        {"form": form, "document": document, "tab": "di"},
        status=status,
    )


# --- The cards of a document's page -----------------------------------------------------------


@dataclass
class RecallRow:
    recipient: str
    answer: str  # "" waiting, "15" accepted, "16" refused
    at: Any = None
    note: str = ""


@dataclass
class Recall:
    """Our recall request (13) and each axis recipient's answer."""

    reason: str
    at: Any
    rows: list[RecallRow] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(1 for row in self.rows if row.answer == edxml.RECALL_ACCEPTED)

    @property
    def refused(self) -> int:
        return sum(1 for row in self.rows if row.answer == edxml.RECALL_REFUSED)

    @property
    def waiting(self) -> int:
        return sum(1 for row in self.rows if not row.answer)


def _recall_sent(document: Document) -> Recall | None:
    asked = list(
        document.status_events.filter(
            direction=Direction.OUTGOING, code=edxml.RECALL_REQUESTED
        ).order_by("at", "pk")
    )
    if not asked:
        return None
    recall = Recall(reason=asked[0].description, at=asked[0].at)
    answers: dict[int, StatusEvent] = {}
    for event in document.status_events.filter(
        direction=Direction.INCOMING,
        code__in=[edxml.RECALL_ACCEPTED, edxml.RECALL_REFUSED],
        at__gte=asked[0].at,
    ).order_by("at", "pk"):
        if event.dispatch_id is not None and event.description not in selectors.UPDATE_ANSWERS:
            answers[event.dispatch_id] = event
    for dispatch in document.dispatches.filter(channel=Channel.AXIS):
        answer = answers.get(dispatch.pk)
        recall.rows.append(
            RecallRow(
                recipient=dispatch.recipient_name,
                answer=answer.code if answer else "",
                at=answer.at if answer else None,
                note=answer.description if answer else "",
            )
        )
    return recall


@dataclass
class RecallAsked:
    """The sender's recall request (13) on one of our incoming documents, and our answer."""

    reason: str
    at: Any
    staff: str
    answer: str = ""
    answered_at: Any = None
    pending: bool = True


def _recall_received(document: Document) -> RecallAsked | None:
    asked = selectors.recall_request(document)
    if asked is None:
        return None
    answer = selectors.recall_answer(document)
    return RecallAsked(
        reason=asked.description,
        at=asked.at,
        staff=asked.staff,
        answer=answer.code if answer else "",
        answered_at=answer.at if answer else None,
        pending=answer is None,
    )


def cards(request: HttpRequest, document: Document) -> dict[str, Any]:
    """What the document's page shows as cards of their own, one meaning each."""
    user = request.user
    clerk = _clerk_of(user, document.agency_id)
    outgoing = document.direction == Direction.OUTGOING
    return {
        "recall_sent": _recall_sent(document) if outgoing else None,
        "recall_asked": None if outgoing else _recall_received(document),
        "can_update": outgoing and clerk and document.state == State.ISSUED,
    }
