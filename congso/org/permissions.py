"""Permission-aware querysets, in the spirit of NetBox's ``.restrict(user, action)``.

Every list and detail read on behalf of a person goes through ``Model.objects.restrict(user,
action)``; every write checks :func:`can` (or ``restrict(user, "change")``) first. A model opts
in by giving its default manager a subclass of :class:`RestrictedQuerySet` that implements
:meth:`RestrictedQuerySet.scope_filter`. Later apps (dossiers…) reuse the same base::

    class DossierQuerySet(RestrictedQuerySet["Dossier"]):
        def scope_filter(self, user: User, action: str) -> Q:
            agencies = Agency.objects.restrict(user, action).values("pk")
            return Q(agency__in=agencies) | Q(applicant__user=user)

The rules for this app (all computed from the person's *current* role assignments in *active*
agencies, as SQL subqueries, so no rule can go stale within a request):

* anonymous or inactive: nothing; superuser: everything; staff status alone grants nothing;
* province administrator: view and change everything whose agency lies in the province of the
  agency where the role is held;
* monitor: view (never change) the same, province-wide;
* agency administrator: view and change their own agency, its departments, desks and role
  assignments (but may not grant or change the province-wide roles);
* every other officer (reception, specialist, department head, leader, clerk): view their own
  agency, its departments and desks; a reception officer also views the agencies their agency's
  desks receive for;
* citizens' and organisations' profiles: the citizen sees and changes their own; a reception
  officer sees and changes applicants living in their province or registered by their agency;
  other officers see applicants registered by their agency; province administrators (change)
  and monitors (view) the whole province.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from congso.org.models import (  # noqa: F401 (string generics below)
        Agency,
        Citizen,
        Department,
        Desk,
        Organisation,
        Representative,
        RoleAssignment,
    )

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})

_M = TypeVar("_M", bound=models.Model)

# Role values, repeated here as plain strings so this module does not import the models.
RECEPTION = "reception"
AGENCY_ADMIN = "agency_admin"
PROVINCE_ADMIN = "province_admin"
MONITOR = "monitor"
PROVINCE_WIDE = (PROVINCE_ADMIN, MONITOR)


def is_authenticated_user(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def is_superuser(user: Any) -> bool:
    return is_authenticated_user(user) and bool(getattr(user, "is_superuser", False))


def check_action(action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(ACTIONS)}")
    return action


# --- Scope subqueries -----------------------------------------------------------------------------


def current_roles(user: Any, roles: tuple[str, ...] | None = None) -> models.QuerySet[Any]:
    """The user's role assignments in force today, in active agencies (unfiltered by restrict)."""
    from congso.org.models import RoleAssignment

    queryset = RoleAssignment.objects.current().filter(user_id=user.pk, agency__active=True)
    if roles is not None:
        queryset = queryset.filter(role__in=roles)
    return queryset


def role_agencies(user: Any, roles: tuple[str, ...] | None = None) -> models.QuerySet[Any]:
    """Subquery: ids of agencies where the user holds one of ``roles`` (any role if None)."""
    return current_roles(user, roles).values("agency_id")


def role_provinces(user: Any, roles: tuple[str, ...] | None = None) -> models.QuerySet[Any]:
    """Subquery: ids of the provinces of the agencies where the user holds one of ``roles``."""
    return (
        current_roles(user, roles)
        .filter(agency__province__isnull=False)
        .values("agency__province_id")
    )


def _province_roles(action: str) -> tuple[str, ...]:
    return PROVINCE_WIDE if action == VIEW else (PROVINCE_ADMIN,)


# --- The reusable base ----------------------------------------------------------------------------


