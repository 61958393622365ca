"""Reads: a person's dossiers (through ``restrict``), a dossier's record, the public look-up,
and the lists the printed forms need (form 05 control slip, form 06 tracking book)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from congso.catalog.models import Procedure, ProcedureVersion
from congso.core.errors import DomainError, NotFound
from congso.dossiers.models import (
    Attachment,
    Dossier,
    DossierHistory,
    DossierStep,
    Rating,
    StepStatus,
)
from congso.dossiers.permissions import ActionMemo, may_act
from congso.dossiers.workflow import LABELS_VI, NATIONAL_CODE, TRANSITIONS, Status
from congso.org.models import Desk
from congso.org.permissions import VIEW

#: Most rows one list call returns.
MAX_LIMIT = 200


def dossier_for(user: Any, code: str, action: str = VIEW) -> Dossier:
    """The dossier ``code`` if ``user`` may see it; otherwise the same ``dossier_not_found``
    whether it does not exist or is out of their scope (nothing leaks)."""
    # Two small queries instead of one: PostgreSQL spends ~8 ms planning the permission
    # subqueries joined with the related rows, ~3 ms for the two apart. The code is unique, so
    # no ORDER BY either (the default ordering's index would otherwise be walked).
    rows = list(
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "competent_agency__province",
            "desk",
            "receiving_agency",
            "applicant_citizen",
        )
        .filter(code=normalise_code(code))
        .order_by()[:1]
    )
    dossier = rows[0] if rows else None
    if dossier is None or not (
        Dossier.objects.restrict(user, action).filter(pk=dossier.pk).order_by().exists()
    ):
        raise NotFound("dossier_not_found", f"Không tìm thấy hồ sơ {code}.", field="code")
    return dossier


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()


def overdue_q(now: datetime | None = None) -> Q:
    """Late dossiers: ended late; or still open past their due time with the clock running; or
    counted late already because of a second supplement request."""
    moment = now or timezone.now()
    open_past_due = Q(
        ended_at__isnull=True,
        received_at__isnull=False,
        due_at__lt=moment,
        status__in=[
            status.value
            for status in (Status.RECEIVED, Status.PROCESSING, Status.WITHDRAWAL_REQUESTED)
        ],
    )
    return Q(timeliness="late") | open_past_due | Q(supplement_count__gt=1)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def dossiers_for(
    user: Any,
    *,
    status: str | None = None,
    agency_code: str | None = None,
    procedure_code: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    overdue: bool | None = None,
) -> QuerySet[Dossier]:
    """The dossiers ``user`` may see, filtered, newest submission first (a stable order)."""
    queryset = Dossier.objects.restrict(user, VIEW).select_related(
        "procedure_version__procedure", "competent_agency", "desk"
    )
    if status:
        if status not in {item.value for item in Status}:
            raise DomainError(
                "invalid_status",
                "Trạng thái không hợp lệ; dùng: " + ", ".join(s.value for s in Status) + ".",
                field="status",
            )
        queryset = queryset.filter(status=status)
    if agency_code:
        queryset = queryset.filter(competent_agency__code=agency_code.strip())
    if procedure_code:
        queryset = queryset.filter(procedure_version__procedure__code=procedure_code.strip())
    if submitted_from and submitted_to and submitted_from > submitted_to:
        raise DomainError(
            "invalid_range", "Ngày bắt đầu phải trước ngày kết thúc.", field="submitted_from"
        )
    if submitted_from:
        queryset = queryset.filter(submitted_at__gte=_day_start(submitted_from))
    if submitted_to:
        queryset = queryset.filter(submitted_at__lt=_day_start(submitted_to + timedelta(days=1)))
    if overdue is not None:
        queryset = queryset.filter(overdue_q()) if overdue else queryset.exclude(overdue_q())
    return queryset.order_by("-submitted_at", "-pk")


def history_of(dossier: Dossier) -> list[DossierHistory]:
    """The processing record (form 05 rows), oldest first."""
    return list(dossier.history.select_related("actor", "agency", "step").order_by("at", "pk"))


def steps_of(dossier: Dossier) -> list[DossierStep]:
    return list(
        dossier.steps.select_related("agency", "department", "assignee", "parent").order_by(
            "stage", "pk"
        )
    )


def current_steps(dossier: Dossier) -> list[DossierStep]:
    return [step for step in steps_of(dossier) if step.status == StepStatus.ACTIVE]


def attachments_of(dossier: Dossier) -> list[Attachment]:
    return list(
        Attachment.objects.filter(component__dossier=dossier)
        .select_related("component")
        .order_by("component_id", "version")
    )


def desk_book(desk: Desk, *, start: date, end: date) -> QuerySet[Dossier]:
    """The tracking book (form 06): dossiers the desk received from ``start`` to ``end``
    (inclusive), in reception order."""
    return (
        Dossier.objects.filter(
            desk=desk,
            received_at__gte=_day_start(start),
            received_at__lt=_day_start(end + timedelta(days=1)),
        )
        .select_related("procedure_version__procedure", "competent_agency")
        .order_by("received_at", "pk")
    )


def actions_for(
    user: Any,
    dossier: Dossier,
    *,
    steps: list[DossierStep] | None = None,
    rated: bool | None = None,
) -> list[str]:
    """The actions ``user`` may take now: allowed from the dossier's state, and permitted to
    this user by role, agency and step (:func:`~congso.dossiers.permissions.may_act`, the rules
    the services apply). Business checks that need the request (a reason, the plan's last
    step, the 3-day window) are left to the services.

    ``steps`` (all the dossier's steps) and ``rated`` spare their queries when the caller has
    read them already."""
    state = dossier.state
    possible = [action for action, t in TRANSITIONS.items() if state in t.sources]
    if not possible:
        return []
    active = (
        current_steps(dossier)
        if steps is None
        else [step for step in steps if step.status == StepStatus.ACTIVE]
    )
    skip = {"resubmit" if dossier.received_at is not None else "supplement"}
    if rated is None:
        rated = Rating.objects.filter(dossier=dossier).exists()
    if rated:
        skip.add("rate")
    memo = ActionMemo(user)
    return [
        action
        for action in possible
        if action not in skip and may_act(user, dossier, action, active=active, memo=memo)
    ]


@dataclass(frozen=True)
class PublicStatus:
    """What anyone may learn from a dossier code (TT 01/2018 arts. 16–18): no personal data."""

    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    national_status: int
    received_at: datetime | None
    appointment_at: datetime | None


def _lookup_sql() -> str:
    quote = connection.ops.quote_name
    dossiers = quote(Dossier._meta.db_table)
    versions = quote(ProcedureVersion._meta.db_table)
    procedures = quote(Procedure._meta.db_table)
    # Table names from the models; the code is bound. The code is unique (its index answers).
    return (
        f"SELECT d.code, d.status, d.received_at, d.appointment_at, p.code, p.name "  # noqa: S608
        f"FROM {dossiers} d JOIN {versions} v ON v.id = d.procedure_version_id "
        f"JOIN {procedures} p ON p.id = v.procedure_id WHERE d.code = %s"
    )


def lookup(code: str) -> PublicStatus:
    """The public look-up by dossier code; ``dossier_not_found`` when unknown.

    The busiest public read: one fixed SQL statement (prepared on the server after a few runs,
    see ``CONGSO_DB_PREPARE_THRESHOLD``) rather than a query built by the ORM on every call."""
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [normalise_code(code)])
        row = cursor.fetchone()
    if row is None:
        raise NotFound("dossier_not_found", "Không tìm thấy hồ sơ có mã số này.", field="code")
    found_code, raw_status, received_at, appointment_at, procedure_code, procedure_name = row
    status = Status(raw_status)
    return PublicStatus(
        code=found_code,
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        status=status.value,
        status_label=LABELS_VI[status],
        national_status=NATIONAL_CODE[status],
        received_at=_aware(received_at),
        appointment_at=_aware(appointment_at),
    )


def _aware(value: datetime | None) -> datetime | None:
    """Instants from a raw cursor: aware already on PostgreSQL, naive UTC on SQLite."""
    if value is None or timezone.is_aware(value):
        return value
    if isinstance(value, str):  # pragma: no cover - SQLite converters give datetimes
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)
