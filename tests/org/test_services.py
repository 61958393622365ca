"""Services: validation before any write, one transaction with the audit event, clear
Vietnamese errors with stable codes."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
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

from .conftest import COMMUNE, OTHER_PROVINCE, province_unit


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Agency, Department, Desk, RoleAssignment, Citizen, Organisation, AuditEvent)
    )


@pytest.fixture
def agency(units: None, make_agency: Callable[..., Agency]) -> Agency:
    return make_agency("Sở Tư pháp tỉnh Quảng Ngãi", code="000.00.01.H51")


@pytest.mark.django_db
def test_agency_create_writes_its_audit_event(units: None) -> None:
    agency = services.agency_create(
        actor=None,
        name="  Ủy ban nhân dân   tỉnh Quảng Ngãi ",
        short_name="UBND tỉnh",
        code="000.00.00.h51",
        level=AgencyLevel.PROVINCE,
        unit_code="51",
    )
    assert agency.name == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert agency.code == "000.00.00.H51"
    assert agency.province == province_unit()
    event = AuditEvent.objects.get(action="org.agency.create")
    assert event.target_id == str(agency.pk)
    assert event.after is not None and event.after["code"] == "000.00.00.H51"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"code": "000.00.1.H51"}, "agency_code_format", "code"),
        ({"name": "   "}, "required", "name"),
        ({"unit_code": "99999"}, "unit_not_found", "unit_code"),
        ({"unit_code": "62"}, "unit_not_found", "unit_code"),  # Kon Tum ended 30/6/2025
        ({"unit_code": COMMUNE}, "agency_unit_level_mismatch", "unit_code"),
        ({"level": "ministry"}, "agency_level_invalid", "level"),
        ({"level": AgencyLevel.CENTRAL}, "agency_unit_unexpected", "unit_code"),
    ],
)
def test_agency_create_refuses_bad_input_and_saves_nothing(
    units: None, kwargs: dict[str, Any], code: str, field: str
) -> None:
    before = counts()
    arguments: dict[str, Any] = {
        "actor": None,
        "name": "Sở Tư pháp",
        "code": "000.00.01.H51",
        "level": AgencyLevel.PROVINCE,
        "unit_code": "51",
        **kwargs,
    }
    with pytest.raises(DomainError) as info:
        services.agency_create(**arguments)
    assert (info.value.code, info.value.field) == (code, field)
    assert info.value.message
    assert counts() == before


@pytest.mark.django_db
def test_duplicate_agency_code_is_a_conflict(agency: Agency) -> None:
    with pytest.raises(Conflict) as info:
        services.agency_create(
            actor=None, name="Khác", code=agency.code, level=AgencyLevel.PROVINCE, unit_code="51"
        )
    assert info.value.code == "agency_code_taken"
    other = services.agency_create(
        actor=None, name="Sở Y tế", code="000.00.05.H51", level="province", unit_code="51"
    )
    with pytest.raises(Conflict):
        services.agency_update(actor=None, agency=other, code=agency.code)


@pytest.mark.django_db
def test_audit_failure_rolls_the_change_back(
    agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "record", broken)
    before = counts()
    with pytest.raises(RuntimeError):
        services.department_create(actor=None, agency=agency, name="Phòng Hành chính tư pháp")
    with pytest.raises(RuntimeError):
        services.agency_update(actor=None, agency=agency, name="Tên mới")
    assert counts() == before
    agency.refresh_from_db()
    assert agency.name == "Sở Tư pháp tỉnh Quảng Ngãi"


@pytest.mark.django_db
def test_agency_update_records_before_and_after(agency: Agency) -> None:
    parent = services.agency_create(
        actor=None, name="UBND tỉnh", code="000.00.00.H51", level="province", unit_code="51"
    )
    services.agency_update(actor=None, agency=agency, name="Sở Tư pháp", parent=parent)
    event = AuditEvent.objects.get(action="org.agency.update")
    assert event.before is not None and event.after is not None
    assert event.before["name"] == "Sở Tư pháp tỉnh Quảng Ngãi"
    assert event.after["name"] == "Sở Tư pháp"
    with pytest.raises(DomainError) as info:
        services.agency_update(actor=None, agency=parent, parent=agency)
    assert info.value.code == "agency_parent_cycle"


@pytest.mark.django_db
def test_department_and_desk(agency: Agency, two_provinces: None) -> None:
    department = services.department_create(actor=None, agency=agency, name="Văn phòng Sở")
    with pytest.raises(Conflict):
        services.department_create(actor=None, agency=agency, name="Văn phòng Sở")
    services.department_update(actor=None, department=department, active=False)
    department.refresh_from_db()
    assert not department.active

    elsewhere = services.agency_create(
        actor=None,
        name="Sở Tư pháp Đà Nẵng",
        code="000.00.01.H48",
        level="province",
        unit_code=OTHER_PROVINCE,
    )
    before = counts()
    with pytest.raises(DomainError) as info:
        services.desk_create(actor=None, agency=agency, name="Một cửa", serves=[elsewhere])
    assert info.value.code == "desk_serves_other_province"
    assert counts() == before

    desk = services.desk_create(
        actor=None, agency=agency, name="Một cửa", unit_code=COMMUNE, phone="0255 000 000"
    )
    assert list(desk.serves.all()) == [agency]
    assert desk.unit is not None and desk.unit.code == COMMUNE
    event = AuditEvent.objects.get(action="org.desk.create")
    assert event.after is not None and event.after["serves"] == [agency.pk]
    with pytest.raises(DomainError):
        services.desk_create(actor=None, agency=agency, name="Khác", kind="counter")


@pytest.mark.django_db
def test_role_assign_checks(agency: Agency, make_user: Callable[..., User]) -> None:
    user = make_user("canbo")
    other = services.agency_create(
        actor=None, name="Sở Y tế", code="000.00.05.H51", level="province", unit_code="51"
    )
    other_department = services.department_create(actor=None, agency=other, name="Văn phòng")
    before = counts()
    with pytest.raises(DomainError) as info:
        services.role_assign(
            actor=None, user=user, role=Role.SPECIALIST, agency=agency, department=other_department
        )
    assert info.value.code == "department_other_agency"
    with pytest.raises(DomainError) as info:
        services.role_assign(actor=None, user=user, role="boss", agency=agency)
    assert info.value.code == "role_invalid"
    with pytest.raises(DomainError) as info:
        services.role_assign(
            actor=None,
            user=user,
            role=Role.CLERK,
            agency=agency,
            valid_from=datetime.date(2026, 2, 1),
            valid_to=datetime.date(2026, 1, 1),
        )
    assert info.value.code == "role_period_invalid"
    assert counts() == before

    services.role_assign(actor=None, user=user, role=Role.CLERK, agency=agency)
    with pytest.raises(Conflict) as conflict:
        services.role_assign(actor=None, user=user, role=Role.CLERK, agency=agency)
    assert conflict.value.code == "role_already_held"
    # The same person may hold several roles in several agencies.
    services.role_assign(actor=None, user=user, role=Role.SPECIALIST, agency=other)
    assert user.role_assignments.count() == 2


@pytest.mark.django_db
def test_citizen_create_validates_everything_first(units: None) -> None:
    before = counts()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"personal_id": "099085000001"}, "personal_id_province"),
        ({"personal_id": "05108500001"}, "personal_id_length"),
        (
            {"personal_id": "051085000001", "birth_date": datetime.date(1986, 1, 1)},
            "personal_id_birth_year_mismatch",
        ),
        ({"personal_id": "051085000001", "gender": "female"}, "personal_id_gender_mismatch"),
        ({"gender": "other"}, "gender_invalid"),
        ({"address_unit_code": "99999"}, "unit_not_found"),
        ({"email": "khong-phai-email"}, "email_invalid"),
        ({"full_name": ""}, "required"),
    ]
    for extra, code in cases:
        arguments: dict[str, Any] = {
            "actor": None,
            "full_name": "Công Dân Thử Nghiệm",
            "personal_id": "051085000001",
            **extra,
        }
        with pytest.raises(DomainError) as info:
            services.citizen_create(**arguments)
        assert info.value.code == code, extra
    assert counts() == before

    error = pytest.raises(
        DomainError,
        services.citizen_create,
        actor=None,
        full_name="Công Dân",
        personal_id="099085000001",
    ).value
    assert error.message == "Mã tỉnh nơi đăng ký khai sinh '099' (3 số đầu) không tồn tại."
    assert error.field == "personal_id"


@pytest.mark.django_db
def test_citizen_create_and_conflicts(
    agency: Agency, make_user: Callable[..., User], grant: Callable[..., RoleAssignment]
) -> None:
    person = make_user("congdan")
    citizen = services.citizen_create(
        actor=person,
        full_name="Công Dân Thử Nghiệm Một",
        personal_id=" 051085000001 ",
        birth_date=datetime.date(1985, 5, 5),
        gender="male",
        address_unit_code=COMMUNE,
        user=person,
    )
    assert citizen.personal_id == "051085000001"
    assert citizen.registered_by is None
    assert AuditEvent.objects.filter(action="org.citizen.create", actor=person).exists()
    with pytest.raises(Conflict) as info:
        services.citizen_create(actor=None, full_name="Khác", personal_id="051085000001")
    assert info.value.code == "citizen_exists"
    with pytest.raises(Conflict) as info:
        services.citizen_create(
            actor=None, full_name="Khác", personal_id="051085000002", user=person
        )
    assert info.value.code == "user_has_citizen"

    # An officer registers in-person applicants only for an agency where they receive.
    officer = make_user("motcua")
    with pytest.raises(PermissionDenied):
        services.citizen_create(
            actor=officer, full_name="Người Nộp", personal_id="051205000003", agency=agency
        )
    grant(officer, Role.RECEPTION, agency)
    walk_in = services.citizen_create(
        actor=officer, full_name="Người Nộp", personal_id="051205000003", agency=agency
    )
    assert walk_in.registered_by == agency
    assert walk_in.user is None


@pytest.mark.django_db
def test_organisation_create(agency: Agency, make_user: Callable[..., User]) -> None:
    before = counts()
    with pytest.raises(DomainError) as info:
        services.organisation_create(actor=None, name="Công ty", tax_code="0100047517")
    assert info.value.code == "tax_code_check_digit"
    assert counts() == before
    organisation = services.organisation_create(
        actor=None, name="Công ty TNHH Thử Nghiệm", tax_code="0100047516-001", agency=agency
    )
    assert organisation.registered_by == agency
    with pytest.raises(Conflict):
        services.organisation_create(actor=None, name="Trùng", tax_code="0100047516-001")
    business = make_user("doanhnghiep")
    online = services.organisation_create(
        actor=business, name="Công ty Trực Tuyến", tax_code="0100047516"
    )
    assert online.registered_by is None


@pytest.mark.django_db
def test_unknown_unit_code_is_not_found(units: None) -> None:
    with pytest.raises(NotFound):
        services.citizen_create(
            actor=None, full_name="A", personal_id="051085000001", address_unit_code="21024"
        )