class RestrictedQuerySet(models.QuerySet[_M]):
    """A queryset that can narrow itself to what a person may do.

    Subclasses implement :meth:`scope_filter`; ``restrict`` handles the common cases
    (anonymous, inactive, superuser) and validates the action.
    """

    def restrict(self, user: Any, action: str = VIEW) -> RestrictedQuerySet[_M]:
        check_action(action)
        if not is_authenticated_user(user):
            return self.none()
        if is_superuser(user):
            return self.all()
        return self.filter(self.scope_filter(user, action))

    def scope_filter(self, user: Any, action: str) -> Q:
        """The condition on this model's rows for an authenticated, non-superuser ``user``."""
        raise NotImplementedError(f"{type(self).__name__} must define scope_filter()")


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether ``user`` may perform ``action`` on the saved object ``obj``."""
    check_action(action)
    if obj.pk is None:
        raise ValueError("can() needs a saved object; check the parent object for additions")
    manager = type(obj)._default_manager
    queryset = manager.all()
    if not isinstance(queryset, RestrictedQuerySet):
        raise TypeError(f"{type(obj).__name__} has no restricted manager")
    return queryset.restrict(user, action).filter(pk=obj.pk).exists()


def can_administer_province(user: Any, province_id: int | None) -> bool:
    """Whether ``user`` administers the province (superusers administer every province and the
    central level, ``province_id`` None)."""
    if is_superuser(user):
        return True
    if not is_authenticated_user(user) or province_id is None:
        return False
    return current_roles(user, (PROVINCE_ADMIN,)).filter(agency__province_id=province_id).exists()


# --- This app's querysets -------------------------------------------------------------------------


class AgencyQuerySet(RestrictedQuerySet["Agency"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        from congso.org.models import Desk

        province_wide = Q(province_id__in=role_provinces(user, _province_roles(action)))
        if action == VIEW:
            served = Desk.serves.through.objects.filter(
                desk__agency_id__in=role_agencies(user, (RECEPTION,))
            ).values("agency_id")
            return province_wide | Q(pk__in=role_agencies(user)) | Q(pk__in=served)
        return province_wide | Q(pk__in=role_agencies(user, (AGENCY_ADMIN,)))


def _agency_scoped(user: Any, action: str) -> Q:
    """Departments and desks: readable with their agency's own records (not through a served
    agency), changeable by the agency's administrators and the province administrators."""
    from congso.org.models import Agency

    if action == VIEW:
        agencies = Q(province_id__in=role_provinces(user, PROVINCE_WIDE)) | Q(
            pk__in=role_agencies(user)
        )
    else:
        agencies = Q(province_id__in=role_provinces(user, (PROVINCE_ADMIN,))) | Q(
            pk__in=role_agencies(user, (AGENCY_ADMIN,))
        )
    return Q(agency_id__in=Agency.objects.filter(agencies).values("pk"))


class DepartmentQuerySet(RestrictedQuerySet["Department"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        return _agency_scoped(user, action)


class DeskQuerySet(RestrictedQuerySet["Desk"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        return _agency_scoped(user, action)


class RoleAssignmentQuerySet(RestrictedQuerySet["RoleAssignment"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        province_wide = Q(agency__province_id__in=role_provinces(user, _province_roles(action)))
        agency_admin = Q(agency_id__in=role_agencies(user, (AGENCY_ADMIN,)))
        if action == VIEW:
            return Q(user_id=user.pk) | province_wide | agency_admin
        return province_wide | (agency_admin & ~Q(role__in=PROVINCE_WIDE))

    def current(self, on: date | None = None) -> RoleAssignmentQuerySet:
        """The assignments in force on ``on`` (default today): the one spelling of it."""
        day = on or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


def _applicant_scope(user: Any, action: str) -> Q:
    province_wide = role_provinces(user, _province_roles(action))
    reception_provinces = role_provinces(user, (RECEPTION,))
    in_province = Q(address_unit__province_id__in=reception_provinces) | Q(
        address_unit_id__in=reception_provinces
    )
    admin_scope = (
        Q(address_unit__province_id__in=province_wide)
        | Q(address_unit_id__in=province_wide)
        | Q(registered_by__province_id__in=province_wide)
    )
    if action == VIEW:
        registered = Q(registered_by_id__in=role_agencies(user))
    else:
        registered = Q(registered_by_id__in=role_agencies(user, (RECEPTION,)))
    return admin_scope | in_province | registered


class CitizenQuerySet(RestrictedQuerySet["Citizen"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        own = Q(user_id=user.pk) if action in (VIEW, CHANGE) else Q(pk__in=[])
        return own | _applicant_scope(user, action)


class OrganisationQuerySet(RestrictedQuerySet["Organisation"]):
    def scope_filter(self, user: Any, action: str) -> Q:
        return _applicant_scope(user, action)


class RepresentativeQuerySet(RestrictedQuerySet["Representative"]):
    """Representatives: seen by the citizen concerned, and with their organisation (an officer
    who may view or change the organisation may view or change its representatives)."""

    def scope_filter(self, user: Any, action: str) -> Q:
        from congso.org.models import Organisation

        organisations = Organisation.objects.filter(_applicant_scope(user, action)).values("pk")
        scope = Q(organisation_id__in=organisations)
        if action == VIEW:
            scope |= Q(citizen__user_id=user.pk)
        return scope


__all__ = [
    "ACTIONS",
    "ADD",
    "CHANGE",
    "DELETE",
    "VIEW",
    "AgencyQuerySet",
    "CitizenQuerySet",
    "DepartmentQuerySet",
    "DeskQuerySet",
    "OrganisationQuerySet",
    "RepresentativeQuerySet",
    "RestrictedQuerySet",
    "RoleAssignmentQuerySet",
    "can",
    "can_administer_province",
    "current_roles",
    "role_agencies",
    "role_provinces",
]
