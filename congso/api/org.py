"""Organisation endpoints: administrative units (public, read-only) and, for the signed-in
person, the agencies they may see and their own roles. A thin layer over
:mod:`congso.org.selectors` and ``restrict()``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from congso.api import params
from congso.api.auth import SESSION_OR_TOKEN
from congso.api.schemas import ErrorOut
from congso.org.models import AdministrativeUnit, Agency, UnitLevel
from congso.org.permissions import VIEW
from congso.org.selectors import resolve_unit, roles_of, unit_successors

router = Router()

DateText = Annotated[str | None, WithJsonSchema({"type": "string", "format": "date"})]
UnitCodeText = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^\d{1,5}$"})]


class UnitOut(Schema):
    code: str = Field(description="Mã đơn vị (tỉnh 2 số, huyện cũ 3 số, xã 5 số).")
    name: str
    level: str = Field(description="province, district (trước 1/7/2025) hoặc commune.")
    kind: str = Field(description="tinh, thanh_pho_trung_uong, xa, phuong, dac_khu, …")
    parent_code: str | None
    valid_from: date | None = Field(description="Hiệu lực từ ngày (trống: không rõ).")
    valid_to: date | None = Field(description="Hiệu lực đến hết ngày (trống: đang hiệu lực).")


class UnitDetailOut(UnitOut):
    current_successors: list[UnitOut] = Field(
        description="Đơn vị hiện hành kế thừa địa bàn (chính nó nếu còn hiệu lực)."
    )


class AgencyOut(Schema):
    id: int
    code: str = Field(description="Mã định danh điện tử (QCVN 102:2016).")
    name: str
    short_name: str
    level: str
    unit_code: str | None
    active: bool


class RoleOut(Schema):
    role: str
    role_label: str
    agency_code: str
    agency_name: str
    department: str | None
    desk: str | None
    valid_from: date
    valid_to: date | None


def _unit_out(unit: AdministrativeUnit) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        level=unit.level,
        kind=unit.kind,
        parent_code=unit.parent.code if unit.parent else None,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


@router.get(
    "/units",
    response={200: list[UnitOut], 400: ErrorOut, 404: ErrorOut},
    summary="Đơn vị hành chính cấp tỉnh, hoặc các xã/phường của một tỉnh",
)
def list_units(
    request: HttpRequest, province: UnitCodeText | None = None, on: DateText = None
) -> list[UnitOut]:
    """Without ``province``: the provinces in force on ``on`` (default today). With
    ``province``: its communes, wards and special zones in force on that date."""
    day = params.parse_day(on, "on")
    queryset = AdministrativeUnit.objects.select_related("parent")
    queryset = queryset.valid_on(day) if day else queryset.current()
    if province:
        parent = resolve_unit(province, on=day)
        queryset = queryset.filter(parent=parent)
    else:
        queryset = queryset.filter(level=UnitLevel.PROVINCE)
    return [_unit_out(unit) for unit in queryset.order_by("code")]


@router.get(
    "/units/{code}",
    response={200: UnitDetailOut, 400: ErrorOut, 404: ErrorOut},
    summary="Tra một mã đơn vị hành chính vào một ngày (kể cả mã cũ trước 1/7/2025)",
)
def get_unit(request: HttpRequest, code: UnitCodeText, on: DateText = None) -> UnitDetailOut:
    """The unit that carried ``code`` on ``on`` (default today), with the units in force today
    that took over its territory."""
    unit = resolve_unit(code, on=params.parse_day(on, "on"))
    successors = unit_successors(unit)
    return UnitDetailOut(
        **_unit_out(unit).model_dump(),
        current_successors=[_unit_out(s) for s in successors],
    )


@router.get(
    "/agencies",
    response=list[AgencyOut],
    summary="Cơ quan người đang đăng nhập được xem",
)
def list_agencies(request: HttpRequest) -> list[AgencyOut]:
    """Empty for anonymous visitors; filtered by the permission layer (``restrict``)."""
    agencies = Agency.objects.restrict(request.user, VIEW).select_related("unit")
    return [
        AgencyOut(
            id=agency.pk,
            code=agency.code,
            name=agency.name,
            short_name=agency.short_name,
            level=agency.level,
            unit_code=agency.unit.code if agency.unit else None,
            active=agency.active,
        )
        for agency in agencies.order_by("code")
    ]


@router.get(
    "/me/roles",
    auth=SESSION_OR_TOKEN,
    response={200: list[RoleOut], 401: ErrorOut},
    summary="Vai trò hiện hành của tôi",
)
def my_roles(request: HttpRequest) -> list[RoleOut]:
    """The signed-in person's roles in force today (401 for anonymous visitors)."""
    return [
        RoleOut(
            role=assignment.role,
            role_label=assignment.get_role_display(),
            agency_code=assignment.agency.code,
            agency_name=assignment.agency.name,
            department=assignment.department.name if assignment.department else None,
            desk=assignment.desk.name if assignment.desk else None,
            valid_from=assignment.valid_from,
            valid_to=assignment.valid_to,
        )
        for assignment in roles_of(request.user)
    ]
