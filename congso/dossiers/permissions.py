"""Who may see a dossier (:class:`DossierQuerySet`) and who may act on it (the checks below).

Seeing (``Dossier.objects.restrict(user, "view")``):

* the applicant: the citizen whose account it is, or the account that submitted it (this covers
  organisations, whose dossiers are submitted by a person's account);
* officers: dossiers whose competent agency, or receiving desk's agency, is one where they hold
  a role in force, and dossiers with a step (consultation, inter-agency step) in such an agency
  or assigned to them;
* province administrators and monitors: every dossier whose competent agency or receiving desk
  lies in their province. ``"change"`` is the same without the monitors' read-only roles.

Acting is decided per action by :mod:`congso.dossiers.services` with the helpers here: the
reception officer of the dossier's desk for reception work, the holder of the current step's role
(or its assignee) for processing, a leader for completing unless the step allows its own role,
the applicant for supplements, withdrawal and rating.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from congso.org.permissions import (
    PROVINCE_ADMIN,
    PROVINCE_WIDE,
    RECEPTION,
    VIEW,
    RestrictedQuerySet,
    current_roles,
    is_authenticated_user,
    role_agencies,
    role_provinces,
)

if TYPE_CHECKING:
    from congso.dossiers.models import Dossier, DossierStep
    from congso.org.models import Desk

LEADER = "leader"
DEPARTMENT_HEAD = "department_head"
#: Every officer role except the read-only monitor.
ACTING_ROLES = (
    "reception",
    "specialist",
    "department_head",
    "leader",
    "clerk",
    "agency_admin",
    "province_admin",
)


class DossierQuerySet(RestrictedQuerySet["Dossier"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        from congso.dossiers.models import DossierStep

        if action == VIEW:
            agencies = role_agencies(user)
            provinces = role_provinces(user, PROVINCE_WIDE)
        else:
            agencies = role_agencies(user, ACTING_ROLES)
            provinces = role_provinces(user, (PROVINCE_ADMIN,))
        own = Q(applicant_citizen__user_id=user.pk) | Q(submitted_by_id=user.pk)
        officer = Q(competent_agency_id__in=agencies) | Q(desk__agency_id__in=agencies)
        steps = DossierStep.objects.filter(
            Q(agency_id__in=agencies) | Q(assignee_id=user.pk)
        ).values("dossier_id")
        province = Q(competent_agency__province_id__in=provinces) | Q(
            desk__agency__province_id__in=provinces
        )
        return own | officer | Q(pk__in=steps) | province


def is_applicant(user: Any, dossier: Dossier) -> bool:
    """The applicant's own account: the citizen's account, or the account that submitted."""
    if not is_authenticated_user(user):
        return False
    if dossier.submitted_by_id is not None and dossier.submitted_by_id == user.pk:
        return True
    citizen = dossier.applicant_citizen
    return citizen is not None and citizen.user_id == user.pk


def holds_role(
    user: Any, roles: tuple[str, ...], agency_id: int, department_id: int | None = None
) -> bool:
    """Whether ``user`` holds one of ``roles`` today in the agency (and the department, when
    one is given; a role held agency-wide, without a department, covers every department)."""
    if not is_authenticated_user(user):
        return False
    queryset = current_roles(user, roles).filter(agency_id=agency_id)
    if department_id is not None:
        queryset = queryset.filter(Q(department_id=department_id) | Q(department__isnull=True))
    return queryset.exists()


def is_reception_at(user: Any, desk: Desk) -> bool:
    """A reception officer working at ``desk`` (or agency-wide at the desk's agency)."""
    if not is_authenticated_user(user):
        return False
    return (
        current_roles(user, (RECEPTION,))
        .filter(Q(desk_id=desk.pk) | Q(desk__isnull=True, agency_id=desk.agency_id))
        .exists()
    )


def is_reception_officer(user: Any, dossier: Dossier) -> bool:
    """A reception officer of the dossier's receiving desk."""
    return is_reception_at(user, dossier.desk)


def can_work_on_step(user: Any, step: DossierStep) -> bool:
    """The step's assignee, or (unassigned) anyone holding its role in its agency/department."""
    if not is_authenticated_user(user):
        return False
    if step.assignee_id is not None:
        return bool(step.assignee_id == user.pk)
    return holds_role(user, (step.role,), step.agency_id, step.department_id)
