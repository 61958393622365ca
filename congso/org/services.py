"""The one write path for agencies, departments, desks, role assignments and applicants.

Every function takes keyword-only arguments, runs in one transaction, checks the actor's
permission (``actor=None`` means the system: management commands, loaders), validates all input
before writing, and records an audit event in the same transaction. Bad input raises a
:class:`~congso.core.errors.DomainError` and leaves nothing half-saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from enum import Enum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from congso.audit.services import Entry, record, record_many
from congso.audit.services import snapshot as audit_snapshot
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.org.identity import (
    Gender,
    validate_agency_code,
    validate_personal_id,
    validate_tax_code,
)
from congso.org.models import (
    PROVINCE_WIDE_ROLES,
    AdministrativeUnit,
    Agency,
    AgencyLevel,
    Citizen,
    Department,
    Desk,
    DeskKind,
    Organisation,
    Role,
    RoleAssignment,
    UnitLevel,
)
from congso.org.permissions import (
    CHANGE,
    PROVINCE_ADMIN,
    RECEPTION,
    can,
    can_administer_province,
    current_roles,
    is_authenticated_user,
    is_superuser,
)
from congso.org.selectors import province_of, resolve_unit


class _Unset(Enum):
    UNSET = 0


#: "Leave unchanged" for update arguments where ``None`` is a meaningful value.
UNSET: Final = _Unset.UNSET


# --- Helpers --------------------------------------------------------------------------------------


def snapshot(obj: models.Model) -> dict[str, Any]:
    """JSON-ready values of every stored field, many-to-many included, for the audit log."""
    names = [f.name for f in obj._meta.concrete_fields]
    if obj.pk is not None:
        names += [f.name for f in obj._meta.many_to_many]
    return audit_snapshot(obj, names)


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied("forbidden", message)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise _deny(message)


def _require_can_change(actor: Any, obj: models.Model, message: str) -> None:
    if actor is not None:
        _require(can(actor, CHANGE, obj), message)


def _text(value: str, *, field: str, label: str, max_length: int) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise DomainError("required", f"Chưa nhập {label}.", field=field)
    if len(cleaned) > max_length:
        raise DomainError(
            "too_long", f"{label.capitalize()} dài quá {max_length} ký tự.", field=field
        )
    return cleaned


def _optional_text(value: str, *, field: str, label: str, max_length: int) -> str:
    cleaned = " ".join((value or "").split())
    if len(cleaned) > max_length:
        raise DomainError(
            "too_long", f"{label.capitalize()} dài quá {max_length} ký tự.", field=field
        )
    return cleaned


def _email(value: str) -> str:
    cleaned = (value or "").strip()
    if cleaned:
        try:
            validate_email(cleaned)
        except ValidationError as exc:
            raise DomainError(
                "email_invalid", f"Địa chỉ thư điện tử '{cleaned}' không hợp lệ.", field="email"
            ) from exc
    return cleaned


def _current_unit(code: str | None, *, field: str) -> AdministrativeUnit | None:
    if code is None or str(code).strip() == "":
        return None
    try:
        return resolve_unit(code)
    except DomainError as exc:
        raise type(exc)(exc.code, exc.message, field=field) from exc


def _save(obj: models.Model, *, conflict_code: str, conflict_message: str) -> None:
    """Save, turning a unique-constraint race into a Conflict without breaking the outer
    transaction."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(conflict_code, conflict_message) from exc


_UNIT_LEVEL_FOR_AGENCY = {
    AgencyLevel.PROVINCE: UnitLevel.PROVINCE,
    AgencyLevel.DISTRICT: UnitLevel.DISTRICT,
    AgencyLevel.COMMUNE: UnitLevel.COMMUNE,
}


