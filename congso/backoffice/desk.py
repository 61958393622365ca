"""The desk supervisor's view (/can-bo/giam-sat/): everything at a one-stop desk today
(received, due for return, returned), the running steps of the agencies the supervisor
oversees with a form to hand a step to another officer of the same department
(:func:`congso.dossiers.services.dossier_reassign`), and the tracking book (form 06)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congso.backoffice.counter import reception_desks
from congso.core.errors import DomainError
from congso.dossiers.models import Dossier, DossierStep, StepStatus
from congso.dossiers.services import supervision
from congso.dossiers.workflow import Status
from congso.org.models import Desk, RoleAssignment
from congso.org.permissions import VIEW, current_roles

#: Most rows shown per list on the page (a desk receives far fewer in a day).
LIST_LIMIT = 200


def supervised_desks(user: Any) -> QuerySet[Desk]:
    """Active desks of the agencies where ``user`` is a leader, agency administrator or
    department head, and the desks where they work as a reception officer (who see the day,
    not the reassignment forms)."""
    agencies = current_roles(user, supervision.SUPERVISOR_ROLES).values("agency_id")
    return (
        Desk.objects.filter(active=True)
        .filter(Q(agency_id__in=agencies) | Q(pk__in=reception_desks(user).values("pk")))
        .order_by("name")
    )


def _day(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _dossiers(user: Any, desk: Desk) -> QuerySet[Dossier]:
    return (
        Dossier.objects.restrict(user, VIEW)
        .filter(desk=desk)
        .select_related("procedure_version__procedure")
        .order_by("appointment_at", "pk")
    )


def _officers(steps: list[DossierStep]) -> dict[int, list[Any]]:
    """Per step, the officers holding its role today in its agency (and department)."""
    today = timezone.localdate()
    keys = {(s.role, s.agency_id, s.department_id) for s in steps}
    if not keys:
        return {}
    condition = Q()
    for role, agency_id, _department_id in keys:
        condition |= Q(role=role, agency_id=agency_id)
    rows = (
        RoleAssignment.objects.current(today)
        .filter(condition, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    people: dict[tuple[str, int, int | None], dict[int, Any]] = {key: {} for key in keys}
    for row in rows:
        for role, agency_id, department_id in keys:
            if row.role != role or row.agency_id != agency_id:
                continue
            if department_id is None or row.department_id in (None, department_id):
                people[(role, agency_id, department_id)][row.user_id] = row.user
    return {s.pk: list(people[(s.role, s.agency_id, s.department_id)].values()) for s in steps}


def _context(request: HttpRequest, desk: Desk, desks: list[Desk]) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    start, end = _day(today)
    dossiers = _dossiers(user, desk)
    scopes = supervision.supervisor_scopes(user)
    steps = [
        step
        for step in DossierStep.objects.filter(
            status=StepStatus.ACTIVE,
            dossier__in=dossiers.values("pk"),
            agency_id__in={agency_id for _role, agency_id, _department in scopes},
        )
        .select_related("dossier", "assignee", "agency", "department")
        .order_by("due_at", "pk")[:LIST_LIMIT]
        if supervision.may_reassign(user, step, scopes)
    ]
    officers = _officers(steps)
    for step in steps:
        step.candidates = officers[step.pk]  # type: ignore[attr-defined]
    month_start = today.replace(day=1)
    return {
        "desk": desk,
        "desks": desks,
        "today": today,
        "received": list(dossiers.filter(received_at__gte=start, received_at__lt=end)[:LIST_LIMIT]),
        "due": list(
            dossiers.filter(appointment_at__gte=start, appointment_at__lt=end)
            .exclude(status__in=[Status.RETURNED, Status.WITHDRAWN, Status.NOT_ACCEPTED])
            .order_by("appointment_at", "pk")[:LIST_LIMIT]
        ),
        "returned": list(dossiers.filter(returned_at__gte=start, returned_at__lt=end)[:LIST_LIMIT]),
        "steps": steps,
        "book_today": f"{reverse('printing:tracking_book')}?desk={desk.pk}"
        f"&from={today.isoformat()}&to={today.isoformat()}",
        "book_month": f"{reverse('printing:tracking_book')}?desk={desk.pk}"
        f"&from={month_start.isoformat()}&to={today.isoformat()}",
    }


def _desk(request: HttpRequest) -> tuple[Desk, list[Desk]]:
    desks = list(supervised_desks(request.user)) if request.user.is_authenticated else []
    if not desks:
        raise Http404
    wanted = request.GET.get("ban", "") or request.POST.get("ban", "")
    desk = next((d for d in desks if str(d.pk) == wanted), desks[0])
    return desk, desks


@login_required
@never_cache
def supervisor(request: HttpRequest) -> HttpResponse:
    desk, desks = _desk(request)
    context = _context(request, desk, desks)
    context["done"] = gettext("Đã giao lại bước xử lý.") if request.GET.get("da") else ""
    return render(request, "backoffice/supervisor.html", context)


@login_required
@never_cache
@require_POST
def reassign(request: HttpRequest, step_id: int) -> HttpResponse:
    desk, desks = _desk(request)
    step = (
        DossierStep.objects.filter(
            pk=step_id, dossier__in=Dossier.objects.restrict(request.user, VIEW).values("pk")
        )
        .select_related("dossier")
        .first()
    )
    if step is None:
        raise Http404
    wanted = request.POST.get("assignee", "")
    assignee = get_user_model().objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = step.dossier.version
    try:
        supervision.dossier_reassign(
            actor=request.user,
            dossier=step.dossier,
            step_id=step.pk,
            assignee=assignee,
            reason=request.POST.get("reason", ""),
            expected_version=version,
        )
    except DomainError as exc:
        context = _context(request, desk, desks)
        context.update(
            {"error_step": step.pk, "error": exc.message, "error_field": exc.field or ""}
        )
        context["post"] = request.POST
        return render(request, "backoffice/supervisor.html", context, status=422)
    return redirect(reverse("backoffice:supervisor") + f"?ban={desk.pk}&da=1")
