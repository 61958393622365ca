"""restrict() and can(): officers see and act only within their agency (or province for the
province-wide roles); a citizen sees only their own profile; anonymous sees nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from congso.accounts.models import User
from congso.core.errors import PermissionDenied
from congso.org import services
from congso.org.models import (
    Agency,
    AgencyLevel,
    Citizen,
    Department,
    Desk,
    Organisation,
    Role,
    RoleAssignment,
)
from congso.org.permissions import RestrictedQuerySet, can
from congso.org.selectors import is_officer

from .conftest import COMMUNE, OTHER_PROVINCE, PROVINCE, yesterday


@dataclass
class World:
    committee: Agency  # UBND tỉnh 51
    justice: Agency  # Sở Tư pháp 51
    health: Agency  # Sở Y tế 51
    elsewhere: Agency  # Sở Tư pháp 48
    justice_dept: Department
    health_dept: Department
    justice_desk: Desk
    health_desk: Desk
    elsewhere_desk: Desk
    specialist: User  # chuyên viên, Sở Tư pháp 51
    agency_admin: User  # quản trị, Sở Tư pháp 51
    province_admin: User  # quản trị tỉnh 51
    monitor: User  # giám sát tỉnh 51
    reception: User  # một cửa, UBND tỉnh 51 (centre serving the departments)
    other_admin: User  # quản trị, Sở Tư pháp 48
    citizen_user: User
    other_citizen_user: User
    citizen: Citizen
    other_citizen: Citizen
    walk_in: Citizen  # registered at the 48 desk, lives in 48


@pytest.fixture
def world(
    two_provinces: None,
    make_user: Callable[..., User],
    make_agency: Callable[..., Agency],
    grant: Callable[..., RoleAssignment],
) -> World:
    committee = make_agency("Ủy ban nhân dân tỉnh Quảng Ngãi", code="000.00.00.H51")
    justice = make_agency("Sở Tư pháp tỉnh Quảng Ngãi", code="000.00.01.H51")
    health = make_agency("Sở Y tế tỉnh Quảng Ngãi", code="000.00.05.H51")
    elsewhere = make_agency(
        "Sở Tư pháp thành phố Đà Nẵng", province=OTHER_PROVINCE, code="000.00.01.H48"
    )
    departments = {
        agency.pk: services.department_create(actor=None, agency=agency, name="Văn phòng Sở")
        for agency in (justice, health)
    }
    desks = {
        agency.pk: services.desk_create(actor=None, agency=agency, name="Bộ phận Một cửa")
        for agency in (justice, health, elsewhere)
    }
    centre = services.desk_create(
        actor=None,
        agency=committee,
        name="Trung tâm Phục vụ hành chính công",
        kind="service_centre",
        serves=[justice, health],
    )
    users = {
        name: make_user(name)
        for name in (
            "specialist",
            "agency_admin",
            "province_admin",
            "monitor",
            "reception",
            "other_admin",
            "citizen_user",
            "other_citizen_user",
        )
    }
    grant(users["specialist"], Role.SPECIALIST, justice, department=departments[justice.pk])
    grant(users["agency_admin"], Role.AGENCY_ADMIN, justice)
    grant(users["province_admin"], Role.PROVINCE_ADMIN, committee)
    grant(users["monitor"], Role.MONITOR, committee)
    grant(users["reception"], Role.RECEPTION, committee, desk=centre)
    grant(users["other_admin"], Role.AGENCY_ADMIN, elsewhere)
    citizen = services.citizen_create(
        actor=None,
        full_name="Công Dân Thử Nghiệm Một",
        personal_id="051085000001",
        address_unit_code=COMMUNE,
        user=users["citizen_user"],
    )
    other_citizen = services.citizen_create(
        actor=None,
        full_name="Công Dân Thử Nghiệm Hai",
        personal_id="051190000002",
        user=users["other_citizen_user"],
    )
    walk_in = services.citizen_create(
        actor=None,
        full_name="Công Dân Thử Nghiệm Ba",
        personal_id="048200000003",
        agency=elsewhere,
    )
    return World(
        committee=committee,
        justice=justice,
        health=health,
        elsewhere=elsewhere,
        justice_dept=departments[justice.pk],
        health_dept=departments[health.pk],
        justice_desk=desks[justice.pk],
        health_desk=desks[health.pk],
        elsewhere_desk=desks[elsewhere.pk],
        citizen=citizen,
        other_citizen=other_citizen,
        walk_in=walk_in,
        **users,
    )


def visible(queryset: QuerySet[Any], user: Any, action: str = "view") -> set[int]:
    assert isinstance(queryset, RestrictedQuerySet)
    return set(queryset.restrict(user, action).values_list("pk", flat=True))


def ids(*objects: Any) -> set[int]:
    return {obj.pk for obj in objects}


@pytest.mark.django_db
def test_anonymous_and_inactive_see_nothing(world: World) -> None:
    for user in (AnonymousUser(), None):
        for model in (Agency, Department, Desk, RoleAssignment, Citizen, Organisation):
            assert visible(model.objects.all(), user) == set()
    world.province_admin.is_active = False
    assert visible(Agency.objects.all(), world.province_admin) == set()


@pytest.mark.django_db
def test_superuser_sees_everything(world: World, make_user: Callable[..., User]) -> None:
    root = make_user("root", is_superuser=True, is_staff=True)
    assert visible(Agency.objects.all(), root, "delete") == set(
        Agency.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_officer_sees_only_own_agency(world: World) -> None:
    user = world.specialist
    assert visible(Agency.objects.all(), user) == ids(world.justice)
    assert visible(Department.objects.all(), user) == ids(world.justice_dept)
    assert visible(Desk.objects.all(), user) == ids(world.justice_desk)
    assert visible(RoleAssignment.objects.all(), user) == set(
        user.role_assignments.values_list("pk", flat=True)
    )
    assert not can(user, "view", world.health)
    assert not can(user, "view", world.health_desk)
    assert not can(user, "view", world.elsewhere)
    # A specialist changes nothing, not even their own agency.
    assert visible(Agency.objects.all(), user, "change") == set()
    assert not can(user, "change", world.justice)


@pytest.mark.django_db
def test_agency_admin_acts_on_own_agency_only(world: World) -> None:
    admin = world.agency_admin
    assert can(admin, "change", world.justice)
    assert can(admin, "change", world.justice_dept)
    assert can(admin, "delete", world.justice_desk)
    assert not can(admin, "view", world.health)
    assert not can(admin, "change", world.health_dept)
    assert not can(admin, "change", world.elsewhere_desk)
    specialist_role = world.specialist.role_assignments.get()
    assert can(admin, "change", specialist_role)
    assert visible(RoleAssignment.objects.all(), admin) == set(
        RoleAssignment.objects.filter(agency=world.justice).values_list("pk", flat=True)
    )

    # Acting through the services on another agency is refused and writes nothing.
    with pytest.raises(PermissionDenied):
        services.department_create(actor=admin, agency=world.health, name="Phòng Mới")
    with pytest.raises(PermissionDenied):
        services.desk_update(actor=admin, desk=world.health_desk, name="Đổi tên")
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=admin, agency=world.elsewhere, name="Đổi tên")
    with pytest.raises(PermissionDenied):
        services.role_assign(
            actor=admin, user=world.specialist, role=Role.SPECIALIST, agency=world.health
        )
    assert not Department.objects.filter(name="Phòng Mới").exists()
    world.health_desk.refresh_from_db()
    assert world.health_desk.name == "Bộ phận Một cửa"

    # Within their own agency it works, except for province-wide roles.
    services.department_create(actor=admin, agency=world.justice, name="Phòng Mới")
    with pytest.raises(PermissionDenied):
        services.role_assign(
            actor=admin, user=world.specialist, role=Role.MONITOR, agency=world.justice
        )


@pytest.mark.django_db
def test_other_province_admin_cannot_touch_this_province(world: World) -> None:
    admin = world.other_admin
    assert visible(Agency.objects.all(), admin) == ids(world.elsewhere)
    assert not can(admin, "view", world.justice)
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=admin, assignment=world.specialist.role_assignments.get())
    assert world.specialist.role_assignments.get().valid_to is None


@pytest.mark.django_db
def test_province_admin_and_monitor_are_province_wide(world: World) -> None:
    in_province = ids(world.committee, world.justice, world.health)
    for user in (world.province_admin, world.monitor):
        assert visible(Agency.objects.all(), user) == in_province
        assert visible(Department.objects.all(), user) == ids(world.justice_dept, world.health_dept)
        assert not can(user, "view", world.elsewhere)
        assert can(user, "view", world.citizen)
        assert not can(user, "view", world.walk_in)
    assert visible(Agency.objects.all(), world.province_admin, "change") == in_province
    assert can(world.province_admin, "change", world.specialist.role_assignments.get())
    # The monitor only reads.
    for action in ("add", "change", "delete"):
        assert visible(Agency.objects.all(), world.monitor, action) == set()
        assert visible(RoleAssignment.objects.all(), world.monitor, action) == set()
        assert visible(Citizen.objects.all(), world.monitor, action) == set()
    with pytest.raises(PermissionDenied):
        services.agency_update(actor=world.monitor, agency=world.justice, name="Đổi tên")
    with pytest.raises(PermissionDenied):
        services.agency_create(
            actor=world.monitor,
            name="Sở Mới",
            code="000.00.20.H51",
            level=AgencyLevel.PROVINCE,
            unit_code=PROVINCE,
        )
    created = services.agency_create(
        actor=world.province_admin,
        name="Sở Mới",
        code="000.00.20.H51",
        level=AgencyLevel.PROVINCE,
        unit_code=PROVINCE,
    )
    assert can(world.monitor, "view", created)
    with pytest.raises(PermissionDenied):
        services.agency_create(
            actor=world.province_admin,
            name="Sở Khác Tỉnh",
            code="000.00.20.H48",
            level=AgencyLevel.PROVINCE,
            unit_code=OTHER_PROVINCE,
        )


@pytest.mark.django_db
def test_reception_officer_sees_served_agencies_and_applicants(world: World) -> None:
    user = world.reception
    assert visible(Agency.objects.all(), user) == ids(world.committee, world.justice, world.health)
    # Only their own agency's desks and departments, not those of the served departments.
    assert world.justice_desk.pk not in visible(Desk.objects.all(), user)
    assert visible(Department.objects.all(), user) == set()
    # Applicants living in the province, whichever desk they go to; not those of 48.
    assert visible(Citizen.objects.all(), user) == ids(world.citizen)
    assert can(user, "change", world.citizen)
    assert not can(user, "view", world.walk_in)


@pytest.mark.django_db
def test_citizen_sees_only_own_profile(world: World) -> None:
    assert visible(Citizen.objects.all(), world.citizen_user) == ids(world.citizen)
    assert visible(Citizen.objects.all(), world.other_citizen_user) == ids(world.other_citizen)
    assert can(world.citizen_user, "change", world.citizen)
    assert not can(world.citizen_user, "view", world.other_citizen)
    assert not can(world.citizen_user, "delete", world.citizen)
    for model in (Agency, Department, Desk, RoleAssignment, Organisation):
        assert visible(model.objects.all(), world.citizen_user) == set()


@pytest.mark.django_db
def test_walk_in_applicant_is_seen_by_the_registering_agency(world: World) -> None:
    assert can(world.other_admin, "view", world.walk_in)
    assert not can(world.other_admin, "change", world.walk_in)  # not a reception officer
    assert not can(world.specialist, "view", world.walk_in)


@pytest.mark.django_db
def test_ended_roles_and_inactive_agencies_grant_nothing(world: World) -> None:
    role = world.agency_admin.role_assignments.get()
    RoleAssignment.objects.filter(pk=role.pk).update(valid_from=datetime.date(2025, 7, 1))
    ended = services.role_revoke(actor=world.province_admin, assignment=role)
    assert ended is not None
    role.refresh_from_db()
    assert role.valid_to == timezone.localdate() - datetime.timedelta(days=1)
    assert visible(Agency.objects.all(), world.agency_admin) == set()
    assert not is_officer(world.agency_admin)

    services.agency_update(actor=None, agency=world.justice, active=False)
    assert visible(Agency.objects.all(), world.specialist) == set()
    assert not is_officer(world.specialist)


@pytest.mark.django_db
def test_future_role_is_not_yet_held(
    world: World, make_user: Callable[..., User], grant: Callable[..., RoleAssignment]
) -> None:
    newcomer = make_user("newcomer")
    future = grant(
        newcomer,
        Role.SPECIALIST,
        world.health,
        valid_from=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert visible(Agency.objects.all(), newcomer) == set()
    assert not is_officer(newcomer)
    # Revoking a role that has not started deletes it.
    assert services.role_revoke(actor=None, assignment=future) is None
    assert not RoleAssignment.objects.filter(pk=future.pk).exists()


@pytest.mark.django_db
def test_is_officer(world: World, make_user: Callable[..., User]) -> None:
    assert is_officer(world.specialist)
    assert is_officer(world.monitor)
    assert not is_officer(world.citizen_user)
    assert not is_officer(AnonymousUser())
    assert not is_officer(None)
    assert is_officer(make_user("staff", is_staff=True))
    ended = make_user("ended")
    RoleAssignment.objects.create(
        user=ended,
        role=Role.CLERK,
        agency=world.justice,
        valid_from=yesterday() - datetime.timedelta(days=10),
        valid_to=yesterday(),
    )
    assert not is_officer(ended)


@pytest.mark.django_db
def test_restrict_costs_one_query(world: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        list(Agency.objects.restrict(world.reception, "view"))
    with django_assert_num_queries(1):
        list(Citizen.objects.restrict(world.province_admin, "change"))


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        Agency.objects.restrict(AnonymousUser(), "approve")