def _agency_unit(level: str, unit_code: str | None) -> AdministrativeUnit | None:
    if level not in AgencyLevel.values:
        raise DomainError("agency_level_invalid", f"Cấp cơ quan '{level}' không có.", field="level")
    if level == AgencyLevel.CENTRAL:
        if unit_code:
            raise DomainError(
                "agency_unit_unexpected",
                "Cơ quan trung ương không gắn với đơn vị hành chính.",
                field="unit_code",
            )
        return None
    if not unit_code:
        raise DomainError("required", "Chưa chọn đơn vị hành chính của cơ quan.", field="unit_code")
    expected = _UNIT_LEVEL_FOR_AGENCY[AgencyLevel(level)]
    if level == AgencyLevel.DISTRICT:
        # The district level ended on 30/6/2025: such agencies exist only for history.
        units = AdministrativeUnit.objects.filter(code=str(unit_code).zfill(3), level=expected)
        unit = units.order_by("-valid_to").first()
        if unit is None:
            raise NotFound(
                "unit_not_found",
                f"Không có đơn vị cấp huyện (trước 1/7/2025) mã '{unit_code}'.",
                field="unit_code",
            )
        return unit
    unit = _current_unit(unit_code, field="unit_code")
    assert unit is not None
    if unit.level != expected:
        raise DomainError(
            "agency_unit_level_mismatch",
            f"Cơ quan {AgencyLevel(level).label.lower()} phải gắn với đơn vị "
            f"{UnitLevel(expected).label.lower()}, không phải {unit}.",
            field="unit_code",
        )
    return unit


def _check_parent(agency: Agency, parent: Agency | None) -> None:
    """Refuse a parent that is the agency itself or one of its descendants (read from the
    database, not from possibly stale objects)."""
    node_id = parent.pk if parent is not None else None
    seen: set[int] = set()
    while node_id is not None and node_id not in seen:
        if node_id == agency.pk:
            raise DomainError(
                "agency_parent_cycle",
                "Cơ quan cấp trên không được là chính cơ quan này hoặc cơ quan cấp dưới của nó.",
                field="parent",
            )
        seen.add(node_id)
        node_id = Agency.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()


# --- Agencies -------------------------------------------------------------------------------------


@transaction.atomic
def agency_create(
    *,
    actor: Any,
    name: str,
    code: str,
    level: str,
    short_name: str = "",
    unit_code: str | None = None,
    parent: Agency | None = None,
    active: bool = True,
) -> Agency:
    """Create an agency. Needs a province administrator of the agency's province."""
    name = _text(name, field="name", label="tên cơ quan", max_length=255)
    short_name = _optional_text(short_name, field="short_name", label="tên viết tắt", max_length=50)
    code = validate_agency_code(code)
    unit = _agency_unit(level, unit_code)
    province = province_of(unit)
    if actor is not None:
        _require(
            can_administer_province(actor, province.pk if province else None),
            "Chỉ quản trị tỉnh mới được thêm cơ quan trong tỉnh.",
        )
    if Agency.objects.filter(code=code).exists():
        raise Conflict("agency_code_taken", f"Mã định danh '{code}' đã được dùng.", field="code")
    agency = Agency(
        name=name,
        short_name=short_name,
        code=code,
        level=level,
        unit=unit,
        province=province,
        parent=parent,
        active=active,
    )
    _save(agency, conflict_code="agency_code_taken", conflict_message="Mã định danh đã được dùng.")
    record(actor=actor, action="org.agency.create", target=agency, after=snapshot(agency))
    return agency


