"""Counter reception (tiếp nhận trực tiếp): the one-stop officer enters a dossier handed in at
the desk. Choose the procedure (diacritics optional), the applicant (looked up by personal ID
or tax code, or typed in), the form data from the procedure's schema (the portal's
:mod:`congso.portal.schemaform`), the components received on paper and their scans; receiving
gives the code and appointment, then form 01 is printed from the confirmation. Thin: every
write is :func:`congso.backoffice.services.counter_receive` or a kept scan.

Nothing is typed twice: the look-up fills the applicant's fields of the declaration too (the
schema's ``prefill`` sources, as the portal does from the citizen's profile), and an applicant
typed in the header fills the declaration's blank applicant fields. Scans are kept on the
server from the first post on (``CounterScan``, one batch per form), so a look-up, an added row
or an error never asks to pick them again; they are shown as attached, each with "Bỏ tệp"."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
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
from congso.catalog.formschema import FormInvalid, prefill
from congso.catalog.models import Component, Procedure, ProcedureVersion
from congso.core.errors import DomainError, NotFound
from congso.dossiers import attachments
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


def _lookup(user: Any, number: str) -> tuple[dict[str, str], Citizen | None] | None:
    """The stored applicant with this personal ID / tax code, among those the officer may
    see: their header values, and the citizen (whose profile fills the declaration)."""
    number = number.strip()
    citizen = (
        Citizen.objects.restrict(user, "view")
        .select_related("address_unit")
        .filter(personal_id=number)
        .first()
    )
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
        }, citizen
    organisation = Organisation.objects.restrict(user, "view").filter(tax_code=number).first()
    if organisation is not None:
        return {
            "applicant_kind": "organisation",
            "id_number": organisation.tax_code,
            "full_name": organisation.name,
            "phone": organisation.phone,
            "email": organisation.email,
            "address": organisation.address,
        }, None
    return None


def _typed_citizen(applicant: dict[str, str]) -> SimpleNamespace | None:
    """The citizen typed in the header, shaped as a profile for the schema's prefill sources
    (the header's address is free text: the declaration's address is picked on the form)."""
    if applicant.get("applicant_kind", "citizen") != "citizen":
        return None
    try:
        birth = datetime.date.fromisoformat(applicant.get("birth_date", ""))
    except ValueError:
        birth = None
    return SimpleNamespace(
        full_name=applicant.get("full_name", ""),
        personal_id=applicant.get("id_number", ""),
        birth_date=birth,
        gender=applicant.get("gender", ""),
        phone=applicant.get("phone", ""),
        email=applicant.get("email", ""),
        address="",
        address_unit=None,
    )


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


def _shown(key: str, specs: list[dict[str, Any]], slots: list[Component]) -> bool:
    """Whether the page shows the error ``key`` next to an input (else at the top)."""
    if key in APPLICANT_FIELDS or key in ("desk", "agency", "components", "note"):
        return True
    if key.startswith("files.") and key[len("files.") :] in {slot.code for slot in slots}:
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
    batch: str,
) -> str:
    """Check the page, then receive through the service (with the batch's kept scans); the
    new dossier's code, or "" with ``errors`` filled."""
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
    try:
        dossier = services.counter_receive(
            actor=request.user,
            desk=desk,
            procedure=procedure,
            competent_agency=agency,
            applicant=_applicant(request.POST),
            form_data={k: v for k, v in values.items() if not schemaform.is_blank(v)},
            files={},
            paper_components=paper,
            note=request.POST.get("note", ""),
            batch=batch,
        )
    except FormInvalid as exc:
        errors.update(schemaform.errors_by_field(exc))
    except DomainError as exc:
        field = FIELD_ALIASES.get(exc.field or "", exc.field or "")
        if field.startswith("files.") and field[len("files.") :] not in {s.code for s in slots}:
            field = "components"
        errors[field or "__all__"] = exc.message
    else:
        return dossier.code
    return ""


def _look_up(
    request: HttpRequest,
    schema: dict[str, Any],
    applicant: dict[str, str],
    values: dict[str, Any],
) -> str:
    """Fill the header and the declaration's applicant fields from the stored record (both
    changed in place); the notice to show."""
    found = _lookup(request.user, applicant["id_number"])
    if found is None:
        return gettext("Chưa có người nộp với số này; nhập thông tin để đăng ký mới.")
    header, citizen = found
    applicant.update(header)
    values.update(prefill(schema, citizen))
    return gettext(
        "Đã tìm thấy: %(name)s. Thông tin người nộp đã được điền vào tờ khai; kiểm tra lại."
    ) % {"name": header["full_name"]}


def _keep_scans(
    request: HttpRequest, procedure: Procedure, slots: list[Component], batch: str
) -> dict[str, str]:
    """Keep every scan sent with this post in the batch; a refused file's message by slot."""
    errors: dict[str, str] = {}
    for slot in slots:
        for upload in request.FILES.getlist(f"scan.{slot.code}"):
            try:
                services.counter_scan_keep(
                    actor=request.user, batch=batch, procedure=procedure, slot=slot, upload=upload
                )
            except DomainError as exc:
                key = f"files.{slot.code}"
                errors[key] = f"{errors[key]} {exc.message}" if key in errors else exc.message
    return errors


def _slot_rows(
    slots: list[Component], scans: list[Any], errors: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "slot": slot,
            "scans": [scan for scan in scans if scan.component_code == slot.code],
            "error": errors.get(f"files.{slot.code}", ""),
            "max_bytes": slot.max_size_bytes or attachments.DEFAULT_MAX_SIZE_BYTES,
        }
        for slot in slots
    ]


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
    batch = services.counter_batch(post.get("batch") if post is not None else None)
    if post is None:
        services.counter_scans_purge(actor=request.user)
    else:
        values = schemaform.read_step(specs, post)
        applicant = {name: post.get(name, "").strip() for name in APPLICANT_FIELDS}
        applicant["applicant_kind"] = post.get("applicant_kind", "citizen")
        paper = set(post.getlist("paper"))
        errors.update(_keep_scans(request, procedure, slots, batch))
        if post.get("drop", "").isdigit():
            try:
                services.counter_scan_drop(
                    actor=request.user, batch=batch, scan_id=int(post["drop"])
                )
            except DomainError as exc:
                errors["components"] = exc.message
        elif post.get("add_row"):
            extra_rows[post["add_row"]] = 1
        elif "lookup" in post:
            notice = _look_up(request, schema, applicant, values)
        # An applicant typed in the header fills the declaration's blank applicant fields.
        typed = _typed_citizen(applicant)
        for name, value in prefill(schema, typed).items():
            if schemaform.is_blank(values.get(name)):
                values[name] = value
        if not ({"drop", "add_row", "lookup"} & set(post)) and (
            created := _receive(
                request, desks, procedure, specs, slots, values, paper, errors, batch
            )
        ):
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
        "slots": _slot_rows(
            slots,
            services.counter_scans(actor=request.user, batch=batch, procedure=procedure),
            errors,
        ),
        "batch": batch,
        "paper": paper,
        "applicant": applicant,
        "genders": [("male", gettext("Nam")), ("female", gettext("Nữ"))],
        "errors": errors,
        "general_errors": [
            message for key, message in errors.items() if not _shown(key, specs, slots)
        ],
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
