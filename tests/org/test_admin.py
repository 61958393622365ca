"""The admin pages load, and a staff officer's lists go through restrict(). (The officer
second factor is the accounts app's concern and is switched off here.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.urls import reverse

from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.org.models import Agency, Role, RoleAssignment

PAGES = [
    "administrativeunit",
    "unitsuccession",
    "agency",
    "department",
    "desk",
    "roleassignment",
    "citizen",
    "organisation",
]


@pytest.mark.django_db
@override_settings(OFFICER_2FA_REQUIRED=False)
def test_every_page_loads_for_a_superuser(
    client: Client, make_user: Callable[..., User], make_agency: Callable[..., Agency], units: None
) -> None:
    agency = make_agency("Sở Tư pháp", code="000.00.01.H51")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    for page in PAGES:
        assert client.get(reverse(f"admin:org_{page}_changelist")).status_code == 200, page
        assert client.get(reverse(f"admin:org_{page}_add")).status_code == 200, page
    assert client.get(reverse("admin:org_agency_change", args=[agency.pk])).status_code == 200
    units_page = client.get(reverse("admin:org_administrativeunit_changelist"), {"q": "Cẩm"})
    assert "Phường Cẩm Thành" in units_page.content.decode()


@pytest.mark.django_db
@override_settings(OFFICER_2FA_REQUIRED=False)
def test_staff_officer_sees_only_permitted_rows_and_changes_are_audited(
    client: Client,
    make_user: Callable[..., User],
    make_agency: Callable[..., Agency],
    grant: Callable[..., RoleAssignment],
    units: None,
) -> None:
    justice = make_agency("Sở Tư pháp", code="000.00.01.H51")
    health = make_agency("Sở Y tế", code="000.00.05.H51")
    admin = make_user("quantri", is_staff=True)
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="org"))
    grant(admin, Role.AGENCY_ADMIN, justice)
    client.force_login(admin)
    page = client.get(reverse("admin:org_agency_changelist")).content.decode()
    assert "Sở Tư pháp" in page and "Sở Y tế" not in page
    assert client.get(reverse("admin:org_agency_change", args=[health.pk])).status_code == 302

    response = client.post(
        reverse("admin:org_agency_change", args=[justice.pk]),
        {
            "name": "Sở Tư pháp tỉnh Quảng Ngãi",
            "short_name": "STP",
            "code": justice.code,
            "level": "province",
            "unit": justice.unit_id,
            "active": "on",
            "departments-TOTAL_FORMS": "1",
            "departments-INITIAL_FORMS": "0",
            "departments-0-name": "Văn phòng Sở",
            "departments-0-active": "on",
            "desks-TOTAL_FORMS": "0",
            "desks-INITIAL_FORMS": "0",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    justice.refresh_from_db()
    assert justice.name == "Sở Tư pháp tỉnh Quảng Ngãi"
    assert justice.province_id is not None
    actions = list(AuditEvent.objects.filter(actor=admin).values_list("action", flat=True))
    assert sorted(actions) == ["org.agency.update", "org.department.create"]


@pytest.mark.django_db
@override_settings(OFFICER_2FA_REQUIRED=False)
def test_admin_refuses_writes_outside_the_scope(
    client: Client,
    make_user: Callable[..., User],
    make_agency: Callable[..., Agency],
    grant: Callable[..., RoleAssignment],
    units: None,
) -> None:
    justice = make_agency("Sở Tư pháp", code="000.00.01.H51")
    admin = make_user("quantri", is_staff=True)
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="org"))
    grant(admin, Role.AGENCY_ADMIN, justice)
    colleague = make_user("dongnghiep")
    client.force_login(admin)
    before = (Agency.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())

    # A province-wide role cannot be granted by an agency administrator.
    response = client.post(
        reverse("admin:org_roleassignment_add"),
        {
            "user": colleague.pk,
            "role": "monitor",
            "agency": justice.pk,
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 403
    # Nor can they create an agency (only a province administrator can).
    response = client.post(
        reverse("admin:org_agency_add"),
        {
            "name": "Sở Mới",
            "code": "000.00.30.H51",
            "level": "province",
            "unit": justice.unit_id,
            "active": "on",
            "departments-TOTAL_FORMS": "0",
            "departments-INITIAL_FORMS": "0",
            "desks-TOTAL_FORMS": "0",
            "desks-INITIAL_FORMS": "0",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 403
    after = (Agency.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count())
    assert after == before

    # A role inside their agency is fine.
    response = client.post(
        reverse("admin:org_roleassignment_add"),
        {"user": colleague.pk, "role": "clerk", "agency": justice.pk, "valid_from": "2026-01-01"},
    )
    assert response.status_code == 302
    assert colleague.role_assignments.get().role == "clerk"
