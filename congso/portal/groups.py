"""Citizen pages of procedure groups and proactive offers (congso.lifeevents, issue 21): the
group page, one combined form over several pages (the draft kept in the server-side session),
the review with the deadline preview and the files, one application page with each
component's state, and the offer page (review the prepared application, confirm or decline).
Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from congso.catalog.formschema import FormInvalid, prefill, structure
from congso.core.errors import DomainError, NotFound, localise
from congso.identity import prefill as population_prefill
from congso.lifeevents import groups, selectors, services
from congso.lifeevents.models import GroupVersion, OfferStatus
from congso.org.models import Citizen
from congso.portal import schemaform

SESSION = "lifeevents.draft."


def _citizen(user: Any) -> Citizen | None:
    return Citizen.objects.filter(user_id=user.pk).first() if user.is_authenticated else None


def _group(code: str) -> tuple[Any, GroupVersion]:
    try:
        group = groups.group_by_code(code)
        return group, groups.version_in_force(group)
    except DomainError:
        raise Http404 from None


def _data_schema(version: GroupVersion) -> dict[str, Any]:
    schema = version.form_schema
    return {**schema, "fields": [f for f in schema["fields"] if structure(f) != "file"]}


def _file_specs(version: GroupVersion) -> list[dict[str, Any]]:
    return [f for f in version.form_schema["fields"] if structure(f) == "file"]


def group_page(request: HttpRequest, code: str) -> HttpResponse:
    group, version = _group(code)
    citizen = _citizen(request.user)
    unit = citizen.address_unit.code if citizen and citizen.address_unit else ""
    rows: list[Any] = []
    try:
        rows = groups.preview(version, unit) if unit else []
    except DomainError:
        rows = []
    components = groups.components_of(version)
    return render(
        request,
        "portal/group.html",
        {
            "group": group,
            "version": version,
            "components": components,
            "rows": rows,
            "latest": groups.latest(rows),
        },
    )


def _draft(request: HttpRequest, code: str, version: GroupVersion) -> dict[str, Any]:
    key = SESSION + code
    draft = request.session.get(key)
    if draft is None:
        schema = _data_schema(version)
        citizen = _citizen(request.user)
        initial = population_prefill.from_population(
            request, schema, citizen, procedure_code=code, initial=prefill(schema, citizen)
        )
        draft = {"data": initial, "step": 0}
        request.session[key] = draft
    return dict(draft)


def _save(request: HttpRequest, code: str, draft: dict[str, Any]) -> None:
    request.session[SESSION + code] = draft


def _titles(pages: list[schemaform.Step]) -> list[str]:
    return [page.title for page in pages] + [gettext("Kiểm tra và nộp")]


@login_required
@never_cache
def group_apply(request: HttpRequest, code: str) -> HttpResponse:
    _group_obj, version = _group(code)
    if _citizen(request.user) is None:
        raise Http404("Tài khoản chưa có thông tin công dân nên chưa nộp được hồ sơ.")
    draft = _draft(request, code, version)
    return redirect("portal:group_step", code=code, step=draft.get("step", 0))


@login_required
@never_cache
def group_step(request: HttpRequest, code: str, step: int) -> HttpResponse:
    group, version = _group(code)
    draft = _draft(request, code, version)
    pages = schemaform.steps(_data_schema(version))
    if step >= len(pages):
        return _review(request, group, version, draft, pages)
    if step < 0:
        raise Http404
    specs = pages[step].specs
    values: dict[str, Any] = dict(draft["data"])
    errors: dict[str, str] = {}
    extra_rows: dict[str, int] = {}
    if request.method == "POST":
        values = {**values, **schemaform.read_step(specs, request.POST)}
        adding = request.POST.get("add_row", "")
        if adding:
            extra_rows[adding] = 1
        else:
            errors = schemaform.check_step(specs, values)
        target = step if (errors or adding) else step + 1
        _save(request, code, {"data": values, "step": max(draft.get("step", 0), target)})
        if not errors and not adding:
            return redirect("portal:group_step", code=code, step=step + 1)
    fields = schemaform.bind(
        specs,
        values,
        errors,
        extra_rows=extra_rows,
        sources=population_prefill.sources(request, code, values),
    )
    context = {
        "group": group,
        "titles": _titles(pages),
        "current": step,
        "step_title": pages[step].title,
        "fields": fields,
        "errors": errors,
        "error_list": schemaform.error_targets(fields),
    }
    return render(request, "portal/group_form.html", context, status=422 if errors else 200)


def _uploads(request: HttpRequest, specs: list[dict[str, Any]]) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    for spec in specs:
        items = [
            services.Upload(
                f.name or "upload", f.read(), f.content_type or "application/octet-stream"
            )
            for f in request.FILES.getlist(f"files.{spec['name']}")
        ]
        if items:
            result[spec["name"]] = items
    return result


def _sections(pages: list[schemaform.Step], data: dict[str, Any]) -> list[dict[str, Any]]:
    sections = []
    for index, page in enumerate(pages):
        rows = [
            (spec["label"], schemaform.display(spec, data.get(spec["name"])))
            for spec in page.specs
            if not schemaform.is_blank(data.get(spec["name"]))
        ]
        sections.append({"title": page.title, "step": index, "rows": rows})
    return sections


def _review(
    request: HttpRequest,
    group: Any,
    version: GroupVersion,
    draft: dict[str, Any],
    pages: list[schemaform.Step],
) -> HttpResponse:
    data = dict(draft["data"])
    errors: list[tuple[str, str]] = []
    file_specs = _file_specs(version)
    rows: list[Any] = []
    try:
        rows = groups.preview(version, groups.unit_of(data, version))
    except DomainError as exc:
        errors.append(("", localise(exc.message)))
    if request.method == "POST" and not errors:
        try:
            application = services.group_submit(
                actor=request.user,
                group=group,
                form_data=data,
                files=_uploads(request, file_specs),
            )
        except FormInvalid as exc:
            errors = [("", localise(item["message"])) for item in exc.errors]
        except DomainError as exc:
            errors = [
                (
                    "#files" if exc.field in {s["name"] for s in file_specs} else "",
                    localise(exc.message),
                )
            ]
        else:
            request.session.pop(SESSION + group.code, None)
            return redirect("portal:group_application", code=application.code)
    context = {
        "group": group,
        "titles": _titles(pages),
        "current": len(pages),
        "sections": _sections(pages, data),
        "rows": rows,
        "latest": groups.latest(rows),
        "file_specs": file_specs,
        "error_list": errors,
        "errors": errors,
    }
    return render(request, "portal/group_review.html", context, status=422 if errors else 200)


@login_required
@never_cache
def group_application(request: HttpRequest, code: str) -> HttpResponse:
    try:
        view = selectors.application_for(request.user, code)
    except NotFound:
        raise Http404 from None
    return render(request, "portal/group_application.html", {"view": view, "nav": "mine"})


# --- Offers -------------------------------------------------------------------------------------


def _offer(request: HttpRequest, offer_id: int) -> Any:
    offer = selectors.offers_for(request.user).filter(pk=offer_id).first()
    if offer is None:
        raise Http404
    return offer


@login_required
@never_cache
def offer_page(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(request, offer_id)
    rule = offer.rule
    context: dict[str, Any] = {
        "offer": offer,
        "rule": rule,
        "message": services.message_of(offer),
        "nav": "mine",
        "errors": {},
    }
    if rule.group is None:
        return render(request, "portal/offer.html", context)
    version = groups.version_in_force(rule.group)
    specs = groups.components_of(version, offer.procedures)
    schema = groups.schema_for(version, specs)
    data_specs = [f for f in schema["fields"] if structure(f) != "file"]
    file_specs = [f for f in schema["fields"] if structure(f) == "file"]
    asked = [f for f in data_specs if f.get("required") and f["name"] not in offer.prepared]
    values = dict(offer.prepared)
    errors: dict[str, str] = {}
    error_list: list[tuple[str, str]] = []
    if request.method == "POST" and offer.status in (OfferStatus.OFFERED, OfferStatus.REMINDED):
        if request.POST.get("decline"):
            services.offer_decline(
                actor=request.user, offer_id=offer.pk, reason=request.POST.get("reason", "")
            )
            return redirect(reverse("portal:my_dossiers") + "?da=tu-choi")
        values = {**values, **schemaform.read_step(asked, request.POST)}
        errors = schemaform.check_step(asked, values)
        if not errors:
            try:
                application = services.offer_accept(
                    actor=request.user,
                    offer_id=offer.pk,
                    form_data={f["name"]: values.get(f["name"]) for f in asked},
                    files=_uploads(request, file_specs),
                )
            except FormInvalid as exc:
                error_list = [("", localise(item["message"])) for item in exc.errors]
            except DomainError as exc:
                error_list = [("", localise(exc.message))]
            else:
                return redirect("portal:group_application", code=application.code)
    rows: list[Any] = []
    try:
        rows = groups.preview(
            version, groups.unit_of(offer.prepared, version), only=offer.procedures
        )
    except DomainError as exc:
        error_list.append(("", localise(exc.message)))
    prepared = [
        section
        for section in _sections(schemaform.steps({"fields": data_specs}), offer.prepared)
        if section["rows"]
    ]
    fields = schemaform.bind(asked, values, errors)
    context.update(
        {
            "prepared": prepared,
            "fields": fields,
            "file_specs": file_specs,
            "rows": rows,
            "latest": groups.latest(rows),
            "errors": errors,
            "error_list": error_list + schemaform.error_targets(fields),
            "open": offer.status in (OfferStatus.OFFERED, OfferStatus.REMINDED),
        }
    )
    status = 422 if (errors or error_list) and request.method == "POST" else 200
    return render(request, "portal/offer.html", context, status=status)
