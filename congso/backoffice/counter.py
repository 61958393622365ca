"""Counter reception (tiếp nhận trực tiếp): the one-stop officer enters a dossier handed in at
the desk. Choose the procedure (diacritics optional), the applicant (looked up by personal ID
or tax code, or typed in), the form data from the procedure's schema (the portal's
:mod:`congso.portal.schemaform`), the components received on paper and their scans; receiving
gives the code and appointment, then form 01 is printed from the confirmation. Thin: every
write is :func:`congso.backoffice.services.counter_receive`."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from congso.backoffice import services
from congso.catalog import selectors as catalog
from congso.catalog.formschema import FormInvalid
from congso.catalog.models import Procedure, ProcedureVersion
from congso.core.errors import DomainError, NotFound
from congso.dossiers import selectors as dossier_selectors
from congso.org.models import Citizen, Desk, Organisation
from congso.org.permissions import RECEPTION, current_roles
from congso.portal import schemaform

SEARCH_LIMIT = 20
APPLICANT_FIELDS = (
    "id_number",
    "full_name",
    "birth_date",
    "gender",
    "phone",
    "email",
    "address",
)
#: Service error fields → the input they belong to on this page.
FIELD_ALIASES = {
    "personal_id": "id_number",
    "tax_code": "id_number",
    "name": "full_name",
    "applicant": "id_number",
    "competent_agency": "agency",
    "paper_components": "components",
}


def reception_desks(user: Any) -> QuerySet[Desk]:
    """The active desks where ``user`` works as a reception officer."""
    roles = current_roles(user, (RECEPTION,))
    return (
        Desk.objects.filter(active=True)
        .filter(
            Q(pk__in=roles.filter(desk__isnull=False).values("desk_id"))
            | Q(agency_id__in=roles.filter(desk__isnull=True).values("agency_id"))
        )
        .select_related("agency")
        .order_by("name")
    )


def _desks(request: HttpRequest) -> list[Desk]:
    desks = list(reception_desks(request.user)) if request.user.is_authenticated else []
    if not desks:
        raise Http404
    return desks


def _procedure(code: str) -> tuple[Procedure, ProcedureVersion]:
    try:
        procedure = catalog.get_procedure(code)
        return procedure, catalog.current_version(procedure)
    except (NotFound, DomainError):
        raise Http404 from None


def _lookup(user: Any, number: str) -> dict[str, str] | None:
    """The stored applicant with this personal ID / tax code, among those the officer may
    see, as form values."""
    number = number.strip()
    citizen = Citizen.objects.restrict(user, "view").filter(personal_id=number).first()
    if citizen is not None:
        return {
            "applicant_kind": "citizen",
            "id_number": citizen.personal_id,
            "full_name": citizen.full_name,
            "birth_date": citizen.birth_date.isoformat() if citizen.birth_date else "",
            "gender": citizen.gender,
            "phone": citizen.phone,
            "email": citizen.email,
            "address": citizen.address,
        }
    organisation = Organisation.objects.restrict(user, "view").filter(tax_code=number).first()
    if organisation is not None:
        return {
            "applicant_kind": "organisation",
            "id_number": organisation.tax_code,
            "full_name": organisation.name,
            "phone": organisation.phone,
            "email": organisation.email,
            "address": organisation.address,
        }
    return None


def _applicant(post: Any) -> services.CounterApplicant:
    birth = post.get("birth_date", "").strip()
    try:
        birth_date = datetime.date.fromisoformat(birth) if birth else None
    except ValueError:
        raise DomainError(
            "invalid_date", "Ngày sinh không hợp lệ (ngày/tháng/năm).", field="birth_date"
        ) from None
    return services.CounterApplicant(
        kind=post.get("applicant_kind", "citizen"),
        id_number=post.get("id_number", "").strip(),
        name=post.get("full_name", "").strip(),
        birth_date=birth_date,
        gender=post.get("gender", "").strip(),
        phone=post.get("phone", "").strip(),
        email=post.get("email", "").strip(),
        address=post.get("address", "").strip(),
    )


def _shown(key: str, specs: list[dict[str, Any]]) -> bool:
    """Whether the page shows the error ``key`` next to an input (else at the top)."""
    if key in APPLICANT_FIELDS or key in ("desk", "agency", "components", "note"):
        return True
    return any(key == spec["name"] or key.startswith(spec["name"] + ".") for spec in specs)


def _search(request: HttpRequest, desks: list[Desk]) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    results = catalog.procedure_list(query=query)[:SEARCH_LIMIT] if query else []
    context = {"query": query, "results": results, "searched": bool(query), "desks": desks}
    if request.headers.get("HX-Request"):
        return render(request, "backoffice/includes/counter_results.html", context)
    return render(request, "backoffice/counter_search.html", context)


def _receive(
    request: HttpRequest,
    desks: list[Desk],
    procedure: Procedure,
    specs: list[dict[str, Any]],
    slots: list[Any],
    values: dict[str, Any],
    paper: set[str],
    errors: dict[str, str],
) -> str:
    """Check the page, then receive through the service; the new dossier's code, or "" with
    ``errors`` filled."""
    desk = next((d for d in desks if str(d.pk) == request.POST.get("desk")), None)
    agencies = list(desk.serves.filter(active=True)) if desk else []
    agency = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
    if agency is None and len(agencies) == 1:
        agency = agencies[0]
    if desk is None:
        errors["desk"] = gettext("Cần chọn bộ phận tiếp nhận.")
    if agency is None:
        errors["agency"] = gettext("Cần chọn cơ quan giải quyết.")
    errors.update(schemaform.check_step(specs, values))
    if errors or desk is None or agency is None:
        return ""
    files = {
        slot.code: request.FILES.getlist(f"scan.{slot.code}")
        for slot in slots
        if request.FILES.getlist(f"scan.{slot.code}")
    }
    try:
        dossier = services.counter_receive(
            actor=request.user,
            desk=desk,
            procedure=procedure,
            competent_agency=agency,
            applicant=_applicant(request.POST),
            form_data={k: v for k, v in values.items() if not schemaform.is_blank(v)},
            files=files,
            paper_components=paper,
            note=request.POST.get("note", ""),
        )
    except FormInvalid as exc:
        errors.update(schemaform.errors_by_field(exc))
    except DomainError as exc:
        field = FIELD_ALIASES.get(exc.field or "", exc.field or "")
        if field.startswith("files."):
            field = "components"
        errors[field or "__all__"] = exc.message
    else:
        return dossier.code
    return ""


@login_required
@never_cache
def counter(request: HttpRequest) -> HttpResponse:
    desks = _desks(request)
    code = request.GET.get("thu-tuc", "").strip()
    if not code:
        return _search(request, desks)
    procedure, version = _procedure(code)
    schema = version.form_schema or {}
    specs = schemaform.data_fields(schema)
    slots = list(version.components.order_by("order"))
    values: dict[str, Any] = {}
    applicant: dict[str, str] = {"applicant_kind": "citizen"}
    errors: dict[str, str] = {}
    notice = ""
    extra_rows: dict[str, int] = {}
    paper = {slot.code for slot in slots if slot.mandatory}
    post = request.POST if request.method == "POST" else None
    if post is not None:
        values = schemaform.read_step(specs, post)
        applicant = {name: post.get(name, "").strip() for name in APPLICANT_FIELDS}
        applicant["applicant_kind"] = post.get("applicant_kind", "citizen")
        paper = set(post.getlist("paper"))
        if post.get("add_row"):
            extra_rows[post["add_row"]] = 1
        elif "lookup" in post:
            found = _lookup(request.user, applicant["id_number"])
            applicant = {**applicant, **(found or {})}
            notice = (
                gettext("Đã tìm thấy: %(name)s. Kiểm tra lại thông tin.")
                % {"name": found["full_name"]}
                if found
                else gettext("Chưa có người nộp với số này; nhập thông tin để đăng ký mới.")
            )
        else:
            created = _receive(request, desks, procedure, specs, slots, values, paper, errors)
            if created:
                return redirect(reverse("backoffice:counter_done", args=[created]))
    desk_id = post.get("desk", "") if post is not None else ""
    desk = next((d for d in desks if str(d.pk) == desk_id), desks[0])
    context = {
        "procedure": procedure,
        "version": version,
        "desks": desks,
        "desk": desk,
        "agencies": list(desk.serves.filter(active=True).order_by("name")),
        "agency_id": post.get("agency", "") if post is not None else "",
        "sections": [
            (page.title, schemaform.bind(page.specs, values, errors, extra_rows=extra_rows))
            for page in schemaform.steps(schema)
        ],
        "slots": slots,
        "paper": paper,
        "applicant": applicant,
        "genders": [("male", gettext("Nam")), ("female", gettext("Nữ"))],
        "errors": errors,
        "general_errors": [message for key, message in errors.items() if not _shown(key, specs)],
        "error": gettext("Có chỗ cần sửa; xem thông báo ở từng mục.") if errors else "",
        "notice": notice,
        "note": post.get("note", "") if post is not None else "",
    }
    return render(request, "backoffice/counter.html", context, status=422 if errors else 200)


@login_required
@never_cache
def counter_done(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation: the code, the appointment and form 01 to print."""
    _desks(request)
    try:
        dossier = dossier_selectors.dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    return render(request, "backoffice/counter_done.html", {"dossier": dossier})
