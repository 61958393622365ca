"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) so existing Open311 clients
can file and follow reports: ``services``, ``services/{code}``, ``requests`` (GET, POST with
an ``api_key``), ``requests/{id}``, each as ``.json`` or ``.xml``. ``jurisdiction_id`` is the
province code. Thin: parse, call :mod:`congso.feedback.services`, answer in the format asked.

* The place: ``address_id`` (or ``attribute[unit_code]``) is the 5-digit commune/ward code —
  a report needs its administrative unit; ``lat``/``long`` and ``address_string`` are kept.
* ``media_url`` is not fetched (no outbound requests on a citizen's behalf); a multipart
  ``media`` file is checked like every upload.
* A report its reporter did not agree to publish shows only its code, status and dates,
  unless asked with the ``api_key`` of the application that filed it.
* Errors are ``[{"code": <HTTP status>, "description": "…"}]`` with that HTTP status.
* XML is written with :mod:`xml.etree.ElementTree` (every text escaped); nothing here parses
  XML.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET  # writes only; nothing is parsed

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from congso.core.errors import DomainError
from congso.core.throttle import client_address
from congso.feedback import selectors, services
from congso.feedback.models import Category, Channel, Open311Key, Report
from congso.feedback.workflow import FINISHED, Status

FORMATS = ("json", "xml")
#: Requests returned by one list query at most.
LIST_LIMIT = 200
STATUS_NOTES = {
    Status.NEW: "Đã nhận, chờ phân loại.",
    Status.ACCEPTED: "Đã tiếp nhận xử lý.",
    Status.ASSIGNED: "Đã giao cán bộ xử lý.",
    Status.IN_PROGRESS: "Đang xử lý.",
    Status.ANSWERED: "Đã trả lời.",
    Status.CLOSED: "Đã kết thúc.",
    Status.REJECTED: "Không tiếp nhận.",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- Rendering ----------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    if isinstance(value, list):
        child = ET.SubElement(parent, key)
        item_tag = {"attributes": "attribute", "values": "value", "keywords": "keyword"}.get(
            key, "item"
        )
        for item in value:
            _xml_node(child, item_tag, item)
        return
    if isinstance(value, dict):
        _xml_node(parent, key, value)
        return
    child = ET.SubElement(parent, key)
    if value is None:
        return
    child.text = ("true" if value else "false") if isinstance(value, bool) else str(value)


def _xml_node(parent: ET.Element, tag: str, data: dict[str, Any]) -> None:
    node = ET.SubElement(parent, tag)
    for key, value in data.items():
        _xml_value(node, key, value)


def _render(fmt: str, root: str, item: str, payload: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        items = payload if isinstance(payload, list) else [payload]
        for entry in items:
            if item:
                _xml_node(top, item, entry)
            else:
                for key, value in entry.items():
                    _xml_value(top, key, value)
        body = ET.tostring(top, encoding="utf-8", xml_declaration=True)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(
        json.dumps(payload, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _geo_error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(
        fmt if fmt in FORMATS else "json",
        "errors",
        "error",
        [{"code": status, "description": description}],
        status=status,
    )


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Open311 errors and domain errors as GeoReport error lists."""

    def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in FORMATS:
            return _geo_error("json", 404, "Định dạng phải là json hoặc xml.")
        try:
            _jurisdiction(request)
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            return _geo_error(fmt, exc.status, exc.description)
        except DomainError as exc:
            status = exc.status if exc.status in (400, 403, 404, 429) else 400
            field = f" ({exc.field})" if exc.field else ""
            response = _geo_error(fmt, status, f"{exc.message}{field}")
            if exc.retry_after:
                response["Retry-After"] = str(exc.retry_after)
            return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _jurisdiction(request: HttpRequest) -> None:
    given = (
        request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    ).strip()
    if given and given.zfill(2) != services.province().code:
        raise Open311Error(404, f"Không phục vụ jurisdiction_id {given}.")


# --- Services -----------------------------------------------------------------------------------


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(
            line.strip() for line in category.keywords.splitlines() if line.strip()
        ),
        "group": category.parent.name if category.parent else category.name,
    }


@endpoint
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    home = services.province()
    rows = [_service(c) for c in selectors.categories(home.pk)]
    return _render(fmt, "services", "service", rows)


@endpoint
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    home = services.province()
    category = Category.objects.filter(province=home, code=code, active=True).first()
    if category is None:
        raise Open311Error(404, f"Không có service_code {code}.")
    units = selectors.communes(home.pk)
    definition = {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "unit_code",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "Mã xã, phường (5 chữ số); cũng nhận qua address_id.",
                "order": 1,
                "description": "Xã, phường nơi phản ánh",
                "values": [{"key": unit.code, "name": unit.name} for unit in units],
            },
            {
                "variable": True,
                "code": "publishable",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "true: đồng ý công khai phản ánh và trả lời.",
                "order": 2,
                "description": "Đồng ý công khai",
                "values": [{"key": "true", "name": "Có"}, {"key": "false", "name": "Không"}],
            },
        ],
    }
    return _render(fmt, "service_definition", "", definition)


# --- Requests -----------------------------------------------------------------------------------


def _client(request: HttpRequest) -> Open311Key | None:
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    return services.open311_client(key) if key else None


def _request_row(report: Report, client: Open311Key | None) -> dict[str, Any]:
    full = report.publishable or (client is not None and report.open311_key_id == client.pk)
    closed = report.status in FINISHED
    row: dict[str, Any] = {
        "service_request_id": report.code,
        "status": "closed" if closed else "open",
        "status_notes": STATUS_NOTES.get(Status(report.status), ""),
        "service_name": report.category.name,
        "service_code": report.category.code,
        "agency_responsible": report.agency.name if report.agency else "",
        "service_notice": "",
        "requested_datetime": _iso(report.received_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.due_at),
    }
    if report.status == Status.REJECTED and report.reason and full:
        row["status_notes"] = report.reason
    if report.answer and full:
        row["status_notes"] = report.answer
    if full:
        row.update(
            {
                "description": report.description,
                "address": report.address,
                "address_id": report.unit.code,
                "zipcode": "",
                "lat": float(report.latitude) if report.latitude is not None else None,
                "long": float(report.longitude) if report.longitude is not None else None,
                "media_url": "",
            }
        )
    return row


def _base() -> QuerySet[Report]:
    return Report.objects.select_related("category", "agency", "unit").filter(
        province=services.province()
    )


def _day_bound(raw: str, name: str) -> datetime:
    value = parse_datetime(raw.strip()) if raw.strip() else None
    if value is None:
        raise Open311Error(400, f"{name} phải là thời điểm ISO 8601.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    reports = _base()
    ids = [item.strip().upper() for item in request.GET.get("service_request_id", "").split(",")]
    ids = [item for item in ids if item]
    if ids:
        reports = reports.filter(code__in=ids[:LIST_LIMIT])
    else:
        # Without ids: the published reports, and those of the asking application.
        visible = Q(publishable=True)
        if client is not None:
            visible |= Q(open311_key=client)
        reports = reports.filter(visible)
        end = (
            _day_bound(request.GET["end_date"], "end_date") if request.GET.get("end_date") else None
        )
        start = (
            _day_bound(request.GET["start_date"], "start_date")
            if request.GET.get("start_date")
            else (end or timezone.now()) - timedelta(days=90)
        )
        reports = reports.filter(received_at__gte=start)
        if end is not None:
            reports = reports.filter(received_at__lte=end)
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            reports = reports.filter(category__code__in=codes)
        wanted = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            raise Open311Error(400, "status phải là open hoặc closed.")
        if wanted == {"open"}:
            reports = reports.exclude(status__in=FINISHED)
        elif wanted == {"closed"}:
            reports = reports.filter(status__in=FINISHED)
    rows = [_request_row(r, client) for r in reports.order_by("-received_at")[:LIST_LIMIT]]
    return _render(fmt, "service_requests", "request", rows)


def _attribute(request: HttpRequest, code: str) -> str:
    return (request.POST.get(f"attribute[{code}]") or "").strip()


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    client = services.open311_client(request.POST.get("api_key", ""))
    data = request.POST
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    publishable = _attribute(request, "publishable").lower() in ("true", "1", "yes")
    intake = services.Intake(
        category=data.get("service_code", ""),
        description=data.get("description", ""),
        unit=data.get("address_id", "") or _attribute(request, "unit_code"),
        address=data.get("address_string", ""),
        latitude=data.get("lat"),
        longitude=data.get("long"),
        reporter_name=name,
        reporter_phone=data.get("phone", ""),
        reporter_email=data.get("email", ""),
        publishable=publishable,
        files=request.FILES.getlist("media"),
    )
    report = services.report_submit(
        actor=None,
        channel=Channel.OPEN311,
        intake=intake,
        client_address=client_address(request),
        open311_key=client,
    )
    notice = (
        f"Hạn trả lời: {timezone.localtime(report.due_at):%H:%M %d/%m/%Y}." if report.due_at else ""
    )
    row = {
        "service_request_id": report.code,
        "service_notice": notice,
        "account_id": data.get("account_id", "") or None,
    }
    return _render(fmt, "service_requests", "request", [row], status=201)


@csrf_exempt
@endpoint
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    if request.method != "GET":
        raise Open311Error(405, "Chỉ nhận GET hoặc POST.")
    return _list(request, fmt)


@endpoint
def request_detail(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    report = _base().filter(code=code.strip().upper()).first()
    if report is None:
        raise Open311Error(404, f"Không có service_request_id {code}.")
    return _render(fmt, "service_requests", "request", [_request_row(report, _client(request))])
