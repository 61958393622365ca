"""The address picker: province → commune from the current administrative units, the commune
options loaded with htmx, a chosen commune drawn again on the server."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from congso.org.models import AdministrativeUnit, UnitKind, UnitLevel
from congso.portal.schemaform import bind

pytestmark = pytest.mark.django_db


@pytest.fixture
def units() -> dict[str, AdministrativeUnit]:
    province = AdministrativeUnit.objects.create(
        code="51", name="Quảng Ngãi", level=UnitLevel.PROVINCE, kind=UnitKind.PROVINCE
    )
    other = AdministrativeUnit.objects.create(
        code="48", name="Đà Nẵng", level=UnitLevel.PROVINCE, kind=UnitKind.CENTRAL_CITY
    )
    ward = AdministrativeUnit.objects.create(
        code="21175",
        name="Phường Cẩm Thành",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        parent=province,
        province=province,
    )
    AdministrativeUnit.objects.create(
        code="21100",
        name="Xã Cũ",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.COMMUNE,
        parent=province,
        province=province,
        valid_to=datetime.date(2025, 6, 30),
    )
    AdministrativeUnit.objects.create(
        code="20194",
        name="Phường Hải Châu",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        parent=other,
        province=other,
    )
    return {"province": province, "ward": ward}


def test_commune_options_of_a_province_are_the_current_ones(units):
    html = Client().get("/thu-tuc/don-vi-hanh-chinh/", {"tinh": "51"}).content.decode()
    assert 'value="21175"' in html and "Phường Cẩm Thành" in html
    assert "Xã Cũ" not in html and "Hải Châu" not in html
    by_field = Client().get("/thu-tuc/don-vi-hanh-chinh/", {"dia_chi.province": "48"})
    assert "Phường Hải Châu" in by_field.content.decode()
    assert "<option" in Client().get("/thu-tuc/don-vi-hanh-chinh/", {"tinh": "x'"}).content.decode()


def test_a_chosen_commune_is_drawn_with_its_province_selected(units):
    spec = {"name": "dia_chi", "type": "address", "label": "Nơi cư trú", "required": True}
    (field,) = bind([spec], {"dia_chi": {"unit_code": "21175", "detail": "12 Lê Lợi"}}, {})
    request = RequestFactory().get("/")
    html = render_to_string("portal/includes/schema_field.html", {"f": field, "request": request})
    assert '<option value="51" selected>Quảng Ngãi</option>' in html
    assert '<option value="21175" selected>Phường Cẩm Thành</option>' in html
    assert 'hx-get="/thu-tuc/don-vi-hanh-chinh/"' in html
    assert 'name="dia_chi.unit_code"' in html and 'value="12 Lê Lợi"' in html
