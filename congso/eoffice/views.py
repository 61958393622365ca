"""The e-office pages of the officer workspace: what waits for me (the clerk's registrations,
numbering and updates; the leader's visas, signatures and assignments; the specialist's
documents to handle), the incoming and outgoing lists with the overdue ones, a document's page
with the actions its state and the person's roles allow, the draft form, the registers.
Thin: parse, call a service, show its error next to the field it names. Text from other
agencies is shown escaped (Django's autoescape)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.core.errors import DomainError, NotFound
from congso.eoffice import labels, pages, registerbook, selectors, services, signature
from congso.eoffice.forms import ActionForm, DraftForm
from congso.eoffice.models import (
    AssignmentRole,
    AxisAgency,
    Channel,
    Decision,
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    IncomingUpdate,
    State,
)
from congso.org.models import Agency, Role
from congso.org.permissions import current_roles

PAGE_SIZE = 25
LISTS = {
    "den": (_("Văn bản đến"), Direction.INCOMING),
    "di": (_("Văn bản đi"), Direction.OUTGOING),
    "qua-han": (_("Văn bản quá hạn xử lý"), Direction.INCOMING),
}
WORK = {
    "drafts": _("Dự thảo của tôi"),
    "review": _("Chờ tôi cho ý kiến (duyệt)"),
    "sign": _("Chờ tôi ký"),
    "clerk": _("Chờ văn thư: vào sổ, cấp số, cập nhật"),
    "assign": _("Chờ tôi phân công xử lý"),
    "handle": _("Tôi được giao xử lý"),
}
ACTIONS = {
    "submit": _("Trình duyệt"),
    "approve": _("Đồng ý (ký nháy)"),
    "send_back": _("Trả lại để sửa"),
    "sign": _("Ký số và chuyển văn thư"),
    "issue": _("Cấp số và ban hành"),
    "recall": _("Đề nghị nơi nhận trả lại văn bản (thu hồi)"),
    "revoke": _("Hủy bỏ văn bản (văn bản hết hiệu lực)"),
    "register": _("Vào sổ văn bản đến"),
    "return": _("Trả lại nơi gửi"),
    "assign": _("Phân công xử lý"),
    "comment": _("Ghi ý kiến xử lý"),
    "complete": _("Hoàn thành xử lý"),
    "recall_accept": _("Đồng ý trả lại văn bản"),
    "recall_refuse": _("Từ chối trả lại"),
    "update_accept": _("Chấp nhận bản cập nhật"),
    "update_refuse": _("Từ chối bản cập nhật"),
}
DONE = {
    "created": _("Đã lưu dự thảo."),
    "submit": _("Đã trình duyệt dự thảo."),
    "approve": _("Đã cho ý kiến đồng ý."),
    "send_back": _("Đã trả lại dự thảo để sửa."),
    "sign": _("Đã ký số văn bản, chuyển văn thư cấp số."),
    "issue": _("Đã cấp số và ban hành văn bản."),
    "recall": _("Đã gửi đề nghị thu hồi đến từng nơi nhận."),
    "revoke": _("Đã hủy bỏ văn bản, gửi gói thu hồi đến nơi nhận."),
    "register": _("Đã vào sổ văn bản đến."),
    "return": _("Đã trả lại văn bản cho nơi gửi."),
    "assign": _("Đã phân công xử lý."),
    "comment": _("Đã ghi ý kiến xử lý."),
    "complete": _("Đã hoàn thành xử lý văn bản."),
    "recall_accept": _("Đã đồng ý trả lại văn bản cho nơi gửi."),
    "recall_refuse": _("Đã từ chối yêu cầu thu hồi."),
    "update_accept": _("Đã chấp nhận: văn bản đến được cập nhật theo nơi gửi."),
    "update_refuse": _("Đã từ chối bản cập nhật."),
    "entered": _("Đã nhập văn bản đến. Kiểm tra thông tin rồi vào sổ."),
    "updated": _("Đã cập nhật văn bản, gửi bản cập nhật đến nơi nhận."),
}
FIELD_LABELS = {
    "subject": _("Trích yếu"),
    "content": _("Nội dung tóm tắt"),
    "to_places": _("Nơi nhận"),
    "reply_due": _("Hạn trả lời"),
    "page_count": _("Số trang"),
    "urgency": _("Độ khẩn"),
    "code_number": _("Số"),
    "code_notation": _("Ký hiệu"),
    "files": _("Tệp"),
    "state": _("Trạng thái"),
}


def _require_officer(request: HttpRequest) -> None:
    user = request.user
    if user.is_superuser:
        return
    if not current_roles(user, selectors.OFFICE_ROLES).exists():
        raise Forbidden


def _has(user: Any, agency_id: int, *roles: str) -> bool:
    return bool(
        user.is_superuser or current_roles(user, roles).filter(agency_id=agency_id).exists()
    )


def _document(request: HttpRequest, pk: int) -> Document:
    try:
        return selectors.document_for(request.user, pk)
    except NotFound:
        raise Http404 from None


def _people(agency_id: int) -> list[tuple[int, str]]:
    return [
        (user.pk, user.get_full_name() or user.get_username())
        for user in selectors.colleagues([agency_id])
    ]


# --- Lists --------------------------------------------------------------------------------------


@login_required
@never_cache
def work(request: HttpRequest) -> HttpResponse:
    _require_officer(request)
    found = selectors.my_work(request.user)
    sections = [(WORK[name], found[name]) for name in WORK if found[name]]
    overdue = list(selectors.overdue(request.user, mine=True)[:50])
    return render(
        request,
        "eoffice/work.html",
        {"sections": sections, "overdue": overdue, "tab": "work"},
    )


@login_required
@never_cache
def documents(request: HttpRequest, kind: str) -> HttpResponse:
    _require_officer(request)
    if kind not in LISTS:
        raise Http404
    title, direction = LISTS[kind]
    state = request.GET.get("trang-thai", "")
    if kind == "qua-han":
        queryset = selectors.overdue(request.user)
    else:
        queryset = selectors.documents_for(
            request.user, direction=direction, state=state if state in State.values else None
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("trang"))
    states = [
        (value, labels.label("state", value))
        for value in State.values
        if (value in INCOMING_STATES) == (direction == Direction.INCOMING)
    ]
    now = timezone.now()
    rows = [(doc, selectors.is_overdue(doc)) for doc in page.object_list]
    return render(
        request,
        "eoffice/list.html",
        {
            "title": title,
            "kind": kind,
            "page": page,
            "rows": rows,
            "states": states if kind != "qua-han" else [],
            "state": state,
            "incoming": direction == Direction.INCOMING,
            "now": now,
            "tab": kind,
        },
    )


INCOMING_STATES = {
    State.ARRIVED,
    State.RETURNED,
    State.REGISTERED,
    State.ASSIGNED,
    State.PROCESSING,
    State.DONE,
    State.WITHDRAWN,
}


# --- A document -----------------------------------------------------------------------------------


def _actions(user: Any, document: Document) -> list[str]:
    """The actions the page offers (the services still decide)."""
    agency = document.agency_id
    clerk = _has(user, agency, Role.CLERK)
    leader = _has(user, agency, Role.LEADER)
    found: list[str] = []
    if document.direction == Direction.OUTGOING:
        if document.state == State.DRAFT and (document.created_by_id == user.pk or clerk or leader):
            found.append("submit")
        if document.state == State.IN_REVIEW:
            step = (
                document.approvals.filter(decision=Decision.PENDING)
                .order_by("round", "position")
                .first()
            )
            if step is not None and step.reviewer_id == user.pk:
                found += ["approve", "send_back"]
        if document.state == State.APPROVED and document.signer_id == user.pk:
            found.append("sign")
        if document.state == State.SIGNED and clerk:
            found.append("issue")
        if (
            document.state == State.ISSUED
            and clerk
            and document.dispatches.filter(channel=Channel.AXIS).exists()
        ):
            asked = document.status_events.filter(direction=Direction.OUTGOING, code="13")
            found += ["revoke"] if asked.exists() else ["recall", "revoke"]
        return found
    handler = document.assignments.filter(
        user_id=user.pk, role__in=[AssignmentRole.LEAD, AssignmentRole.CO]
    )
    if document.state == State.ARRIVED and clerk:
        found += ["register", "return"]
    if document.state == State.REGISTERED and leader:
        found.append("assign")
    if document.state in (State.ASSIGNED, State.PROCESSING) and handler.exists():
        found.append("comment")
        if handler.filter(role=AssignmentRole.LEAD).exists():
            found.append("complete")
    if clerk and _recall_pending(document):
        found += ["recall_accept", "recall_refuse"]
    return found


def _recall_pending(document: Document) -> bool:
    return selectors.recall_pending(document)


def _shown(name: str, value: Any) -> str:
    if value is None or value in ("", []):
        return "—"
    if name == "reply_due" and isinstance(value, str) and len(value) == 10:
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    if name == "files" and isinstance(value, list):
        return "; ".join(str(sha)[:12] for sha in value)
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _diff_rows(update: IncomingUpdate) -> list[tuple[str, str, str]]:
    rows = []
    for name, pair in (update.diff or {}).items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        if name == "urgency":
            before, after = labels.label("urgency", before), labels.label("urgency", after)
        if name == "state":
            before, after = labels.from_wire("state", before), labels.from_wire("state", after)
        rows.append((str(FIELD_LABELS.get(name, name)), _shown(name, before), _shown(name, after)))
    return rows


def _detail(
    request: HttpRequest,
    document: Document,
    form: ActionForm | None = None,
    *,
    failed: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    actions = _actions(user, document)
    replies = [
        (reply.pk, f"{reply.number_notation} — {reply.subject[:80]}")
        for reply in document.replies.filter(state=State.ISSUED).order_by("pk")
    ]
    form = form or ActionForm(people=_people(document.agency_id), replies=replies)
    files = sorted(
        document.files.filter(version=document.version), key=lambda f: (f.role != "main", f.pk)
    )
    updates = [
        (update, _diff_rows(update)) for update in document.updates.order_by("created_at", "pk")
    ]
    can_reply = (
        document.direction == Direction.INCOMING
        and document.state in (State.ASSIGNED, State.PROCESSING)
        and "comment" in actions
    )
    clerk = _has(user, document.agency_id, Role.CLERK)
    done = request.GET.get("xong", "")
    return render(
        request,
        "eoffice/detail.html",
        {
            "document": document,
            "overdue": selectors.is_overdue(document),
            "files": files,
            "versions": list(document.versions.order_by("number")),
            "approvals": list(document.approvals.select_related("reviewer")),
            "dispatches": list(document.dispatches.all()),
            "assignments": list(document.assignments.select_related("user")),
            "comments": list(document.comments.select_related("author").order_by("created_at")),
            "events": services.status_history(document),
            # The public verification page of an issued, non-confidential outgoing document
            # (the address the QR code on the seal's stamp carries).
            "verify_url": signature.verify_url(document),
            "replies_sent": list(document.replies.all()),
            "updates": updates,
            "clerk": clerk,
            # One form per action, each with its own ids (two reasons on one page).
            "actions": [
                (
                    name,
                    ACTIONS[name],
                    form
                    if name == failed
                    else ActionForm(
                        people=_people(document.agency_id),
                        replies=replies,
                        auto_id=f"id_{name}_%s",
                    ),
                )
                for name in actions
                # The recall answers are the buttons of the recall card (cards.html).
                if name not in ("recall_accept", "recall_refuse")
            ],
            "form": form,
            "failed": failed,
            "can_reply": can_reply,
            "done": DONE.get(done, ""),
            "tab": "di" if document.direction == Direction.OUTGOING else "den",
            **pages.cards(request, document),
        },
        status=status,
    )


@login_required
@never_cache
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_officer(request)
    return _detail(request, _document(request, pk))


def _assign(actor: Any, pk: int, data: dict[str, Any]) -> Any:
    if not data["lead"]:
        raise DomainError("invalid_assignee", "Hãy chọn cán bộ chủ trì xử lý.", field="lead")
    return services.incoming_assign(
        actor=actor,
        document_id=pk,
        lead_id=data["lead"],
        co_ids=data["co"],
        info_ids=data["info"],
        working_days=data["working_days"],
    )


def _update(accept: bool) -> Any:
    def run(actor: Any, pk: int, data: dict[str, Any]) -> Any:
        return services.incoming_update_decide(
            actor=actor, update_id=data["update"] or 0, accept=accept, document_id=pk
        )

    return run


#: What each action calls: (actor, document id, the form's data).
RUNS: dict[str, Any] = {
    "submit": lambda a, pk, d: services.draft_submit(
        actor=a, document_id=pk, reviewer_ids=d["reviewers"]
    ),
    "approve": lambda a, pk, d: services.draft_review(
        actor=a, document_id=pk, approve=True, comment=d["comment"]
    ),
    "send_back": lambda a, pk, d: services.draft_review(
        actor=a, document_id=pk, approve=False, comment=d["comment"]
    ),
    "sign": lambda a, pk, d: services.document_sign(actor=a, document_id=pk),
    "issue": lambda a, pk, d: services.document_issue(actor=a, document_id=pk),
    "recall": lambda a, pk, d: services.document_recall(
        actor=a, document_id=pk, reason=d["reason"]
    ),
    "revoke": lambda a, pk, d: services.document_revoke(
        actor=a, document_id=pk, reason=d["reason"]
    ),
    "register": lambda a, pk, d: services.incoming_register(actor=a, document_id=pk),
    "return": lambda a, pk, d: services.incoming_return(
        actor=a, document_id=pk, reason=d["reason"]
    ),
    "assign": _assign,
    "comment": lambda a, pk, d: services.incoming_comment(actor=a, document_id=pk, text=d["text"]),
    "complete": lambda a, pk, d: services.incoming_complete(
        actor=a, document_id=pk, reply_id=d["reply"] or None, note=d["comment"]
    ),
    "recall_accept": lambda a, pk, d: services.incoming_recall_answer(
        actor=a, document_id=pk, accept=True
    ),
    "recall_refuse": lambda a, pk, d: services.incoming_recall_answer(
        actor=a, document_id=pk, accept=False
    ),
    "update_accept": _update(True),
    "update_refuse": _update(False),
}


@login_required
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    _require_officer(request)
    if name not in ACTIONS:
        raise Http404
    document = _document(request, pk)
    replies = [(r.pk, r.number_notation) for r in document.replies.filter(state=State.ISSUED)]
    form = ActionForm(request.POST, people=_people(document.agency_id), replies=replies)
    if not form.is_valid():
        return _detail(request, document, form, failed=name, status=400)
    try:
        result = RUNS[name](request.user, document.pk, form.cleaned_data)
    except DomainError as exc:
        form.add_domain_error(exc)
        return _detail(
            request, Document.objects.get(pk=document.pk), form, failed=name, status=exc.status
        )
    for warning in getattr(result, "warnings", ()):
        messages.warning(request, warning)
    return redirect(reverse("eoffice:detail", args=[document.pk]) + f"?xong={name}")


@login_required
def file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    _require_officer(request)
    document = _document(request, pk)
    row = DocumentFile.objects.filter(document=document, pk=file_id).first()
    if row is None:
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.mime_type, filename=row.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Drafting -----------------------------------------------------------------------------------


def _draft_form(request: HttpRequest, reply_to: Document | None) -> DraftForm:
    user = request.user
    agencies = list(selectors.office_agencies(user))
    if not agencies:
        raise Forbidden
    ids = [a.pk for a in agencies]
    signers = [
        (leader.pk, leader.get_full_name() or leader.get_username())
        for leader in selectors.colleagues(ids, (Role.LEADER,))
    ]
    directory = [
        (a.code, f"{a.name} ({a.code})")
        for a in Agency.objects.filter(active=True)
        .exclude(code="")
        .exclude(pk__in=ids)
        .order_by("name")
    ]
    local = {code for code, _ in directory} | set(
        Agency.objects.filter(pk__in=ids).values_list("code", flat=True)
    )
    directory += [
        (a.code, f"{a.name} ({a.code})")
        for a in AxisAgency.objects.filter(active=True).order_by("name")
        if a.code not in local
    ]
    today = timezone.localdate()
    doc_types: dict[str, DocumentType] = {}
    for kind in DocumentType.objects.filter(effective_from__lte=today).order_by("effective_from"):
        doc_types[kind.code] = kind
    initial: dict[str, Any] = {"agency": ids[0], "doc_type": "CV"}
    if reply_to is not None:
        initial.update(
            agency=reply_to.agency_id,
            reply_to=reply_to.pk,
            recipients=[reply_to.issuer_code] if reply_to.issuer_code else [],
            subject=f"V/v trả lời văn bản số {reply_to.number_notation}",
            to_places=f"{reply_to.issuer_name}\nLưu: VT",
        )
    return DraftForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        doc_types=sorted(doc_types.values(), key=lambda t: (t.position, t.code)),
        signers=signers,
        directory=directory,
        initial=initial,
    )


@login_required
@never_cache
def draft_new(request: HttpRequest) -> HttpResponse:
    _require_officer(request)
    reply_to = None
    reply_pk = request.GET.get("tra-loi") or request.POST.get("reply_to")
    if reply_pk and str(reply_pk).isdigit():
        reply_to = _document(request, int(reply_pk))
    form = _draft_form(request, reply_to)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            document = services.draft_create(
                actor=request.user,
                **form.draft_fields(),
                reply_to_id=form.cleaned_data["reply_to"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            return redirect(reverse("eoffice:detail", args=[document.pk]) + "?xong=created")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "eoffice/draft.html",
        {"form": form, "reply_to": reply_to, "tab": "new"},
        status=status,
    )


# --- Registers ----------------------------------------------------------------------------------


@login_required
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """A register (sổ đi / sổ đến) of one agency and year, on the page, as a PDF to print
    (ND 30 Annex IV) or as an Excel workbook; for the agency's clerks and leaders."""
    _require_officer(request)
    agencies = list(selectors.office_agencies(request.user, (Role.CLERK, Role.LEADER)))
    if not agencies:
        raise Forbidden
    by_pk = {a.pk: a for a in agencies}
    chosen = request.GET.get("co-quan", "")
    agency = by_pk.get(int(chosen)) if chosen.isdigit() else agencies[0]
    if agency is None:
        raise Http404
    direction = Direction.INCOMING if request.GET.get("so") == "den" else Direction.OUTGOING
    year_text = request.GET.get("nam", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    confidential = request.GET.get("mat") == "1"
    entries = list(
        selectors.register(
            request.user,
            agency_id=agency.pk,
            direction=direction,
            year=year,
            confidential=confidential,
        )
        .select_related("doc_type", "reply_to", "duplicate_of")
        .prefetch_related("dispatches", "assignments__user", "files")
    )
    book = registerbook.Register(
        agency_name=agency.name,
        parent_name=agency.parent.name if agency.parent_id else "",  # type: ignore[union-attr]
        direction=direction,
        year=year,
        confidential=confidential,
        entries=entries,
    )
    kind = "di" if direction == Direction.OUTGOING else "den"
    filename = f"so-van-ban-{kind}-{agency.code}-{year}{'-mat' if confidential else ''}"
    output = request.GET.get("dinh-dang", "")
    if output == "pdf":
        response = HttpResponse(registerbook.pdf(book), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    if output == "xlsx":
        response = HttpResponse(
            registerbook.xlsx(book),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if output in ("csv", "json"):
        data = (
            registerbook.metadata_csv(book) if output == "csv" else registerbook.metadata_json(book)
        )
        response = HttpResponse(
            data,
            content_type="text/csv; charset=utf-8"
            if output == "csv"
            else "application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.{output}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    query = f"co-quan={agency.pk}&so={kind}&nam={year}{'&mat=1' if confidential else ''}"
    return render(
        request,
        "eoffice/register.html",
        {
            "book": book,
            "columns": [name for name, _ in registerbook.COLUMNS[direction]],
            "rows": registerbook.rows(book),
            "agencies": agencies,
            "agency": agency,
            "kind": kind,
            "year": year,
            "confidential": confidential,
            "query": query,
            "tab": "so",
        },
    )
