"""Who sees which dossier (restrict) and who may act."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from congso.core.errors import NotFound, PermissionDenied
from congso.dossiers import selectors, services
from congso.dossiers.models import Dossier
from congso.org.models import Role, RoleAssignment
from congso.org.permissions import CHANGE, VIEW
from tests.dossiers.conftest import at, submit, to_processing


def visible(user, action=VIEW):
    return set(Dossier.objects.restrict(user, action).values_list("code", flat=True))


def test_citizens_see_only_their_own(world, clock):
    mine = submit(world)
    theirs = submit(world, actor=world.other_user)
    assert visible(world.citizen_user) == {mine.code}
    assert visible(world.other_user) == {theirs.code}
    with pytest.raises(NotFound) as hidden:
        selectors.dossier_for(world.other_user, mine.code)
    assert hidden.value.code == "dossier_not_found"


def test_an_organisation_dossier_is_seen_by_the_account_that_submitted_it(world, clock):
    dossier = submit(world, organisation=world.organisation)
    assert dossier.applicant_organisation == world.organisation
    assert dossier.applicant_citizen is None
    assert visible(world.citizen_user) == {dossier.code}
    assert visible(world.other_user) == set()


def test_officers_see_their_agency_and_not_another(world, clock):
    dossier = submit(world)
    for name in ("reception_a", "specialist_a", "leader_a"):
        assert visible(getattr(world, name)) == {dossier.code}, name
    for name in ("reception_b", "specialist_b", "specialist_stp"):
        assert visible(getattr(world, name)) == set(), name
    with pytest.raises(NotFound):
        selectors.dossier_for(world.specialist_b, dossier.code)


def test_officers_of_another_agency_cannot_act(world, clock):
    dossier = submit(world)
    with pytest.raises(PermissionDenied):
        services.dossier_receive(actor=world.reception_b, dossier=dossier)
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(PermissionDenied):
        services.dossier_forward(actor=world.specialist_b, dossier=dossier)
    with pytest.raises(PermissionDenied):
        services.dossier_refuse(actor=world.specialist_stp, dossier=dossier, reason="x")


def test_consulted_agency_sees_the_dossier_from_its_step(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    assert visible(world.specialist_stp) == set()
    services.dossier_consult(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Xin ý kiến",
        consultations=[services.ParallelRequest(agency=world.department, hours=Decimal(4))],
    )
    assert visible(world.specialist_stp) == {dossier.code}
    assert visible(world.specialist_b) == set()


def test_province_monitor_sees_the_province_read_only(world, clock):
    dossier = submit(world)
    assert visible(world.monitor) == {dossier.code}
    assert visible(world.monitor, CHANGE) == set()
    admin = world.leader_stp
    RoleAssignment.objects.create(
        user=admin,
        role=Role.PROVINCE_ADMIN,
        agency=world.department,
        valid_from=datetime.date(2020, 1, 1),
    )
    assert dossier.code in visible(admin, CHANGE)


def test_anonymous_and_inactive_see_nothing(world, clock):
    from django.contrib.auth.models import AnonymousUser

    submit(world)
    assert visible(AnonymousUser()) == set()
    world.reception_a.is_active = False
    world.reception_a.save()
    assert visible(world.reception_a) == set()


def test_applicant_actions_need_the_applicant(world, clock):
    dossier = submit(world)
    with pytest.raises(PermissionDenied):
        services.dossier_request_withdrawal(
            actor=world.reception_a, dossier=dossier, reason="Thay mặt"
        )
    with pytest.raises(PermissionDenied) as anonymous:
        from django.contrib.auth.models import AnonymousUser

        services.dossier_request_withdrawal(actor=AnonymousUser(), dossier=dossier, reason="x")
    assert anonymous.value.code == "login_required"


def test_allowed_actions_hint(world, clock):
    dossier = submit(world)
    assert "receive" in selectors.actions_for(world.reception_a, dossier)
    assert selectors.actions_for(world.specialist_b, dossier) == []
    assert selectors.actions_for(world.citizen_user, dossier) == ["request_withdrawal"]


def test_allowed_actions_follow_the_state(world, clock):
    dossier = submit(world)
    dossier = services.dossier_receive(actor=world.reception_a, dossier=dossier)
    dossier = services.dossier_request_supplement(
        actor=world.reception_a,
        dossier=dossier,
        reason="Thiếu",
        missing_items=[{"component": "giay-chung-sinh"}],
    )
    assert selectors.actions_for(world.citizen_user, dossier) == [
        "supplement",
        "request_withdrawal",
    ]
