"""The catalogue's filters (field, level, agency, online level, applicant type): the selector,
the API (400 on an unknown value) and the portal's search page (Vietnamese labels, an unknown
value dropped and said, pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from congso.catalog import services
from congso.catalog.models import Procedure
from congso.catalog.selectors import (
    Filters,
    clean_filters,
    filter_options,
    procedure_list,
    search_procedures,
)
from congso.core.errors import DomainError
from congso.org.models import Agency
from tests.catalog.conftest import SO_TU_PHAP, UBND_XA, steps


def codes(procedures: Any) -> list[str]:
    return [procedure.code for procedure in procedures]


@pytest.fixture
def catalogue(
    agencies: dict[str, Agency], make_version: Callable[..., object]
) -> dict[str, Agency]:
    # Đăng ký khai sinh: commune, citizens, full online, a process at the commune.
    make_version(processes=[{"agency": UBND_XA, "name": "Quy trình xã", "steps": steps(2, 4, 2)}])
    # A provincial licence for organisations, partly online, processed at the Sở Tư pháp.
    make_version(
        code="2.001000",
        name="Cấp giấy phép hoạt động tổ chức hành nghề công chứng",
        field={"name": "Công chứng", "code": "G15-TP01"},
        levels=["province"],
        applicant_types=["organisation"],
        online_level="partial",
        partial_reason="Nộp bản chính tại Sở.",
        processes=[{"agency": SO_TU_PHAP, "name": "Quy trình Sở", "steps": steps(2, 4, 2)}],
    )
    # The same field as the first, for citizens and organisations, without a process.
    make_version(
        code="1.000656",
        name="Thủ tục đăng ký khai tử",
        levels=["commune", "province"],
        applicant_types=["citizen", "organisation"],
        online_level="none",
    )
    return agencies


@pytest.mark.django_db
def test_each_filter_alone_and_together(catalogue: dict[str, Agency]) -> None:
    def listed(**filters: str) -> list[str]:
        return codes(procedure_list(filters=clean_filters(**filters)))

    assert listed() == ["1.000656", "1.001193", "2.001000"]
    assert listed(field="G15-TP07") == ["1.000656", "1.001193"]
    assert listed(field="ho-tich") == listed(field="G15-TP07")
    assert listed(level="province") == ["1.000656", "2.001000"]
    assert listed(agency=SO_TU_PHAP) == ["2.001000"]
    assert listed(agency=UBND_XA) == ["1.001193"]
    assert listed(online_level="full") == ["1.001193"]
    assert listed(online_level="none") == ["1.000656"]
    assert listed(applicant_type="organisation") == ["1.000656", "2.001000"]
    assert listed(applicant_type="citizen", level="province") == ["1.000656"]
    assert listed(field="G15-TP01", level="commune") == []
    # With a query: the ranking within the filter.
    ranked = procedure_list(query="dang ky", filters=Filters(applicant_type="citizen"))
    assert codes(ranked) == ["1.000656", "1.001193"]  # same score: the shorter name first
    assert codes(procedure_list(query="dang ky", filters=Filters(online_level="full"))) == [
        "1.001193"
    ]


@pytest.mark.django_db
def test_unknown_values_are_refused_by_name(catalogue: dict[str, Agency]) -> None:
    for name, value in (
        ("level", "district"),
        ("online_level", "muc-do-4"),
        ("applicant_type", "robot"),
        ("field", "khong-co"),
        ("agency", "000.00.99.H51"),
    ):
        with pytest.raises(DomainError) as raised:
            clean_filters(**{name: value})
        assert raised.value.code == "invalid_choice" and raised.value.field == name
        assert value in raised.value.message


@pytest.mark.django_db
def test_filters_are_scoped_to_what_one_may_see(catalogue: dict[str, Agency]) -> None:
    procedure = Procedure.objects.get(code="2.001000")
    services.procedure_update(actor=None, procedure=procedure, active=False)
    assert codes(procedure_list(filters=Filters(agency=SO_TU_PHAP))) == []
    options = filter_options()
    assert [field.sector_code for field in options.fields] == ["G15-TP07"]
    assert [agency.code for agency in options.agencies] == [UBND_XA]
    admin_options = filter_options(user=_superuser())
    assert {agency.code for agency in admin_options.agencies} == {SO_TU_PHAP, UBND_XA}
    assert codes(search_procedures("cong chung", user=_superuser())) == ["2.001000"]


def _superuser() -> Any:
    from congso.accounts.models import User

    return User.objects.get_or_create(
        username="admin", defaults={"is_superuser": True, "is_staff": True}
    )[0]


@pytest.mark.django_db
def test_the_api_filters_and_refuses_unknown_values(
    client: Client, catalogue: dict[str, Agency]
) -> None:
    body = client.get(
        "/api/v1/procedures", {"agency": SO_TU_PHAP, "online_level": "partial"}
    ).json()
    assert body["count"] == 1 and body["items"][0]["code"] == "2.001000"
    body = client.get("/api/v1/procedures", {"q": "khai", "applicant_type": "organisation"}).json()
    assert [item["code"] for item in body["items"]] == ["1.000656"]
    bad = client.get("/api/v1/procedures", {"online_level": "4"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_choice" and bad.json()["field"] == "online_level"


@pytest.mark.django_db
def test_the_search_page_filters_with_vietnamese_labels(catalogue: dict[str, Agency]) -> None:
    html = Client().get("/thu-tuc/").content.decode()
    for label in ("Cấp thực hiện", "Cấp xã", "Trực tuyến toàn trình", "Tổ chức, doanh nghiệp"):
        assert label in html
    assert "Ủy ban nhân dân phường Cẩm Thành" in html  # an agency with a process
    page = Client().get("/thu-tuc/", {"doi-tuong": "organisation", "cap": "province"})
    html = page.content.decode()
    assert 'href="/thu-tuc/1.000656/"' in html and 'href="/thu-tuc/2.001000/"' in html
    assert 'href="/thu-tuc/1.001193/"' not in html
    assert ": 2 thủ tục" in html
    dropped = Client().get("/thu-tuc/", {"q": "khai sinh", "muc-do": "<b>4</b>"}).content.decode()
    assert "Bộ lọc không hợp lệ đã được bỏ qua." in dropped
    assert 'href="/thu-tuc/1.001193/?tim=' in dropped and "<b>4</b>" not in dropped


@pytest.mark.django_db
def test_the_search_page_shows_one_page_of_many(
    agencies: dict[str, Agency], make_version: Callable[..., object]
) -> None:
    for number in range(35):
        make_version(code=f"3.{number:06d}", name=f"Thủ tục cấp phép số {number}")
    first = Client().get("/thu-tuc/", {"q": "cap phep"}).content.decode()
    assert ": 35 thủ tục" in first and "Trang 1/2" in first and "3.000034" not in first
    second = Client().get("/thu-tuc/", {"q": "cap phep", "trang": "2"}).content.decode()
    assert "Trang 2/2" in second and second.count('href="/thu-tuc/3.0000') == 5
