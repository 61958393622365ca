"""Citizen pages: procedure search and page, registration, profile, online submission (a
multi-step form from the procedure's schema, drafts kept on the server), my dossiers with their
timeline, supplements, the receipt and rating. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from congso.catalog import life_events
from congso.catalog import selectors as catalog
from congso.catalog import services as catalog_services
from congso.catalog.formschema import OFFLINE_REASONS, FormInvalid, offline_components, prefill
from congso.catalog.models import (
    ApplicantType,
    Component,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
)
from congso.core.errors import DomainError, NotFound, localise
from congso.docstore import selectors as store_selectors
from congso.dossiers import applicant as applicant_rules
from congso.dossiers import selectors as dossier_selectors
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Attachment, Dossier
from congso.dossiers.permissions import is_applicant
from congso.dossiers.workflow import Status
from congso.identity import prefill as population_prefill
from congso.identity.views import step_up_page
from congso.lifeevents import selectors as life_selectors
from congso.org.models import Agency, Citizen
from congso.portal import acting, online, schemaform, services
from congso.portal.forms import ProfileForm, RegisterForm
from congso.portal.models import Draft

POPULAR_LIMIT = 8
#: Confirmations shown after a redirect (``?da=``).
NOTICES = {
    "bo-sung": _("Đã gửi hồ sơ bổ sung."),
    "danh-gia": _("Cảm ơn bạn đã đánh giá."),
    "luu": _("Đã lưu thông tin liên hệ."),
    "tu-choi": _("Đã ghi nhận bạn từ chối lời mời."),
}
SEARCH_LIMIT = 30
#: Content types of the blank forms a catalogue admin may attach.
TEMPLATE_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def procedure_slug(code: str) -> str:
    return "".join(char if char.isalnum() or char in ".-" else "-" for char in code)


def _citizen(user: Any) -> Citizen | None:
    return Citizen.objects.filter(user_id=user.pk).select_related("address_unit").first()


def _procedure(code: str) -> tuple[Procedure, ProcedureVersion]:
    try:
        procedure = catalog.get_procedure(code)
        return procedure, catalog.current_version(procedure)
    except NotFound:
        raise Http404 from None
    except DomainError:
        raise Http404 from None


# --- Catalogue ------------------------------------------------------------------------------------


#: The search page's filters: (query parameter, ``Filters`` attribute).
FILTER_PARAMS = (
    ("linh-vuc", "field"),
    ("cap", "level"),
    ("co-quan", "agency"),
    ("muc-do", "online_level"),
    ("doi-tuong", "applicant_type"),
)
LEVEL_LABELS = {
    Level.PROVINCE.value: _("Cấp tỉnh"),
    Level.COMMUNE.value: _("Cấp xã"),
    Level.CENTRAL.value: _("Cấp trung ương (tỉnh tiếp nhận)"),
}
ONLINE_LEVEL_LABELS = {
    OnlineLevel.FULL.value: _("Trực tuyến toàn trình"),
    OnlineLevel.PARTIAL.value: _("Trực tuyến một phần"),
    OnlineLevel.NONE.value: _("Không nộp trực tuyến"),
}
APPLICANT_LABELS = {
    ApplicantType.CITIZEN.value: _("Công dân"),
    ApplicantType.ORGANISATION.value: _("Tổ chức, doanh nghiệp"),
}


def _filters(request: HttpRequest) -> tuple[catalog.Filters, str]:
    """The filters of the query string, each checked; an unknown value is dropped and said."""
    values: dict[str, str] = {}
    dropped = ""
    for param, name in FILTER_PARAMS:
        value = request.GET.get(param, "").strip()[:100]
        if not value:
            continue
        try:
            catalog.clean_filters(**{name: value})
        except DomainError:
            dropped = gettext("Bộ lọc không hợp lệ đã được bỏ qua.")
        else:
            values[name] = value
    return catalog.Filters(**values), dropped


@never_cache
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    filters, filter_error = _filters(request)
    page = max(_int(request.GET.get("trang")) or 1, 1)
    searched = bool(query or filters)
    found = catalog.procedure_list(query=query, filters=filters, finder=True) if searched else None
    total = len(found) if found is not None else 0
    pages = max((total + SEARCH_LIMIT - 1) // SEARCH_LIMIT, 1)
    page = min(page, pages)
    results = found[(page - 1) * SEARCH_LIMIT : page * SEARCH_LIMIT] if found is not None else []
    offers = catalog.online_offers(results)
    reasons = catalog.match_reasons(query, results) if query else {}
    log_id = None
    # Logged once a search is asked (not on each keystroke of the live search box).
    if query and page == 1 and request.headers.get("HX-Trigger") != "q":
        log_id = catalog_services.search_logged(
            query=query, results=total, top_code=results[0].code if results else ""
        )
    options = catalog.filter_options()
    kept = {param: getattr(filters, name) for param, name in FILTER_PARAMS}
    kept = {param: value for param, value in kept.items() if value}
    if query:
        kept["q"] = query
    context = {
        "query": query,
        "filters": filters,
        "field_code": filters.field,
        "filter_error": filter_error,
        "results": results,
        "total": total,
        "page": page,
        "pages": pages,
        "previous_query": urlencode({**kept, "trang": page - 1}) if page > 1 else "",
        "next_query": urlencode({**kept, "trang": page + 1}) if page < pages else "",
        "rows": [
            (p, online.row_label(offers.get(p.pk)), offers.get(p.pk), reasons.get(p.pk, ""))
            for p in results
        ],
        "log_id": log_id,
        "life_events": life_events.events(),
        "searched": searched,
        "nav": "search",
        # (value, label, selected) of each filter's options, decided here once.
        "fields": [
            (f.code, f.name, filters.field in (f.code, f.sector_code or None))
            for f in options.fields
        ],
        "agencies": [(a.code, a.name, a.code == filters.agency) for a in options.agencies],
        "levels": [(v, label, v == filters.level) for v, label in LEVEL_LABELS.items()],
        "online_levels": [
            (v, label, v == filters.online_level) for v, label in ONLINE_LEVEL_LABELS.items()
        ],
        "applicant_types": [
            (v, label, v == filters.applicant_type) for v, label in APPLICANT_LABELS.items()
        ],
        "popular": Procedure.objects.filter(active=True)
        .select_related("field")
        .only(*catalog.ROW_COLUMNS)
        .order_by("code")[:POPULAR_LIMIT],
    }
    template = "portal/includes/results.html" if request.headers.get("HX-Request") else None
    return render(request, template or "portal/search.html", context)


def _agencies(version: ProcedureVersion, procedure: Procedure) -> list[Agency]:
    with_process = list(
        Agency.objects.filter(
            active=True, catalog_processes__version=version, catalog_processes__active=True
        )
        .distinct()
        .order_by("name")
    )
    if with_process:
        return with_process
    return list(
        Agency.objects.filter(active=True, level__in=procedure.levels or []).order_by("name")[:200]
    )


@dataclass(frozen=True)
class ComponentGroup:
    """The documents of one case (trường hợp) of a procedure, as the national database groups
    them; ``name`` empty: the documents every applicant gives."""

    name: str
    notes: list[str]
    rows: list[tuple[Component, str]]


def component_groups(
    version: ProcedureVersion, components: list[Component]
) -> list[ComponentGroup]:
    """The components grouped by the cases of the version's source (an imported procedure),
    each with the condition left to say once the case is its heading; one group otherwise."""
    cases = ((version.source or {}).get("national") or {}).get("cases") or []
    by_code = {component.code: component for component in components}
    groups: list[ComponentGroup] = []
    placed: set[str] = set()
    for case in cases if len(cases) > 1 else []:
        name = str(case.get("name") or "").strip()
        rows = []
        for code in case.get("components") or []:
            component = by_code.get(code)
            if component is None or code in placed:
                continue
            placed.add(code)
            parts = [part.strip() for part in component.condition.split(";")]
            rows.append((component, "; ".join(p for p in parts if p and p != name)))
        notes = [str(note) for note in case.get("notes") or []]
        if rows or notes:
            groups.append(ComponentGroup(name=name, notes=notes, rows=rows))
    rest = [(c, c.condition) for c in components if c.code not in placed]
    if rest or not groups:
        groups.insert(0, ComponentGroup(name="", notes=[], rows=rest))
    return groups


def procedure_page(request: HttpRequest, code: str) -> HttpResponse:
    procedure, version = _procedure(code)
    searched = _int(request.GET.get("tim"))
    if searched:  # opened from a search's results: the search log counts the click
        catalog_services.search_clicked(log_id=searched, code=procedure.code)
    agencies = _agencies(version, procedure)
    province = catalog.province_code_of(agencies[0]) if agencies else None
    estimate = catalog.estimate_due(version, received_at=timezone.now(), province_code=province)
    service = online.online_service(version, e_result=hasattr(procedure, "result_template"))
    components = list(version.components.order_by("order"))
    imported = bool((version.source or {}).get("national"))
    context = {
        "procedure": procedure,
        "version": version,
        "components": components,
        "component_groups": component_groups(version, components),
        # An import whose record states no fee says nothing about the fee: never "free".
        "fees_not_stated": imported and not version.fees,
        "agencies": agencies,
        "estimate": estimate,
        "online": service.available,
        "service": service,
        "groups": life_selectors.groups_with(procedure.code),
    }
    return render(request, "portal/procedure.html", context)


def form_template(request: HttpRequest, code: str, component: str) -> FileResponse:
    """The blank form (mẫu đơn, tờ khai) of a component of the version in force (or of the
    version ``?phien-ban=N``, the API's link), as a download: uploaded files are not served from
    the media folder (it holds personal data)."""
    procedure, version = _procedure(code)
    number = _int(request.GET.get("phien-ban"))
    if number is not None and number != version.version:
        version = procedure.versions.filter(version=number).first() or version
        if version.version != number:
            raise Http404
    slot = version.components.filter(code=component).exclude(template="").first()
    if slot is None or not slot.template:
        raise Http404
    try:
        handle = slot.template.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = Path(slot.template.name).suffix.lower()
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"mau-{procedure_slug(code)}-{slot.code}{extension}",
        content_type=TEMPLATE_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Account --------------------------------------------------------------------------------------


@sensitive_post_parameters("password", "password2")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:profile")
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_register(
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                personal_id=data["personal_id"],
                birth_date=data["birth_date"],
                gender=data["gender"],
                phone=data["phone"],
                email=data["email"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            next_url = request.POST.get("next", "")
            if next_url.startswith("/") and not next_url.startswith("//"):
                return redirect(next_url)
            return redirect("portal:my_dossiers")
    return render(
        request,
        "portal/register.html",
        {"form": form, "next": request.GET.get("next", ""), "nav": "register"},
    )


@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request.user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={
            "phone": citizen.phone if citizen else "",
            "email": citizen.email if citizen else "",
            "address": citizen.address if citizen else "",
        },
    )
    if request.method == "POST" and citizen is not None and form.is_valid():
        try:
            services.profile_update(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect(reverse("portal:profile") + "?da=luu")
    drafts = Draft.objects.filter(user_id=request.user.pk or 0).select_related("procedure")
    context = {
        "citizen": citizen,
        "form": form,
        "drafts": drafts,
        "done": NOTICES.get(request.GET.get("da", ""), ""),
        "nav": "profile",
    }
    return render(request, "portal/profile.html", context)


# --- Online submission ----------------------------------------------------------------------------


def _draft(request: HttpRequest, procedure: Procedure, version: ProcedureVersion) -> Draft:
    schema = version.form_schema or {}
    found = Draft.objects.filter(user_id=request.user.pk or 0, procedure=procedure).first()
    if found is not None:
        return found
    citizen = _citizen(request.user)
    # What the profile leaves empty, from the population database (source shown on the form).
    initial = population_prefill.from_population(
        request,
        schema,
        citizen,
        procedure_code=procedure.code,
        initial=prefill(schema, citizen),
    )
    return services.draft_open(
        actor=request.user,
        procedure=procedure,
        initial=initial,
        choice=acting.initial(acting.offer(request.user, procedure)),
    )


def _apply_context(
    procedure: Procedure, version: ProcedureVersion, draft: Draft, current: int
) -> dict[str, Any]:
    pages = schemaform.steps(version.form_schema or {})
    titles = [page.title for page in pages] + [gettext("Tệp đính kèm"), gettext("Kiểm tra và nộp")]
    return {
        "procedure": procedure,
        "version": version,
        "draft": draft,
        "pages": pages,
        "titles": titles,
        "current": current,
        "files_step": len(pages),
        "review_step": len(pages) + 1,
    }


def assured(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A procedure requiring level 2 asks a level-1 (or password) session to step up before
    its online form (congso.identity), at the start and at every step."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is not None:
            page = step_up_page(request, procedure, reverse("portal:apply", args=[code]))
            if page is not None:
                return page
        return view(request, code, *args, **kwargs)

    return wrapper


@login_required
@never_cache
@assured
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Start or resume: go to the step the draft was left at."""
    procedure, version = _procedure(code)
    if _citizen(request.user) is None:
        raise Http404("Tài khoản chưa có thông tin công dân nên chưa nộp được hồ sơ.")
    if acting.offer(request.user, procedure).blocked:
        # An organisation-only procedure, and the account represents no organisation.
        return render(request, "portal/apply_blocked.html", {"procedure": procedure}, status=403)
    draft = _draft(request, procedure, version)
    return redirect("portal:apply_step", code=code, step=draft.step)


def _just_submitted(request: HttpRequest, procedure: Procedure) -> Dossier | None:
    """The dossier of ``procedure`` the citizen submitted in the last hour when no draft is
    open: a page of the form reached again with Back after submission says so."""
    if Draft.objects.filter(user_id=request.user.pk or 0, procedure=procedure).exists():
        return None
    since = timezone.now() - datetime.timedelta(hours=1)
    return (
        _own(request.user)
        .filter(procedure_version__procedure=procedure, submitted_at__gte=since)
        .first()
    )


def _chosen_agency(
    request: HttpRequest, agencies: list[Agency], errors: dict[str, str]
) -> Agency | None:
    agency = next((a for a in agencies if str(a.pk) == request.POST.get("competent_agency")), None)
    if agency is None and len(agencies) == 1:
        agency = agencies[0]
    if agency is None:
        errors["competent_agency"] = gettext("Cần chọn cơ quan giải quyết.")
    return agency


@login_required
@never_cache
@assured
def apply_step(request: HttpRequest, code: str, step: int) -> HttpResponse:
    procedure, version = _procedure(code)
    done = _just_submitted(request, procedure) if step > 0 else None
    if done is not None:
        return render(
            request, "portal/already_submitted.html", {"dossier": done, "procedure": procedure}
        )
    draft = _draft(request, procedure, version)
    context = _apply_context(procedure, version, draft, step)
    pages = context["pages"]
    if step == context["files_step"]:
        return _files_step(request, context)
    if step == context["review_step"]:
        return _review_step(request, context)
    if not 0 <= step < len(pages):
        raise Http404
    specs = pages[step].specs
    agencies = _agencies(version, procedure) if step == 0 else []
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(draft.data)
    extra_rows: dict[str, int] = {}
    # Who the dossier is for (issue 13 item 4): chosen on the first page.
    schema = version.form_schema or {}
    citizen = _citizen(request.user)
    available = acting.offer(request.user, procedure) if step == 0 else None
    posted = acting.Posted(acting.current(draft), {}, False, False, values)
    if request.method == "POST":
        values = {**values, **schemaform.read_step(specs, request.POST)}
        posted = acting.on_post(request.POST, available, draft, values, schema, citizen)
        values = posted.values
        errors.update(posted.errors)
        agency = _chosen_agency(request, agencies, errors) if step == 0 else None
        if posted.switched:
            errors.pop("competent_agency", None)  # only the choice was applied
        adding = request.POST.get("add_row", "")
        if adding:
            extra_rows[adding] = 1
        elif not posted.switched:
            errors.update(schemaform.check_step(specs, values))
            identity, values = acting.check_page(posted.choice, citizen, specs, values, schema)
            errors.update(identity)
        target = step if (errors or adding or posted.switched) else step + 1
        services.draft_save(
            actor=request.user,
            draft=draft,
            data=acting.saved_values(specs, values, schema, switched=posted.switched),
            step=min(target, draft.step) if request.POST.get("autosave") else target,
            competent_agency=agency,
            choice=posted.choice if posted.chosen else None,
        )
        if request.headers.get("HX-Request") and request.POST.get("autosave"):
            return HttpResponse(
                gettext("Đã tự động lưu nháp lúc %(time)s.")
                % {"time": timezone.localtime().strftime("%H:%M:%S")}
            )
        if not errors and not adding and not posted.switched:
            return redirect("portal:apply_step", code=code, step=step + 1)
    choice = posted.choice
    fields = schemaform.bind(
        specs,
        values,
        errors,
        extra_rows=extra_rows,
        locked=acting.locked_names(schema, citizen, choice.kind),
        sources=population_prefill.sources(request, code, values),
    )
    error_list = acting.error_targets(errors)
    if "competent_agency" in errors:
        error_list.append(("#competent_agency", errors["competent_agency"]))
    context.update(
        {
            "fields": fields,
            "errors": errors,
            "error_list": error_list + schemaform.error_targets(fields),
            "agencies": agencies,
            "step_title": pages[step].title,
            "agency_id": (draft.competent_agency_id if draft.competent_agency_id else None),
            "offer": available,
            "choice": choice,
            "switched": posted.switched,
            "kinds": [kind.value for kind in available.kinds] if available else [],
        }
    )
    status = 422 if errors else 200
    return render(request, "portal/apply_form.html", context, status=status)


def _online_slots(
    version: ProcedureVersion, draft: Draft | None = None
) -> tuple[list[Any], dict[str, bool], list[Any]]:
    """The components asked for online (in order), whether each is required, and those not
    uploaded online with why (``formschema.offline_components``); with the proof of the right
    to act when the draft is submitted for someone else (issue 13 item 4)."""
    schema = version.form_schema or {}
    offline = offline_components(schema)
    required = {
        str(spec.get("component")): bool(spec.get("required"))
        for spec in schema.get("fields") or ()
        if spec.get("type") == "file"
    }
    asked: list[Any] = []
    kept_out: list[Any] = []
    for slot in version.components.order_by("order"):
        if slot.code in offline:
            kept_out.append((slot, gettext(OFFLINE_REASONS[offline[slot.code]])))
        else:
            asked.append(slot)
    needed = {slot.code: required.get(slot.code, slot.mandatory) for slot in asked}
    if draft is not None and draft.applicant_kind == applicant_rules.Kind.ON_BEHALF:
        proof = applicant_rules.proof_slot(acting.current(draft).relationship)
        asked.append(proof)
        needed[proof.code] = proof.mandatory
    return asked, needed, kept_out


def _missing_slots(draft: Draft, version: ProcedureVersion) -> dict[str, str]:
    present = set(draft.files.values_list("component_code", flat=True))
    asked, needed, _kept_out = _online_slots(version, draft)
    return {
        slot.code: gettext("Thiếu thành phần hồ sơ bắt buộc «%(name)s».") % {"name": slot.name}
        for slot in asked
        if needed[slot.code] and slot.code not in present
    }


def _attach_uploads(
    request: HttpRequest, draft: Draft, version: ProcedureVersion
) -> dict[str, str]:
    errors: dict[str, str] = {}
    asked, _needed, _kept_out = _online_slots(version, draft)
    for slot in asked:
        for upload in request.FILES.getlist(f"files.{slot.code}"):
            try:
                services.draft_attach(
                    actor=request.user, draft=draft, component_code=slot.code, upload=upload
                )
            except DomainError as exc:
                errors[slot.code] = localise(exc.message)
    return errors


def _files_step(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    draft: Draft = context["draft"]
    version: ProcedureVersion = context["version"]
    code = context["procedure"].code
    errors: dict[str, str] = {}
    if request.method == "POST":
        remove = request.POST.get("remove")
        reuse = request.POST.get("reuse", "")
        if reuse:
            slot_code, _sep, document_id = reuse.partition(":")
            try:
                services.draft_reuse(
                    actor=request.user,
                    draft=draft,
                    component_code=slot_code,
                    document_id=int(document_id),
                )
            except DomainError as exc:
                errors[slot_code] = localise(exc.message)
            except ValueError:
                errors["__all__"] = gettext("Không tìm thấy giấy tờ trong kho.")
        elif remove:
            try:
                services.draft_detach(actor=request.user, draft=draft, file_id=int(remove))
            except (DomainError, ValueError):
                errors["__all__"] = gettext("Không xóa được tệp.")
        else:
            # A file chosen and not yet uploaded goes up with "Tiếp tục" too: never dropped.
            errors = _attach_uploads(request, draft, version)
            if request.POST.get("continue") and not errors:
                errors = _missing_slots(draft, version)
                if not errors:
                    step = context["review_step"]
                    services.draft_save(actor=request.user, draft=draft, data={}, step=step)
                    return redirect("portal:apply_step", code=code, step=step)
        if not errors:
            return redirect("portal:apply_step", code=code, step=context["files_step"])
    files = list(draft.files.select_related("store_document"))
    asked, needed, kept_out = _online_slots(version, draft)
    stored = list(store_selectors.documents_for_user(request.user))
    schema_help = {
        str(spec.get("component")): str(spec.get("help") or "")
        for spec in (version.form_schema or {}).get("fields") or ()
        if spec.get("type") == "file"
    }
    slots = []
    for slot in asked:
        types = slot.allowed_types or ["application/pdf", "image/jpeg", "image/png"]
        max_bytes = slot.max_size_bytes or 20 * 1024 * 1024
        slots.append(
            {
                "slot": slot,
                "required": needed[slot.code],
                "help": schema_help.get(slot.code, "") or slot.condition,
                "files": [f for f in files if f.component_code == slot.code],
                "error": errors.get(slot.code, ""),
                "accept": ",".join(types),
                "types": ", ".join(t.split("/")[-1].upper().replace("JPEG", "JPG") for t in types),
                "max_mb": round(max_bytes / (1024 * 1024), 1),
                "max_bytes": max_bytes,
                "from_store": [
                    document
                    for document in store_selectors.usable_for_slot(stored, slot)
                    if not any(f.store_document_id == document.pk for f in files)
                ],
            }
        )
    context.update(
        {
            "slots": slots,
            "kept_out": kept_out,
            "errors": errors,
            "general_error": errors.get("__all__", ""),
            "error_list": [
                (f"#file-{key}", message) for key, message in errors.items() if key != "__all__"
            ],
        }
    )
    status = 422 if errors else 200
    return render(request, "portal/apply_files.html", context, status=status)


def _review_step(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    draft: Draft = context["draft"]
    code = context["procedure"].code
    errors: list[tuple[str, str]] = []
    step_of = {
        spec["name"]: index for index, page in enumerate(context["pages"]) for spec in page.specs
    }

    def _href(field: str | None) -> str:
        name = str(field or "").split(".")[0]
        if name in ("organisation", "on_behalf", "applicant"):
            return reverse("portal:apply_step", kwargs={"code": code, "step": 0})
        if name in step_of:
            return reverse("portal:apply_step", kwargs={"code": code, "step": step_of[name]})
        if name.startswith("file"):
            return reverse(
                "portal:apply_step", kwargs={"code": code, "step": context["files_step"]}
            )
        return ""

    if request.method == "POST":
        try:
            dossier = services.draft_submit(actor=request.user, draft=draft)
        except FormInvalid as exc:
            errors = [(_href(item.get("field")), localise(item["message"])) for item in exc.errors]
        except DomainError as exc:
            errors = [(_href(exc.field), localise(exc.message))]
        else:
            return redirect("portal:submitted", code=dossier.code)
    sections = []
    for index, page in enumerate(context["pages"]):
        rows = [
            (spec["label"], schemaform.display(spec, draft.data.get(spec["name"])))
            for spec in page.specs
        ]
        blank = all(schemaform.is_blank(draft.data.get(spec["name"])) for spec in page.specs)
        sections.append({"title": page.title, "step": index, "rows": rows, "blank": blank})
    files = list(draft.files.all())
    asked, _needed, _kept_out = _online_slots(context["version"], draft)
    by_component = [
        (slot.name, [f for f in files if f.component_code == slot.code])
        for slot in asked
        if any(f.component_code == slot.code for f in files)
    ]
    context.update(
        {
            "sections": sections,
            "error_list": errors,
            "errors": errors,
            "by_component": by_component,
            "applicant_summary": acting.summary(acting.current(draft)),
        }
    )
    return render(request, "portal/apply_review.html", context, status=422 if errors else 200)


# --- My dossiers ----------------------------------------------------------------------------------


def _own(user: Any) -> Any:
    return (
        Dossier.objects.restrict(user, "view")
        .filter(Q(applicant_citizen__user_id=user.pk) | Q(submitted_by_id=user.pk))
        .select_related("procedure_version__procedure", "competent_agency")
        .order_by("-submitted_at", "-pk")
    )


def _my_dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        dossier = dossier_selectors.dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None
    if not is_applicant(request.user, dossier):
        raise Http404
    return dossier


@login_required
@never_cache
def my_dossiers(request: HttpRequest) -> HttpResponse:
    dossiers = list(_own(request.user)[:100])
    context = {
        "dossiers": dossiers,
        "nav": "mine",
        # Issue 21: the proactive offers waiting for an answer, the group applications.
        "offers": list(life_selectors.offers_for(request.user, open_only=True)[:20]),
        "applications": [
            life_selectors.view_of(a) for a in life_selectors.own_applications(request.user)[:20]
        ],
        "done": NOTICES.get(request.GET.get("da", ""), ""),
    }
    return render(request, "portal/my_dossiers.html", context)


@login_required
@never_cache
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _my_dossier(request, code)
    return render(request, "portal/submitted.html", {"dossier": dossier})


@login_required
@never_cache
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _my_dossier(request, code)
    return _dossier_page(request, dossier)


#: What a component without a file means on the citizen's page, by why it is not uploaded
#: online (``formschema.offline_components``).
OFFLINE_STATES = {
    "show": _("Xuất trình bản chính khi nhận kết quả tại Bộ phận Một cửa"),
    "paper": _("Không cần với hồ sơ nộp trực tuyến (chỉ nộp kèm hồ sơ giấy)"),
    "form": _("Đã khai trên tờ khai điện tử"),
}


def component_rows(dossier: Dossier) -> list[dict[str, Any]]:
    """The dossier's components with what each needs from the citizen: its files, "paper
    received", or — no file — why none is needed (shown at the desk, the paper declaration of a
    paper dossier, replaced by the e-form, needed only in some cases) or that one is missing."""
    components = list(
        dossier.components.order_by("pk")
        .select_related("component")
        .prefetch_related("attachments")
    )
    online = dossier.channel == "online"
    offline = offline_components(dossier.procedure_version.form_schema or {}) if online else {}
    reused = store_selectors.reuses_of_dossier(dossier.pk)
    rows = []
    for component in components:
        files = list(component.attachments.all())
        state, todo = "", False
        if files:
            state = gettext("Đã nhận bản giấy") if component.paper_received else ""
        elif component.paper_received:
            state = gettext("Đã nộp bản giấy")
        elif component.code in offline:
            state = str(OFFLINE_STATES[offline[component.code]])
        elif not component.mandatory:
            condition = component.component.condition if component.component else ""
            state = (
                gettext("Không nộp — chỉ cần khi: %(condition)s") % {"condition": condition}
                if condition
                else gettext("Không nộp (không bắt buộc)")
            )
        else:
            state, todo = gettext("Chưa có tệp"), True
        rows.append(
            {
                "name": component.name,
                "files": files,
                "state": state,
                "todo": todo,
                "store": reused.get(component.code),
            }
        )
    return rows


def _dossier_page(
    request: HttpRequest, dossier: Dossier, errors: dict[str, str] | None = None
) -> HttpResponse:
    components = component_rows(dossier)
    request_open = (
        dossier.supplements.filter(fulfilled_at__isnull=True).order_by("-requested_at").first()
        if dossier.status == Status.SUPPLEMENT_REQUESTED
        else None
    )
    rating = getattr(dossier, "rating", None) if dossier.status == Status.RETURNED else None
    context = {
        "dossier": dossier,
        "history": dossier_selectors.history_of(dossier),
        "components": components,
        "supplement": request_open,
        "rating": rating,
        "declaration": applicant_rules.declaration_of(dossier),
        "can_rate": dossier.status == Status.RETURNED and rating is None,
        "errors": errors or {},
        "done": NOTICES.get(request.GET.get("da", ""), ""),
        "scores": [
            (5, _("Rất hài lòng")),
            (4, _("Hài lòng")),
            (3, _("Bình thường")),
            (2, _("Không hài lòng")),
            (1, _("Rất không hài lòng")),
        ],
    }
    status = 422 if errors else 200
    return render(request, "portal/my_dossier.html", context, status=status)


@login_required
@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _my_dossier(request, code)
    files: dict[str, list[Any]] = {}
    for component in dossier.components.all():
        uploads = request.FILES.getlist(f"files.{component.code}")
        if uploads:
            files[component.code] = list(uploads)
    try:
        dossier_services.dossier_supplement(
            actor=request.user,
            dossier=dossier,
            files=files,
            note=request.POST.get("note", ""),
            expected_version=_int(request.POST.get("version")),
        )
    except DomainError as exc:
        return _dossier_page(request, dossier, {exc.field or "__all__": localise(exc.message)})
    return redirect(reverse("portal:my_dossier", kwargs={"code": dossier.code}) + "?da=bo-sung")


@login_required
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _my_dossier(request, code)
    score = _int(request.POST.get("score"))
    try:
        dossier_services.dossier_rate(
            actor=request.user,
            dossier=dossier,
            score=score if score is not None else 0,
            comment=request.POST.get("comment", ""),
        )
    except DomainError as exc:
        return _dossier_page(request, dossier, {exc.field or "score": localise(exc.message)})
    return redirect(reverse("portal:my_dossier", kwargs={"code": dossier.code}) + "?da=danh-gia")


@login_required
def attachment(request: HttpRequest, code: str, attachment_id: int) -> FileResponse:
    dossier = _my_dossier(request, code)
    item = Attachment.objects.filter(pk=attachment_id, component__dossier=dossier).first()
    if item is None:
        raise Http404
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.mime_type,
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def life_event_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A life event of the navigator: the procedures it usually needs, and other pages."""
    found = life_events.event(slug)
    if found is None:
        raise Http404
    procedures = life_events.procedures_for(found, user=request.user)
    offers = catalog.online_offers(procedures)
    context = {
        "event": found,
        "rows": [(p, online.row_label(offers.get(p.pk)), offers.get(p.pk)) for p in procedures],
        "links": life_events.links_for(found),
        "life_events": life_events.events(),
        "nav": "search",
    }
    return render(request, "portal/life_event.html", context)
