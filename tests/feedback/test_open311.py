"""An Open311 GeoReport v2 client — this module speaks only the wire protocol (HTTP, form
encoding, JSON and XML), against the live server — files a report and follows it until the
answer closes it; plus the protocol's errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from congso.feedback import services
from congso.feedback.models import Report

pytestmark = pytest.mark.django_db(transaction=True)


class GeoReportClient:
    """A minimal GeoReport v2 client (what a FixMyStreet-style app sends)."""

    def __init__(self, base: str, api_key: str = ""):
        self.base = base.rstrip("/") + "/open311/v2/"
        self.api_key = api_key

    def _call(self, path: str, data: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
        url = self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def get(self, path: str, **params: str) -> tuple[int, Any]:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        status, body, headers = self._call(path + query)
        if path.endswith(".xml"):
            assert headers["Content-Type"].startswith("text/xml")
            return status, ET.fromstring(body)
        return status, json.loads(body)

    def post_request(self, **fields: str) -> tuple[int, Any]:
        status, body, _ = self._call("requests.json", {"api_key": self.api_key, **fields})
        return status, json.loads(body)


@pytest.fixture
def province(transactional_db: Any, settings: Any, tmp_path: Any) -> Any:
    from tests.feedback.conftest import build_province

    settings.MEDIA_ROOT = tmp_path / "media"
    return build_province()


def test_an_open311_client_files_and_follows_a_report(live_server: Any, province: Any) -> None:
    _, key = services.open311_key_create(actor=None, name="Ứng dụng thử")
    client = GeoReportClient(live_server.url, key)

    status, listed = client.get("services.json", jurisdiction_id="51")
    assert status == 200
    codes = {service["service_code"]: service for service in listed}
    assert codes["mat-duong"]["group"] == "Giao thông" and codes["mat-duong"]["metadata"]
    status, xml_services = client.get("services.xml")
    assert status == 200 and xml_services.tag == "services"
    assert "mat-duong" in [s.findtext("service_code") for s in xml_services.findall("service")]

    status, definition = client.get("services/mat-duong.json")
    attribute = definition["attributes"][0]
    assert attribute["code"] == "unit_code" and attribute["required"]
    unit = next(v["key"] for v in attribute["values"] if v["name"] == "Phường Cẩm Thành")

    status, created = client.post_request(
        service_code="mat-duong",
        description="Ổ gà sâu ở ngã tư <b>Lê Lợi</b>",
        lat="15.120000",
        long="108.800000",
        address_string="Ngã tư Lê Lợi",
        **{"attribute[unit_code]": unit, "attribute[publishable]": "false"},
        first_name="Văn",
        last_name="An",
        phone="0912345678",
    )
    assert status == 201, created
    request_id = created[0]["service_request_id"]
    assert created[0]["service_notice"]

    status, found = client.get(f"requests/{request_id}.json", api_key=key)
    assert found[0]["status"] == "open" and found[0]["agency_responsible"] == "Sở Xây dựng"
    assert found[0]["description"] == "Ổ gà sâu ở ngã tư <b>Lê Lợi</b>"  # data, as sent
    assert found[0]["lat"] == 15.12
    # Without the key, a report not published shows no content.
    status, anonymous = client.get(f"requests/{request_id}.json")
    assert "description" not in anonymous[0] and anonymous[0]["status"] == "open"

    # The department handles and answers it.
    report = Report.objects.get(code=request_id)
    report = services.report_assign(
        actor=province.leader_t, report=report, assignee=province.handler_t
    )
    services.report_answer(actor=province.handler_t, report=report, answer="Đã vá & rải nhựa.")

    status, followed = client.get("requests.xml", service_request_id=request_id, api_key=key)
    request = followed.find("request")
    assert request is not None and request.findtext("status") == "closed"
    assert request.findtext("status_notes") == "Đã vá & rải nhựa."
    status, listing = client.get("requests.json", status="closed", api_key=key)
    assert [row["service_request_id"] for row in listing] == [request_id]
    status, public = client.get("requests.json", status="closed")
    assert public == []  # not published


def test_open311_errors(live_server: Any, province: Any, settings: Any) -> None:
    _, key = services.open311_key_create(actor=None, name="Ứng dụng thử")
    client = GeoReportClient(live_server.url, key)
    status, body = GeoReportClient(live_server.url, "sai").post_request(
        service_code="mat-duong", description="x", address_id=province.ward_a.code
    )
    assert status == 403 and body[0]["code"] == 403
    status, body = client.post_request(
        service_code="mat-duong", description="Ổ gà", address_id=province.foreign_ward.code
    )
    assert status == 400 and "không thuộc Quảng Ngãi" in body[0]["description"]
    status, body = client.post_request(service_code="khong-co", description="x")
    assert status == 400
    status, body = client.get("services/khong-co.json")
    assert status == 404 and body[0]["code"] == 404
    status, body = client.get("services.json", jurisdiction_id="48")
    assert status == 404
    status, body = client.get("requests/PA000000000000.xml")
    assert status == 404 and body.tag == "errors"
    assert Report.objects.count() == 0


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----congso-open311-test"
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_open311_media_is_checked_like_every_upload(live_server: Any, province: Any) -> None:
    from tests.feedback.conftest import jpeg_with_location

    _, key = services.open311_key_create(actor=None, name="Ứng dụng thử")
    fields = {
        "api_key": key,
        "service_code": "rac-thai",
        "description": "Rác đổ trộm",
        "address_id": province.ward_b.code,
    }

    def post(filename: str, content: bytes) -> tuple[int, Any]:
        body, content_type = _multipart(fields, {"media": (filename, content)})
        request = urllib.request.Request(
            live_server.url + "/open311/v2/requests.json",
            data=body,
            headers={"Content-Type": content_type},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = post("rac.exe.jpg", b"MZ\x90\x00" + b"\x00" * 64)
    assert status == 400 and "không đúng loại cho phép" in body[0]["description"]
    status, body = post("rac.jpg", jpeg_with_location().read())
    assert status == 201
    stored = Report.objects.get(code=body[0]["service_request_id"]).files.get()
    assert stored.location_removed and stored.mime_type == "image/jpeg"
