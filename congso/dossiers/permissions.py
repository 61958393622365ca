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
        """The rules above as an index-friendly condition (issue 22): the person's roles in
        force are read first (one small query, at the time of the call as before), so the
        agencies and provinces are literal ids the planner can see; the conditions on the
        dossier row come first, and a step is looked for only through the dossier's own steps
        (``EXISTS`` on the step table's dossier index). The earlier form, one ``OR`` of
        subqueries, was planned as hashed subplans built in full before the first row: every
        step of the person's agencies, even to open one dossier by its code."""
        from django.db.models import Exists, OuterRef

        from congso.dossiers.models import DossierStep

        held = list(current_roles(user).values_list("role", "agency_id", "agency__province_id"))
        if action == VIEW:
            agencies = sorted({agency for _role, agency, _province in held})
            wide: tuple[str, ...] = PROVINCE_WIDE
        else:
            agencies = sorted({agency for role, agency, _p in held if role in ACTING_ROLES})
            wide = (PROVINCE_ADMIN,)
        provinces = sorted({p for role, _a, p in held if role in wide and p is not None})
        reached = Q(submitted_by_id=user.pk) | Q(applicant_citizen__user_id=user.pk)
        steps = DossierStep.objects.filter(dossier_id=OuterRef("pk"))
        if agencies:
            reached |= Q(competent_agency_id__in=agencies) | Q(desk__agency_id__in=agencies)
            steps = steps.filter(Q(agency_id__in=agencies) | Q(assignee_id=user.pk))
        else:
            steps = steps.filter(assignee_id=user.pk)
        if provinces:
            reached |= Q(competent_agency__province_id__in=provinces) | Q(
                desk__agency__province_id__in=provinces
            )
        return reached | Q(Exists(steps))


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


def step_allows(step: DossierStep, action: str) -> bool:
    """A step with a list of allowed actions permits only those; an empty list permits all."""
    return not step.allowed_actions or action in step.allowed_actions


class ActionMemo:
    """Role look-ups of one decision, asked once each (a dossier page asks for every action)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._steps: dict[int, bool] = {}
        self._roles: dict[tuple[tuple[str, ...], int], bool] = {}
        self._reception: dict[int, bool] = {}

    def works_on(self, step: DossierStep) -> bool:
        if step.pk not in self._steps:
            self._steps[step.pk] = can_work_on_step(self.user, step)
        return self._steps[step.pk]

    def holds(self, roles: tuple[str, ...], agency_id: int) -> bool:
        key = (roles, agency_id)
        if key not in self._roles:
            self._roles[key] = holds_role(self.user, roles, agency_id)
        return self._roles[key]

    def reception(self, dossier: Dossier) -> bool:
        if dossier.desk_id not in self._reception:
            self._reception[dossier.desk_id] = is_reception_officer(self.user, dossier)
        return self._reception[dossier.desk_id]


RECEPTION_ACTIONS = frozenset(
    {
        "receive",
        "not_accept",
        "start_processing",
        "return_result",
        "confirm_withdrawal",
        "decline_withdrawal",
    }
)
STEP_ACTIONS = frozenset({"forward", "send_back", "consult", "request_payment"})


def may_act(  # noqa: PLR0911, PLR0912 (one answer per family of actions)
    user: Any,
    dossier: Dossier,
    action: str,
    *,
    active: list[DossierStep],
    memo: ActionMemo | None = None,
) -> bool:
    """Whether ``user`` may perform ``action`` on ``dossier`` now, by role, agency and step, as
    the services of :mod:`congso.dossiers.services` decide it (the dossier's state is checked
    by the caller). ``active``: the dossier's active steps. A step action is allowed when one
    active step the user may work on permits it (with several, the caller names it: step_id)."""
    from congso.dossiers.models import StepKind
    from congso.dossiers.workflow import Status

    if not is_authenticated_user(user):
        return False
    memo = memo or ActionMemo(user)
    main = [step for step in active if step.parent_id is None]
    main_kinds = (StepKind.STEP, StepKind.INTERAGENCY)

    def holder(kinds: tuple[str, ...], steps: list[DossierStep]) -> bool:
        return any(
            step.kind in kinds and memo.works_on(step) and step_allows(step, action)
            for step in steps
        )

    if action in RECEPTION_ACTIONS:
        return memo.reception(dossier)
    if action in ("supplement", "resubmit"):
        return memo.reception(dossier) or is_applicant(user, dossier)
    if action in ("request_withdrawal", "rate"):
        return is_applicant(user, dossier)
    if action in STEP_ACTIONS:
        return holder(main_kinds, main)
    if action == "transfer":
        return holder((StepKind.STEP,), main)
    if action == "transfer_out":
        leader = memo.holds((LEADER,), dossier.competent_agency_id)
        if dossier.status == Status.PROCESSING:
            return leader or holder((StepKind.STEP,), main)
        return leader or memo.reception(dossier)
    if action == "answer_consultation":
        return holder((StepKind.CONSULTATION,), active)
    if action == "request_supplement":
        if dossier.status == Status.PROCESSING:
            return holder(main_kinds, main)
        return memo.reception(dossier)
    if action == "refuse":
        if dossier.status == Status.PROCESSING:
            return holder(main_kinds, main)
        return memo.reception(dossier) or memo.holds((LEADER,), dossier.competent_agency_id)
    if action == "confirm_payment":
        return memo.reception(dossier) or any(memo.works_on(step) for step in main)
    if action == "apologise":
        return memo.holds((LEADER, DEPARTMENT_HEAD), dossier.competent_agency_id) or any(
            memo.works_on(step) for step in main
        )
    if action == "complete":
        steps = [step for step in main if step.kind in main_kinds]
        if not steps:
            return memo.holds((LEADER,), dossier.competent_agency_id)
        return any(
            step_allows(step, action)
            and (
                (
                    memo.works_on(step)
                    and (step.role == LEADER or "complete" in step.allowed_actions)
                )
                or memo.holds((LEADER,), step.agency_id)
            )
            for step in steps
        )
    return False