@transaction.atomic
def agency_update(
    *,
    actor: Any,
    agency: Agency,
    name: str | None = None,
    short_name: str | None = None,
    code: str | None = None,
    level: str | None = None,
    unit_code: str | None | _Unset = UNSET,
    parent: Agency | None | _Unset = UNSET,
    active: bool | None = None,
) -> Agency:
    """Change an agency. Needs its agency administrator or a province administrator; moving it
    to another province needs an administrator of that province too."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _require_can_change(actor, agency, "Bạn không có quyền sửa cơ quan này.")
    before = snapshot(agency)
    if name is not None:
        agency.name = _text(name, field="name", label="tên cơ quan", max_length=255)
    if short_name is not None:
        agency.short_name = _optional_text(
            short_name, field="short_name", label="tên viết tắt", max_length=50
        )
    if code is not None:
        agency.code = validate_agency_code(code)
        if Agency.objects.filter(code=agency.code).exclude(pk=agency.pk).exists():
            raise Conflict(
                "agency_code_taken", f"Mã định danh '{agency.code}' đã được dùng.", field="code"
            )
    if level is not None or not isinstance(unit_code, _Unset):
        agency.level = level or agency.level
        new_code = (
            unit_code
            if not isinstance(unit_code, _Unset)
            else (agency.unit.code if agency.unit else None)
        )
        agency.unit = _agency_unit(agency.level, new_code)
        new_province = province_of(agency.unit)
        if actor is not None and new_province != agency.province:
            _require(
                can_administer_province(actor, new_province.pk if new_province else None),
                "Chỉ quản trị tỉnh mới được chuyển cơ quan sang địa bàn đó.",
            )
        agency.province = new_province
    if not isinstance(parent, _Unset):
        _check_parent(agency, parent)
        agency.parent = parent
    if active is not None:
        agency.active = active
    _save(agency, conflict_code="agency_code_taken", conflict_message="Mã định danh đã được dùng.")
    record(
        actor=actor,
        action="org.agency.update",
        target=agency,
        before=before,
        after=snapshot(agency),
    )
    return agency


# --- Departments ----------------------------------------------------------------------------------


@transaction.atomic
def department_create(*, actor: Any, agency: Agency, name: str, short_name: str = "") -> Department:
    _require_can_change(actor, agency, "Bạn không có quyền thêm phòng ban cho cơ quan này.")
    department = Department(
        agency=agency,
        name=_text(name, field="name", label="tên phòng ban", max_length=255),
        short_name=_optional_text(
            short_name, field="short_name", label="tên viết tắt", max_length=50
        ),
    )
    if Department.objects.filter(agency=agency, name=department.name).exists():
        raise Conflict(
            "department_exists", f"Cơ quan đã có phòng ban '{department.name}'.", field="name"
        )
    _save(department, conflict_code="department_exists", conflict_message="Phòng ban đã có.")
    record(
        actor=actor, action="org.department.create", target=department, after=snapshot(department)
    )
    return department


@transaction.atomic
def department_update(
    *,
    actor: Any,
    department: Department,
    name: str | None = None,
    short_name: str | None = None,
    active: bool | None = None,
) -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    _require_can_change(actor, department, "Bạn không có quyền sửa phòng ban này.")
    before = snapshot(department)
    if name is not None:
        department.name = _text(name, field="name", label="tên phòng ban", max_length=255)
        duplicate = Department.objects.filter(agency_id=department.agency_id, name=department.name)
        if duplicate.exclude(pk=department.pk).exists():
            raise Conflict(
                "department_exists", f"Cơ quan đã có phòng ban '{department.name}'.", field="name"
            )
    if short_name is not None:
        department.short_name = _optional_text(
            short_name, field="short_name", label="tên viết tắt", max_length=50
        )
    if active is not None:
        department.active = active
    _save(department, conflict_code="department_exists", conflict_message="Phòng ban đã có.")
    record(
        actor=actor,
        action="org.department.update",
        target=department,
        before=before,
        after=snapshot(department),
    )
    return department


# --- Desks ----------------------------------------------------------------------------------------


def _check_served(agency: Agency, serves: list[Agency]) -> None:
    for served in serves:
        if served.pk != agency.pk and served.province_id != agency.province_id:
            raise DomainError(
                "desk_serves_other_province",
                f"Bộ phận một cửa của {agency} chỉ tiếp nhận cho cơ quan trong cùng tỉnh; "
                f"{served} thuộc tỉnh khác.",
                field="serves",
            )


@transaction.atomic
def desk_create(
    *,
    actor: Any,
    agency: Agency,
    name: str,
    kind: str = DeskKind.ONE_STOP,
    serves: Iterable[Agency] = (),
    unit_code: str | None = None,
    address: str = "",
    phone: str = "",
) -> Desk:
    """Create a one-stop desk of ``agency`` receiving for ``serves`` (agencies of the same
    province; the desk's own agency is always served)."""
    _require_can_change(actor, agency, "Bạn không có quyền thêm bộ phận một cửa cho cơ quan này.")
    if kind not in DeskKind.values:
        raise DomainError("desk_kind_invalid", f"Loại bộ phận '{kind}' không có.", field="kind")
    served = list({a.pk: a for a in [agency, *serves]}.values())
    _check_served(agency, served)
    desk = Desk(
        agency=agency,
        name=_text(name, field="name", label="tên bộ phận", max_length=255),
        kind=kind,
        unit=_current_unit(unit_code, field="unit_code"),
        address=_optional_text(address, field="address", label="địa chỉ", max_length=255),
        phone=_optional_text(phone, field="phone", label="điện thoại", max_length=20),
    )
    if Desk.objects.filter(agency=agency, name=desk.name).exists():
        raise Conflict("desk_exists", f"Cơ quan đã có bộ phận '{desk.name}'.", field="name")
    _save(desk, conflict_code="desk_exists", conflict_message="Bộ phận đã có.")
    desk.serves.set(served)
    record(actor=actor, action="org.desk.create", target=desk, after=snapshot(desk))
    return desk


@transaction.atomic
def desk_update(
    *,
    actor: Any,
    desk: Desk,
    name: str | None = None,
    serves: Iterable[Agency] | None = None,
    unit_code: str | None | _Unset = UNSET,
    address: str | None = None,
    phone: str | None = None,
    active: bool | None = None,
) -> Desk:
    desk = Desk.objects.select_for_update().select_related("agency").get(pk=desk.pk)
    _require_can_change(actor, desk, "Bạn không có quyền sửa bộ phận một cửa này.")
    before = snapshot(desk)
    if name is not None:
        desk.name = _text(name, field="name", label="tên bộ phận", max_length=255)
        if (
            Desk.objects.filter(agency_id=desk.agency_id, name=desk.name)
            .exclude(pk=desk.pk)
            .exists()
        ):
            raise Conflict("desk_exists", f"Cơ quan đã có bộ phận '{desk.name}'.", field="name")
    served: list[Agency] | None = None
    if serves is not None:
        served = list({a.pk: a for a in [desk.agency, *serves]}.values())
        _check_served(desk.agency, served)
    if not isinstance(unit_code, _Unset):
        desk.unit = _current_unit(unit_code, field="unit_code")
    if address is not None:
        desk.address = _optional_text(address, field="address", label="địa chỉ", max_length=255)
    if phone is not None:
        desk.phone = _optional_text(phone, field="phone", label="điện thoại", max_length=20)
    if active is not None:
        desk.active = active
    _save(desk, conflict_code="desk_exists", conflict_message="Bộ phận đã có.")
    if served is not None:
        desk.serves.set(served)
    record(actor=actor, action="org.desk.update", target=desk, before=before, after=snapshot(desk))
    return desk


# --- Roles ----------------------------------------------------------------------------------------


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: Any,
    role: str,
    agency: Agency,
    department: Department | None = None,
    desk: Desk | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> RoleAssignment:
    """Give ``user`` a role in ``agency``. Province-wide roles (province administrator,
    monitor) need a province administrator; other roles the agency's administrator."""
    if role not in Role.values:
        raise DomainError("role_invalid", f"Vai trò '{role}' không có.", field="role")
    if role in PROVINCE_WIDE_ROLES:
        if agency.province_id is None:
            raise DomainError(
                "role_needs_province",
                f"Vai trò {Role(role).label} chỉ gán được ở cơ quan thuộc một tỉnh.",
                field="agency",
            )
        if actor is not None:
            _require(
                can_administer_province(actor, agency.province_id),
                f"Chỉ quản trị tỉnh mới được gán vai trò {Role(role).label}.",
            )
    else:
        _require_can_change(actor, agency, "Bạn không có quyền phân công vai trò ở cơ quan này.")
    if department is not None and department.agency_id != agency.pk:
        raise DomainError(
            "department_other_agency",
            f"Phòng ban {department.name} không thuộc {agency}.",
            field="department",
        )
    if desk is not None and desk.agency_id != agency.pk:
        raise DomainError(
            "desk_other_agency", f"Bộ phận {desk.name} không thuộc {agency}.", field="desk"
        )
    start = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < start:
        raise DomainError(
            "role_period_invalid", "Ngày kết thúc phải từ ngày bắt đầu trở đi.", field="valid_to"
        )
    overlapping = RoleAssignment.objects.filter(
        models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=start),
        user_id=user.pk,
        role=role,
        agency=agency,
        department=department,
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise Conflict(
            "role_already_held",
            f"{user} đã giữ vai trò {Role(role).label} tại {agency} trong khoảng thời gian này.",
            field="role",
        )
    assignment = RoleAssignment(
        user=user,
        role=role,
        agency=agency,
        department=department,
        desk=desk,
        valid_from=start,
        valid_to=valid_to,
    )
    assignment.save()
    record(actor=actor, action="org.role.assign", target=assignment, after=snapshot(assignment))
    return assignment


@transaction.atomic
def role_revoke(
    *, actor: Any, assignment: RoleAssignment, on: datetime.date | None = None
) -> RoleAssignment | None:
    """End a role from ``on`` (default today): it is no longer held that day. A role that had
    not started by then is deleted (it never took effect); the audit log keeps it either way.
    Returns the ended assignment, or None when deleted."""
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if actor is not None:
        _require(can(actor, CHANGE, assignment), "Bạn không có quyền thu hồi vai trò này.")
    day = on or timezone.localdate()
    before = snapshot(assignment)
    if assignment.valid_to is not None and assignment.valid_to < day:
        raise DomainError(
            "role_already_ended",
            f"Vai trò đã kết thúc ngày {assignment.valid_to:%d/%m/%Y}.",
            field="assignment",
        )
    if assignment.valid_from >= day:
        record(actor=actor, action="org.role.revoke", target=assignment, before=before)
        assignment.delete()
        return None
    assignment.valid_to = day - datetime.timedelta(days=1)
    assignment.save(update_fields=["valid_to"])
    record(
        actor=actor,
        action="org.role.revoke",
        target=assignment,
        before=before,
        after=snapshot(assignment),
    )
    return assignment


# --- Applicants -----------------------------------------------------------------------------------


def _applicant_agency(actor: Any, agency: Agency | None, *, self_service: bool) -> Agency | None:
    """Who may register an applicant: the system, the person themself (self-service), or a
    reception officer / province administrator acting for ``agency``."""
    if actor is None or self_service:
        return agency if actor is None else None
    _require(is_authenticated_user(actor), "Cần đăng nhập.")
    if agency is None:
        _require(is_superuser(actor), "Cần chọn cơ quan tiếp nhận.")
        return None
    if not is_superuser(actor):
        allowed = current_roles(actor, (RECEPTION, PROVINCE_ADMIN)).filter(agency=agency)
        _require(allowed.exists(), f"Bạn không tiếp nhận hồ sơ cho {agency}.")
    return agency


def _address_unit(code: str | None) -> AdministrativeUnit | None:
    unit = _current_unit(code, field="address_unit_code")
    if unit is not None and unit.level == UnitLevel.DISTRICT:
        raise DomainError(
            "address_unit_level",
            "Địa chỉ phải chọn xã/phường/đặc khu hiện hành.",
            field="address_unit_code",
        )
    return unit


@transaction.atomic
def citizen_create(
    *,
    actor: Any,
    full_name: str,
    personal_id: str,
    birth_date: datetime.date | None = None,
    gender: str | None = None,
    phone: str = "",
    email: str = "",
    address: str = "",
    address_unit_code: str | None = None,
    user: Any = None,
    agency: Agency | None = None,
) -> Citizen:
    """Register a citizen profile. The personal ID number is checked (and against the birth
    date and gender when given); ``user`` links an account (self-service when the actor is
    that user); an officer registers for ``agency``, where they receive dossiers."""
    full_name = _text(full_name, field="full_name", label="họ và tên", max_length=200)
    if gender is not None and gender not in {g.value for g in Gender}:
        raise DomainError("gender_invalid", f"Giới tính '{gender}' không có.", field="gender")
    info = validate_personal_id(personal_id, birth_date=birth_date, gender=gender)
    unit = _address_unit(address_unit_code)
    self_service = user is not None and actor is not None and actor.pk == user.pk
    registered_by = _applicant_agency(actor, agency, self_service=self_service)
    if Citizen.objects.filter(personal_id=info.number).exists():
        raise Conflict(
            "citizen_exists",
            f"Đã có hồ sơ công dân với số định danh {info.number}.",
            field="personal_id",
        )
    if user is not None and Citizen.objects.filter(user_id=user.pk).exists():
        raise Conflict("user_has_citizen", "Tài khoản này đã gắn với một công dân.", field="user")
    citizen = Citizen(
        user=user,
        full_name=full_name,
        personal_id=info.number,
        birth_date=birth_date,
        gender=gender or "",
        phone=_optional_text(phone, field="phone", label="số điện thoại", max_length=20),
        email=_email(email),
        address=_optional_text(address, field="address", label="địa chỉ", max_length=255),
        address_unit=unit,
        registered_by=registered_by,
    )
    _save(
        citizen,
        conflict_code="citizen_exists",
        conflict_message=f"Đã có hồ sơ công dân với số định danh {info.number}.",
    )
    record(actor=actor, action="org.citizen.create", target=citizen, after=snapshot(citizen))
    return citizen


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    tax_code: str,
    address: str = "",
    address_unit_code: str | None = None,
    phone: str = "",
    email: str = "",
    agency: Agency | None = None,
) -> Organisation:
    """Register an organisation (checked tax code). Any signed-in person may register one
    online (``agency`` None); an officer registers for ``agency``."""
    name = _text(name, field="name", label="tên tổ chức", max_length=255)
    code = validate_tax_code(tax_code)
    unit = _address_unit(address_unit_code)
    registered_by = _applicant_agency(actor, agency, self_service=agency is None)
    if actor is not None and agency is None:
        _require(is_authenticated_user(actor), "Cần đăng nhập.")
    if Organisation.objects.filter(tax_code=code).exists():
        raise Conflict(
            "organisation_exists", f"Đã có tổ chức với mã số thuế {code}.", field="tax_code"
        )
    organisation = Organisation(
        name=name,
        tax_code=code,
        address=_optional_text(address, field="address", label="địa chỉ", max_length=255),
        address_unit=unit,
        phone=_optional_text(phone, field="phone", label="điện thoại", max_length=20),
        email=_email(email),
        registered_by=registered_by,
    )
    _save(
        organisation,
        conflict_code="organisation_exists",
        conflict_message=f"Đã có tổ chức với mã số thuế {code}.",
    )
    record(
        actor=actor,
        action="org.organisation.create",
        target=organisation,
        after=snapshot(organisation),
    )
    return organisation


