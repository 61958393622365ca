"""Reads: units by code and date, successors of historic units, officers and their roles."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from congso.core.errors import DomainError, NotFound
from congso.org.models import (
    AdministrativeUnit,
    Agency,
    RoleAssignment,
    UnitLevel,
    UnitSuccession,
)
from congso.org.permissions import current_roles, is_authenticated_user

_LEVEL_BY_LENGTH = {2: UnitLevel.PROVINCE, 3: UnitLevel.DISTRICT, 5: UnitLevel.COMMUNE}


def normalise_unit_code(code: str | int) -> str:
    """``'51'``, ``51``, ``'1'`` → ``'01'``; commune codes to five digits. The length decides
    the level: 2 province, 3 district, 5 commune (GSO / QĐ 19/2025/QĐ-TTg)."""
    text = str(code).strip()
    if not text.isascii() or not text.isdigit():
        raise DomainError(
            "unit_code_invalid",
            f"Mã đơn vị hành chính '{text}' chỉ được gồm chữ số.",
            field="unit_code",
        )
    if len(text) <= 2:
        return text.zfill(2)
    if len(text) == 4:
        return text.zfill(5)
    return text


def resolve_unit(code: str | int, *, on: datetime.date | None = None) -> AdministrativeUnit:
    """The unit that carried ``code`` on the date ``on`` (default today).

    Raises :class:`NotFound` (``unit_not_found``) when no unit carried that code then.
    """
    normalised = normalise_unit_code(code)
    day = on or timezone.localdate()
    level = _LEVEL_BY_LENGTH.get(len(normalised))
    queryset = AdministrativeUnit.objects.valid_on(day).filter(code=normalised)
    if level is not None:
        queryset = queryset.filter(level=level)
    unit = queryset.select_related("parent", "province").first()
    if unit is None:
        raise NotFound(
            "unit_not_found",
            f"Không có đơn vị hành chính mã '{normalised}' vào ngày {day:%d/%m/%Y}.",
            field="unit_code",
        )
    return unit


def _walk_successions(start_ids: set[int], current_ids: set[int]) -> set[int]:
    """Follow successions from ``start_ids`` until units in ``current_ids``."""
    found: set[int] = set()
    frontier = set(start_ids)
    seen = set(start_ids)
    while frontier:
        successor_ids = set(
            UnitSuccession.objects.filter(predecessor_id__in=frontier).values_list(
                "successor_id", flat=True
            )
        )
        found |= successor_ids & current_ids
        frontier = successor_ids - current_ids - seen
        seen |= frontier
    return found


def unit_successors(
    unit: AdministrativeUnit, *, on: datetime.date | None = None
) -> list[AdministrativeUnit]:
    """The units in force on ``on`` (default today) that took over ``unit``'s territory: the
    unit itself while it is in force, else its successors over one or more steps."""
    day = on or timezone.localdate()
    current_ids = set(AdministrativeUnit.objects.valid_on(day).values_list("pk", flat=True))
    if unit.pk in current_ids:
        return [unit]
    found = _walk_successions({unit.pk}, current_ids)
    return list(AdministrativeUnit.objects.filter(pk__in=found).order_by("code"))


def current_successors(
    old_code: str | int, *, on: datetime.date | None = None
) -> list[AdministrativeUnit]:
    """The units in force (on ``on``, default today) that took over the territory of the
    historic unit(s) with ``old_code``, following successions over several steps.

    A code that only a unit in force carries resolves to that unit. An old commune split
    between several new ones yields all of them (see ``UnitSuccession.whole``). Empty when no
    succession is recorded.
    """
    normalised = normalise_unit_code(old_code)
    day = on or timezone.localdate()
    level = _LEVEL_BY_LENGTH.get(len(normalised))
    candidates = AdministrativeUnit.objects.filter(code=normalised)
    if level is not None:
        candidates = candidates.filter(level=level)
    current_ids = set(AdministrativeUnit.objects.valid_on(day).values_list("pk", flat=True))
    candidate_ids = set(candidates.values_list("pk", flat=True))
    historic_ids = candidate_ids - current_ids
    found = _walk_successions(historic_ids, current_ids) if historic_ids else set()
    if not historic_ids:
        found = candidate_ids
    return list(AdministrativeUnit.objects.filter(pk__in=found).order_by("code"))


def province_of(unit: AdministrativeUnit | None) -> AdministrativeUnit | None:
    if unit is None:
        return None
    if unit.level == UnitLevel.PROVINCE:
        return unit
    return unit.province


def is_officer(user: Any) -> bool:
    """Staff, or holding any role in force today in an active agency. The accounts app asks
    officers for a second factor (TOTP)."""
    if not is_authenticated_user(user):
        return False
    if getattr(user, "is_staff", False):
        return True
    return current_roles(user).exists()


def roles_of(user: Any, *, on: datetime.date | None = None) -> list[RoleAssignment]:
    """The user's role assignments in force on ``on`` (default today), with agencies."""
    if not is_authenticated_user(user):
        return []
    day = on or timezone.localdate()
    return list(
        RoleAssignment.objects.current(day)
        .filter(user_id=user.pk, agency__active=True)
        .select_related("agency", "department", "desk")
    )


def agencies_of(user: Any) -> list[Agency]:
    """Agencies where the user holds a role today."""
    return list(Agency.objects.filter(pk__in=current_roles(user).values("agency_id")))
