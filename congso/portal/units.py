"""The address picker's data: the current two-level administrative units (province → commune,
ward or special zone, since 1/7/2025). The commune options are loaded with htmx when the
province changes (``/thu-tuc/don-vi-hanh-chinh/``) and drawn on the server for a value already
chosen."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from congso.org.models import AdministrativeUnit, UnitLevel


def provinces() -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.current().filter(level=UnitLevel.PROVINCE).order_by("name")
    )


def communes(province_code: str) -> list[AdministrativeUnit]:
    if not province_code.isdigit() or len(province_code) > 2:
        return []
    return list(
        AdministrativeUnit.objects.current()
        .filter(level=UnitLevel.COMMUNE, province__code=province_code.zfill(2))
        .order_by("name")
    )


def province_of(unit_code: str) -> str:
    """The code of the current province holding the current commune ``unit_code``."""
    if not unit_code.isdigit():
        return ""
    unit = (
        AdministrativeUnit.objects.current()
        .filter(level=UnitLevel.COMMUNE, code=unit_code.zfill(5))
        .select_related("province")
        .first()
    )
    return unit.province.code if unit is not None and unit.province is not None else ""


def picker(unit_code: str, province_code: str = "") -> dict[str, Any]:
    province = province_code or province_of(unit_code)
    return {
        "provinces": provinces(),
        "province": province,
        "communes": communes(province) if province else [],
        "unit_code": unit_code,
    }


@require_GET
def commune_options(request: HttpRequest) -> HttpResponse:
    """The ``<option>`` list of one province's communes (the picker's htmx target). The
    province comes as ``tinh`` or as the picker's own ``<field>.province`` parameter."""
    code = request.GET.get("tinh", "")
    if not code:
        code = next((str(v) for k, v in request.GET.items() if k.endswith(".province")), "")
    return render(
        request,
        "portal/includes/commune_options.html",
        {"communes": communes(code.strip()), "unit_code": ""},
    )
