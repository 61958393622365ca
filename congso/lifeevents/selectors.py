"""Reads of ``lifeevents``: a citizen's group applications with each component's state, their
offers, the officers' review queue and the measures (offers made, accepted, completed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from congso.core.errors import DomainError, NotFound, PermissionDenied
from congso.dossiers.models import Dossier
from congso.dossiers.workflow import Status
from congso.lifeevents import groups
from congso.lifeevents.models import (
    GroupApplication,
    GroupMember,
    LifeEventRule,
    Offer,
    OfferStatus,
    ProcedureGroup,
)

#: What the citizen reads for a component, by its dossier's state.
STAGES = {
    Status.SUBMITTED: "waiting",
    Status.RECEIVED: "processing",
    Status.PROCESSING: "processing",
    Status.PAYMENT_REQUESTED: "action",
    Status.SUPPLEMENT_REQUESTED: "action",
    Status.WITHDRAWAL_REQUESTED: "processing",
    Status.PROCESSED: "done",
    Status.RETURNED: "done",
    Status.NOT_ACCEPTED: "ended",
    Status.WITHDRAWN: "ended",
    Status.STOPPED: "ended",
}


@dataclass(frozen=True)
class MemberRow:
    member: GroupMember
    dossier: Dossier
    stage: str  # waiting | processing | action | done | ended
    routing_label: str


@dataclass(frozen=True)
class ApplicationView:
    application: GroupApplication
    group: ProcedureGroup
    rows: list[MemberRow]

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.stage == "done")

    @property
    def needs_action(self) -> bool:
        return any(row.stage == "action" for row in self.rows)

    @property
    def complete(self) -> bool:
        return bool(self.rows) and all(row.stage in ("done", "ended") for row in self.rows)


def own_applications(user: Any) -> QuerySet[GroupApplication]:
    return (
        GroupApplication.objects.filter(
            Q(applicant_citizen__user_id=user.pk) | Q(submitted_by_id=user.pk)
        )
        .select_related("version__group")
        .order_by("-submitted_at", "-pk")
    )


def view_of(application: GroupApplication) -> ApplicationView:
    members = list(
        application.members.select_related(
            "dossier__procedure_version__procedure", "dossier__competent_agency", "procedure"
        ).order_by("order")
    )
    rows = [
        MemberRow(
            member=m,
            dossier=m.dossier,
            stage=STAGES.get(Status(m.dossier.status), "processing"),
            routing_label=groups.ROUTING_LABELS.get(m.routing, m.routing),
        )
        for m in members
    ]
    return ApplicationView(application=application, group=application.version.group, rows=rows)


def application_for(user: Any, code: str) -> ApplicationView:
    application = own_applications(user).filter(code=code).first()
    if application is None:
        raise NotFound("application_not_found", f"Không có hồ sơ liên thông «{code}».")
    return view_of(application)


def application_of_dossier(dossier: Dossier) -> GroupApplication | None:
    member = GroupMember.objects.filter(dossier=dossier).select_related("application").first()
    return member.application if member else None


def offers_for(user: Any, *, open_only: bool = False) -> QuerySet[Offer]:
    rows = Offer.objects.filter(citizen__user_id=user.pk).select_related("rule__group")
    if open_only:
        rows = rows.filter(status__in=(OfferStatus.OFFERED, OfferStatus.REMINDED))
    return rows.order_by("-created_at", "-pk")


def review_queue() -> QuerySet[Offer]:
    return (
        Offer.objects.filter(status=OfferStatus.REVIEW)
        .select_related("rule__group", "citizen")
        .order_by("created_at", "pk")
    )


def review_queue_for(user: Any) -> QuerySet[Offer]:
    """The queue, for an officer (anyone holding a role); ``not_reviewer`` otherwise. Who may
    approve an item is checked when it is approved (the reception of each component's desk)."""
    if not user.role_assignments.exists():
        raise PermissionDenied("not_reviewer", "Chỉ cán bộ xem được hàng đợi duyệt.")
    return review_queue()


@dataclass(frozen=True)
class RuleMeasure:
    rule: LifeEventRule
    made: int
    accepted: int
    declined: int
    completed: int
    minutes_saved: int


def measures() -> list[RuleMeasure]:
    """Per rule: offers made, accepted (accepted or completed), declined, completed, and the
    time saved (the rule's estimate × the offers accepted)."""
    counted = LifeEventRule.objects.annotate(
        made=Count("offers"),
        accepted=Count(
            "offers", filter=Q(offers__status__in=(OfferStatus.ACCEPTED, OfferStatus.COMPLETED))
        ),
        declined=Count("offers", filter=Q(offers__status=OfferStatus.DECLINED)),
        completed=Count("offers", filter=Q(offers__status=OfferStatus.COMPLETED)),
    ).order_by("code")
    return [
        RuleMeasure(
            rule=rule,
            made=rule.made,
            accepted=rule.accepted,
            declined=rule.declined,
            completed=rule.completed,
            minutes_saved=rule.minutes_saved * rule.accepted,
        )
        for rule in counted
    ]


def totals() -> dict[str, int]:
    rows = measures()
    return {
        "made": sum(r.made for r in rows),
        "accepted": sum(r.accepted for r in rows),
        "declined": sum(r.declined for r in rows),
        "completed": sum(r.completed for r in rows),
        "minutes_saved": sum(r.minutes_saved for r in rows),
        "applications": GroupApplication.objects.count(),
        "component_dossiers": GroupMember.objects.count(),
    }


def groups_with(procedure_code: str) -> list[ProcedureGroup]:
    """The groups in force today that have the procedure among their components (the
    procedure page offers them)."""
    found = []
    for group in ProcedureGroup.objects.filter(active=True).order_by("code"):
        try:
            version = groups.version_in_force(group)
        except DomainError:
            continue
        if any(spec.procedure == procedure_code for spec in groups.components_of(version)):
            found.append(group)
    return found