# --- Bulk import (a legacy one-stop system's applicants, issue 22) --------------------------------


def _for_import(
    *,
    actor: Any,
    model: type[Citizen] | type[Organisation],
    key: str,
    people: list[dict[str, Any]],
    build: Any,
) -> dict[str, int]:
    numbers = {person["id_number"]: person for person in people}
    found = dict(model.objects.filter(**{f"{key}__in": list(numbers)}).values_list(key, "pk"))
    missing = [numbers[n] for n in sorted(numbers) if n not in found]
    if missing:
        rows = [build(person) for person in missing]
        model.objects.bulk_create(rows, batch_size=1000)
        label = model._meta.label_lower
        entries = [
            Entry(
                action=f"org.{model._meta.model_name}.import",
                target_type=label,
                target_id=str(row.pk),
                target_label=str(row)[:300],
                after=audit_snapshot(row),
            )
            for row in rows
        ]
        record_many(actor=actor, entries=entries)
        found.update({getattr(row, key): row.pk for row in rows})
    return found


def citizens_for_import(*, actor: Any, people: list[dict[str, Any]]) -> dict[str, int]:
    """The citizen id of every personal ID number in ``people`` (``id_number``, ``name``,
    ``address``, ``phone``, ``email``; numbers already checked by the caller), registering
    those congso does not know yet with one multi-row insert and one audit event each
    (``org.citizen.import``). Inside the caller's transaction."""

    def build(person: dict[str, Any]) -> Citizen:
        return Citizen(
            full_name=person["name"][:200],
            personal_id=person["id_number"],
            phone=person.get("phone", "")[:20],
            email=person.get("email", ""),
            address=person.get("address", "")[:255],
        )

    return _for_import(actor=actor, model=Citizen, key="personal_id", people=people, build=build)


def organisations_for_import(*, actor: Any, people: list[dict[str, Any]]) -> dict[str, int]:
    """:func:`citizens_for_import` for organisations, by tax code (``org.organisation.import``)."""

    def build(person: dict[str, Any]) -> Organisation:
        return Organisation(
            name=person["name"][:255],
            tax_code=person["id_number"],
            phone=person.get("phone", "")[:20],
            email=person.get("email", ""),
            address=person.get("address", "")[:255],
        )

    return _for_import(actor=actor, model=Organisation, key="tax_code", people=people, build=build)
