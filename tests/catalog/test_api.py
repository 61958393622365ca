"""The /api/v1/procedures endpoints (public, read-only)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from congso.catalog import services
from congso.catalog.models import ProcedureVersion
from congso.org.models import Agency

from .conftest import UBND_XA, steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> ProcedureVersion:
    make_version(
        code="1.000656",
        name="Thủ tục đăng ký khai tử",
        time_limit={"value": None, "unit": None, "text": "Theo trường hợp"},
    )
    make_version(
        code="2.001610",
        name="Đăng ký thành lập doanh nghiệp tư nhân",
        field={"name": "Thành lập và hoạt động doanh nghiệp", "code": None},
        levels=["province"],
        applicant_types=["citizen", "organisation"],
    )
    for index in range(25):
        make_version(code=f"9.{index:06d}", name=f"Thủ tục thử nghiệm số {index}")
    return make_version(
        processes=[{"agency": UBND_XA, "name": "Quy trình", "steps": steps(1, 5, 1)}],
        form_schema={
            "version": 1,
            "fields": [
                {
                    "name": "ho_ten",
                    "type": "text",
                    "label": "Họ tên",
                    "prefill": "citizen.full_name",
                },
                {
                    "name": "tep",
                    "type": "file",
                    "label": "Giấy chứng sinh",
                    "component": "giay-chung-sinh",
                },
            ],
        },
    )


def test_search_without_diacritics(client: Client, catalogue: ProcedureVersion) -> None:
    body = client.get("/api/v1/procedures", {"q": "dang ky khai sinh"}).json()
    first = body["items"][0]
    assert first["code"] == "1.001193" and first["name"] == "Thủ tục đăng ký khai sinh"
    assert first["time_limit"]["label"] == "1 ngày làm việc"
    assert first["time_limit"]["value"] == 1.0
    assert first["online_level"] == "full"
    assert first["field"] == {"code": "ho-tich", "name": "Hộ tịch", "sector_code": "G15-TP07"}
    by_code = client.get("/api/v1/procedures", {"q": "1.001193"}).json()
    assert [item["code"] for item in by_code["items"]] == ["1.001193"]


def test_list_filters_and_pages(client: Client, catalogue: ProcedureVersion) -> None:
    everything = client.get("/api/v1/procedures").json()
    assert everything["count"] == 28 and everything["page_size"] == 20
    assert len(everything["items"]) == 20
    second = client.get("/api/v1/procedures", {"page": 2}).json()
    assert len(second["items"]) == 8
    province = client.get("/api/v1/procedures", {"level": "province"}).json()
    assert [item["code"] for item in province["items"]] == ["2.001610"]
    field = client.get(
        "/api/v1/procedures", {"field": "thanh-lap-va-hoat-dong-doanh-nghiep"}
    ).json()
    assert field["count"] == 1
    assert client.get("/api/v1/procedures", {"field": "G15-TP07"}).json()["count"] == 27
    bad = client.get("/api/v1/procedures", {"page": 0})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_detail(client: Client, catalogue: ProcedureVersion) -> None:
    body = client.get("/api/v1/procedures/1.001193").json()
    assert body["version"] == 1 and body["effective_from"] == "2025-07-01"
    assert body["fees"][1] == {
        "name": "Phí cấp bản sao",
        "amount_vnd": 8000,
        "condition": None,
        "legal_basis": None,
    }
    assert [c["code"] for c in body["components"]] == ["to-khai", "giay-chung-sinh"]
    assert body["components"][0]["allowed_types"] == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    assert body["form_schema"]["fields"][1]["component"] == "giay-chung-sinh"
    assert body["prefill"] == {"ho_ten": "citizen.full_name"}
    assert body["legal_bases"] == ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"]
    assert body["result"] == {"type": "certificate", "name": "Giấy khai sinh"}


def test_not_found_and_not_in_force(client: Client, catalogue: ProcedureVersion) -> None:
    missing = client.get("/api/v1/procedures/9.999999")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "procedure_not_found",
        "message": "Không có thủ tục hành chính mã «9.999999».",
        "field": "code",
    }
    early = client.get("/api/v1/procedures/1.001193", {"on": "2025-06-30"})
    assert early.status_code == 404 and early.json()["code"] == "procedure_not_in_force"
    bad = client.get("/api/v1/procedures/1.001193", {"on": "30/06/2025"})
    assert bad.status_code == 400 and bad.json()["field"] == "on"
    services.procedure_update(actor=None, procedure=catalogue.procedure, active=False)
    assert client.get("/api/v1/procedures/1.001193").status_code == 404


def test_estimate_across_tet(client: Client, catalogue: ProcedureVersion) -> None:
    response = client.get(
        "/api/v1/procedures/1.001193/estimate",
        {"agency": UBND_XA, "received_at": "2026-02-13T16:59:00+07:00"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["counting_starts"] == "2026-02-13T16:59:00+07:00"
    assert body["due"] == "2026-02-23T16:59:00+07:00"
    assert body["province"] == "51" and body["has_process"] is True
    # An unencoded "+" arrives as a space and is taken back.
    plain = client.get(
        "/api/v1/procedures/1.001193/estimate?received_at=2026-02-13T14:59:00+07:00"
    ).json()
    assert plain["due"] == "2026-02-23T14:59:00+07:00" and plain["agency"] is None
    none = client.get(
        "/api/v1/procedures/1.000656/estimate", {"received_at": "2026-02-13T16:59:00+07:00"}
    ).json()
    assert none["due"] is None and none["time_limit"]["value"] is None


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"received_at": "13/02/2026"}, 400, "invalid_datetime", "received_at"),
        ({"received_at": "2026-02-13T16:59:00"}, 400, "naive_datetime", "received_at"),
        ({"agency": "000.00.99.H51"}, 404, "agency_not_found", "agency"),
    ],
)
def test_estimate_errors(
    client: Client,
    catalogue: ProcedureVersion,
    params: dict[str, str],
    status: int,
    code: str,
    field: str,
) -> None:
    response = client.get("/api/v1/procedures/1.001193/estimate", params)
    assert response.status_code == status
    assert (response.json()["code"], response.json()["field"]) == (code, field)
