"""Where ``/can-bo/`` takes each officer (their own work, issue 12), the approval queue, and a
workspace menu without dead ends (no "Quản trị" without admin rights, no supervision without a
desk)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from congso.backoffice import selectors
from congso.dossiers import services
from congso.org.models import Role, RoleAssignment
from tests.dossiers.conftest import User, at, submit, to_processing


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


def officer(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _holder(username: str, role: str, agency: Any, **extra: Any) -> Any:
    user = User.objects.create_user(username=username, password="x", full_name=username)
    RoleAssignment.objects.create(
        user=user, role=role, agency=agency, valid_from=datetime.date(2020, 1, 1), **extra
    )
    return user


def test_each_role_lands_on_its_own_work(world, clock) -> None:
    landings = {
        world.reception_a: "/can-bo/hang-doi/tiep-nhan/",
        world.specialist_a: "/can-bo/hang-doi/cua-toi/",
        _holder(
            "truongphong.a", Role.DEPARTMENT_HEAD, world.commune_a
        ): "/can-bo/hang-doi/cua-toi/",
        world.leader_a: "/can-bo/hang-doi/cho-duyet/",
        _holder("vanthu.a", Role.CLERK, world.commune_a): "/can-bo/hang-doi/cho-duyet/",
        world.monitor: "/can-bo/chi-so/",
        _holder("quantri.a", Role.AGENCY_ADMIN, world.commune_a): "/can-bo/chi-so/",
        User.objects.create_superuser(username="root", password="x"): "/can-bo/hang-doi/tat-ca/",
    }
    for user, url in landings.items():
        response = officer(user).get("/can-bo/")
        assert (response.status_code, response["Location"]) == (302, url), user.username
        assert officer(user).get(url).status_code == 200, user.username
    # Several roles: the desk's work first (citizens wait there).
    RoleAssignment.objects.create(
        user=world.leader_a,
        role=Role.RECEPTION,
        agency=world.commune_a,
        desk=world.desk_a,
        valid_from=datetime.date(2020, 1, 1),
    )
    assert officer(world.leader_a).get("/can-bo/")["Location"] == "/can-bo/hang-doi/tiep-nhan/"
    # A citizen still finds nothing there.
    assert officer(world.citizen_user).get("/can-bo/").status_code == 404


def test_the_leader_sees_what_awaits_approval(world, clock) -> None:
    dossier = to_processing(world, clock, at(2026, 3, 2, 8, 0))
    assert selectors.queue_counts(world.leader_a)["cho-duyet"] == 0
    assert selectors.queue_counts(world.specialist_a)["cua-toi"] == 1
    services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    counts = selectors.queue_counts(world.leader_a)
    assert counts["cho-duyet"] == 1
    assert selectors.queue_counts(world.specialist_a)["cho-duyet"] == 0
    assert selectors.queue_counts(world.leader_b)["cho-duyet"] == 0
    html = officer(world.leader_a).get("/can-bo/hang-doi/cho-duyet/").content.decode()
    assert "Chờ tôi duyệt, ký" in html and dossier.code in html
    assert 'href="/can-bo/hang-doi/cho-duyet/" aria-current="page"' in html
    # A dossier merely submitted is nobody's approval.
    submit(world)
    assert selectors.queue_counts(world.leader_a)["cho-duyet"] == 1


def test_the_menu_has_no_dead_ends(world, clock) -> None:
    monitor = officer(world.monitor).get("/can-bo/chi-so/").content.decode()
    # Not staff: the administration would only say "no permission"; no queues of their own.
    assert 'href="/quan-tri/"' not in monitor
    assert "Hàng đợi công việc" not in monitor
    assert 'href="/can-bo/hang-doi/tat-ca/">Tìm hồ sơ</a>' in monitor
    assert "Giám sát một cửa" not in monitor
    # The department's head supervises no desk (the department has none): no supervision link.
    head = _holder("truongphong.stp", Role.DEPARTMENT_HEAD, world.department)
    page = officer(head).get("/can-bo/hang-doi/cua-toi/").content.decode()
    assert "Giám sát một cửa" not in page and "Hàng đợi công việc" in page
    assert officer(world.leader_a).get("/can-bo/").status_code == 302
    leader = officer(world.leader_a).get("/can-bo/hang-doi/cho-duyet/").content.decode()
    assert 'href="/can-bo/giam-sat/">Giám sát một cửa</a>' in leader
    assert 'href="/quan-tri/"' not in leader
    # Staff with a permission: the administration is offered, and answers.
    world.monitor.is_staff = True
    world.monitor.save()
    assert 'href="/quan-tri/"' not in officer(world.monitor).get("/can-bo/chi-so/").content.decode()
    world.monitor.user_permissions.add(Permission.objects.get(codename="view_agency"))
    client = officer(User.objects.get(pk=world.monitor.pk))
    assert 'href="/quan-tri/"' in client.get("/can-bo/chi-so/").content.decode()
    assert client.get("/quan-tri/").status_code == 200
