"""Procedure catalogue endpoints (public, read-only): a thin layer over
:mod:`congso.catalog.selectors`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import WithJsonSchema

from congso.api import params
from congso.api.schemas import ErrorOut
from congso.calendar.selectors import get_calendar
from congso.catalog import selectors
from congso.catalog.models import Procedure, ProcedureVersion
from congso.core.errors import NotFound
from congso.org.models import Agency

router = Router()

PAGE_SIZE = 20
DateText = Annotated[str | None, WithJsonSchema({"type": "string", "format": "date"})]
InstantText = Annotated[str | None, WithJsonSchema({"type": "string", "format": "date-time"})]


class FieldOut(Schema):
    code: str = Field(description="Khóa lĩnh vực (không dấu).", examples=["ho-tich"])
    name: str = Field(examples=["Hộ tịch"])
    sector_code: str | None = Field(description="Mã lĩnh vực CSDL quốc gia.", examples=["G15-TP07"])


class TimeLimitOut(Schema):
    value: float | None = Field(description="Số (trống: không có thời hạn cố định).")
    unit: str | None = Field(description="working_days, working_hours, days hoặc instant.")
    text: str = Field(description="Mô tả thời hạn theo nguồn.")
    label: str = Field(description="Thời hạn để hiển thị.", examples=["3 ngày làm việc"])


class ProcedureSummaryOut(Schema):
    code: str = Field(examples=["1.001193"])
    national_code: bool = Field(description="Sai khi là mã tạm của địa phương.")
    name: str
    field: FieldOut
    levels: list[str] = Field(description="province, commune, central.")
    applicant_types: list[str] = Field(description="citizen, organisation.")
    time_limit: TimeLimitOut | None = Field(description="Của phiên bản đang có hiệu lực.")
    online_level: str | None = Field(description="full, partial, none; trống: chưa xác định.")
    matched: str | None = Field(
        None,
        description=(
            "Khi có từ tìm kiếm (`q`): vì sao thủ tục khớp (từ trong tên, cách nói thường ngày "
            "được hiểu, chữ gõ sai đã sửa)."
        ),
    )


class ProcedurePageOut(Schema):
    count: int = Field(description="Tổng số thủ tục khớp.")
    page: int
    page_size: int
    items: list[ProcedureSummaryOut]


class FeeOut(Schema):
    name: str
    amount_vnd: int | None = Field(description="Mức thu (đồng); trống: chưa xác định.")
    condition: str | None
    legal_basis: str | None


class ProcedureComponentOut(Schema):
    code: str = Field(description="Mã thành phần; ô tệp của biểu mẫu gắn theo mã này.")
    order: int
    name: str
    original_or_copy: str = Field(description="original, copy, original_or_copy, certified_copy.")
    quantity: int
    mandatory: bool
    condition: str
    template_name: str
    template_url: str | None = Field(description="Tệp mẫu đơn, tờ khai (nếu có).")
    allowed_types: list[str]
    max_size_bytes: int


class ProcedureResultOut(Schema):
    type: str | None
    name: str


class ProcedureDetailOut(Schema):
    code: str
    national_code: bool
    name: str
    field: FieldOut
    levels: list[str]
    applicant_types: list[str]
    version: int
    effective_from: date
    effective_to: date | None
    competent_agency: str
    received_at: str
    submission_channels: list[str]
    time_limit: TimeLimitOut
    fees: list[FeeOut]
    components: list[ProcedureComponentOut]
    result: ProcedureResultOut
    online_level: str | None
    partial_reason: str
    legal_bases: list[str]
    form_schema: dict[str, Any] = Field(description="Biểu mẫu điện tử (docs/catalog.md).")
    prefill: dict[str, str] = Field(description="Trường biểu mẫu → nguồn điền sẵn.")
    source: dict[str, Any]
    notes: str


class EstimateOut(Schema):
    procedure: str
    version: int
    agency: str | None = Field(description="Mã định danh cơ quan giải quyết.")
    province: str | None = Field(description="Mã tỉnh của lịch làm việc đã dùng.")
    has_process: bool | None = Field(description="Cơ quan đã có quy trình nội bộ cho thủ tục.")
    received_at: datetime
    counting_starts: datetime = Field(
        description="Bắt đầu tính thời hạn: thời điểm tiếp nhận, hoặc đầu giờ làm việc kế tiếp "
        "nếu nhận ngoài giờ làm việc."
    )
    due: datetime | None = Field(description="Ngày hẹn trả; trống khi không có thời hạn cố định.")
    time_limit: TimeLimitOut


def _field_out(procedure: Procedure) -> FieldOut:
    field = procedure.field
    return FieldOut(code=field.code, name=field.name, sector_code=field.sector_code or None)


def _time_limit(version: ProcedureVersion) -> TimeLimitOut:
    return TimeLimitOut(
        value=None if version.time_limit_value is None else float(version.time_limit_value),
        unit=version.time_limit_unit or None,
        text=version.time_limit_text,
        label=version.time_limit_label,
    )


def _current_versions(procedures: list[Procedure]) -> dict[int, ProcedureVersion]:
    today = timezone.localdate()
    versions = ProcedureVersion.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=today),
        procedure__in=procedures,
        effective_from__lte=today,
    ).order_by("version")
    # Only what the summary shows (not the forms, fees or sources of every row).
    versions = versions.only(
        "procedure_id",
        "version",
        "time_limit_value",
        "time_limit_unit",
        "time_limit_text",
        "time_limit_cases",
        "online_level",
    )
    return {version.procedure_id: version for version in versions}


@router.get(
    "",
    response={200: ProcedurePageOut, 400: ErrorOut},
    summary="Tra cứu thủ tục hành chính",
    description=(
        "Danh sách thủ tục, lọc theo lĩnh vực (`field`: khóa hoặc mã lĩnh vực), cấp thực hiện "
        "(`level`), cơ quan giải quyết (`agency`), mức độ trực tuyến (`online_level`) và đối "
        "tượng thực hiện (`applicant_type`); giá trị lọc không có trong danh mục: lỗi 400 "
        "`invalid_choice`. Với `q`: tìm theo tên không cần dấu ('dang ky khai sinh') hoặc theo mã "
        "(1.001193), xếp theo mức khớp: đúng mã, cả cụm từ ở đầu hoặc trong tên, đủ mọi từ, "
        "nhiều từ hơn; sau đó các thủ tục bộ tìm kiếm hiểu được từ lời người dân ('vợ tôi mới "
        "sinh em bé', 'mo quan ca phe'), kể cả chữ gõ sai; `matched` nói vì sao. Mỗi trang 20 "
        "thủ tục."
    ),
    operation_id="catalog_list_procedures",
)
def list_procedures(
    request: HttpRequest,
    q: Annotated[str, Query("", description="Từ khóa hoặc mã thủ tục.", max_length=200)] = "",
    field: Annotated[str, Query("", description="Khóa hoặc mã lĩnh vực.", max_length=100)] = "",
    level: Annotated[str, Query("", description="province, commune hoặc central.")] = "",
    agency: Annotated[
        str,
        Query(
            "",
            description="Mã cơ quan có quy trình giải quyết thủ tục (phiên bản đang có hiệu lực).",
            max_length=100,
        ),
    ] = "",
    online_level: Annotated[
        str, Query("", description="Mức độ trực tuyến: full, partial hoặc none.")
    ] = "",
    applicant_type: Annotated[
        str, Query("", description="Đối tượng thực hiện: citizen hoặc organisation.")
    ] = "",
    page: Annotated[int, Query(1, ge=1, le=10_000, description="Trang, từ 1.")] = 1,
) -> ProcedurePageOut:
    filters = selectors.clean_filters(
        field=field,
        level=level,
        agency=agency,
        online_level=online_level,
        applicant_type=applicant_type,
    )
    procedures = selectors.procedure_list(query=q, filters=filters, user=request.user, finder=True)
    chunk = procedures[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    versions = _current_versions(chunk)
    reasons = selectors.match_reasons(q, chunk) if q else {}
    items = []
    for procedure in chunk:
        version = versions.get(procedure.pk)
        items.append(
            ProcedureSummaryOut(
                code=procedure.code,
                national_code=procedure.national_code,
                name=procedure.name,
                field=_field_out(procedure),
                levels=list(procedure.levels),
                applicant_types=list(procedure.applicant_types),
                time_limit=_time_limit(version) if version else None,
                online_level=(version.online_level or None) if version else None,
                matched=reasons.get(procedure.pk),
            )
        )
    return ProcedurePageOut(count=len(procedures), page=page, page_size=PAGE_SIZE, items=items)


def template_url(
    request: HttpRequest, procedure: Procedure, version: ProcedureVersion, component: str
) -> str:
    """The portal's download of a blank form (uploaded files are never served as media)."""
    path = reverse("portal:template", kwargs={"code": procedure.code, "component": component})
    return request.build_absolute_uri(f"{path}?phien-ban={version.version}")


@router.get(
    "/{code}",
    response={200: ProcedureDetailOut, 400: ErrorOut, 404: ErrorOut},
    summary="Chi tiết một thủ tục (phiên bản đang có hiệu lực)",
    description=(
        "Phiên bản có hiệu lực vào ngày `on` (mặc định hôm nay): thời hạn, phí và lệ phí, thành "
        "phần hồ sơ, biểu mẫu điện tử, căn cứ pháp lý, mức độ trực tuyến. Lỗi 404 "
        "`procedure_not_found` khi không có mã, `procedure_not_in_force` khi không có phiên bản "
        "hiệu lực vào ngày đó."
    ),
    operation_id="catalog_get_procedure",
)
def get_procedure(
    request: HttpRequest,
    code: str,
    on: Annotated[DateText, Query(None, description="Ngày xem, YYYY-MM-DD.")] = None,
) -> ProcedureDetailOut:
    procedure = selectors.get_procedure(code, user=request.user)
    version = selectors.current_version(procedure, params.parse_day(on, "on"))
    components = [
        ProcedureComponentOut(
            code=c.code,
            order=c.order,
            name=c.name,
            original_or_copy=c.original_or_copy,
            quantity=c.quantity,
            mandatory=c.mandatory,
            condition=c.condition,
            template_name=c.template_name,
            template_url=template_url(request, procedure, version, c.code) if c.template else None,
            allowed_types=list(c.allowed_types),
            max_size_bytes=c.max_size_bytes,
        )
        for c in version.components.all()
    ]
    return ProcedureDetailOut(
        code=procedure.code,
        national_code=procedure.national_code,
        name=procedure.name,
        field=_field_out(procedure),
        levels=list(procedure.levels),
        applicant_types=list(procedure.applicant_types),
        version=version.version,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        competent_agency=version.competent_agency_text,
        received_at=version.received_at_text,
        submission_channels=list(version.submission_channels),
        time_limit=_time_limit(version),
        fees=[FeeOut(**fee) for fee in version.fees],
        components=components,
        result=ProcedureResultOut(type=version.result_type or None, name=version.result_name),
        online_level=version.online_level or None,
        partial_reason=version.partial_reason,
        legal_bases=list(version.legal_bases),
        form_schema=version.form_schema,
        prefill=version.prefill,
        source=version.source,
        notes=version.notes,
    )


@router.get(
    "/{code}/estimate",
    response={200: EstimateOut, 400: ErrorOut, 404: ErrorOut},
    summary="Ước tính ngày hẹn trả kết quả",
    description=(
        "Ngày hẹn trả cho hồ sơ nhận lúc `received_at` (mặc định: bây giờ) tại cơ quan `agency` "
        "(mã định danh; dùng lịch làm việc của tỉnh cơ quan đó, bỏ trống: lịch toàn quốc). Thời "
        "hạn tính từ thời điểm tiếp nhận (đưa vào giờ làm việc nếu nhận ngoài giờ): thời hạn N "
        "ngày làm việc hết vào đúng giờ đó của ngày làm việc thứ N sau ngày tiếp nhận; thủ tục "
        "trả trong ngày: hết giờ làm việc của ngày tiếp nhận, hoặc của ngày làm việc tiếp theo "
        "nếu nhận sau giờ chốt (15 giờ, hoặc giờ chốt riêng của thủ tục). `due` trống khi thủ "
        "tục không có thời hạn cố định."
    ),
    operation_id="catalog_estimate",
)
def estimate(
    request: HttpRequest,
    code: str,
    agency: Annotated[str, Query("", description="Mã định danh cơ quan.", max_length=13)] = "",
    received_at: Annotated[
        InstantText,
        Query(
            None,
            description="Thời điểm tiếp nhận, ISO 8601 có múi giờ (mã hóa + thành %2B).",
            example="2026-02-13T16:59:00+07:00",
        ),
    ] = None,
) -> EstimateOut:
    instant = params.parse_instant(received_at, "received_at") or timezone.now()
    procedure = selectors.get_procedure(code, user=request.user)
    handling = None
    if agency.strip():
        handling = (
            Agency.objects.select_related("province").filter(code=agency.strip().upper()).first()
        )
        if handling is None:
            raise NotFound(
                "agency_not_found", f"Không có cơ quan mã định danh «{agency}».", field="agency"
            )
    province = selectors.province_code_of(handling)
    calendar = get_calendar(province)
    params.covered_instant(calendar, instant, "received_at")
    day = params.local_day(instant, "received_at")
    version = selectors.current_version(procedure, day)
    due = selectors.estimate_due(version, received_at=instant, province_code=province)
    starts = calendar.start_of_counting(instant)
    has_process = None
    if handling is not None:
        has_process = version.processes.filter(agency=handling, active=True).exists()
    return EstimateOut(
        procedure=procedure.code,
        version=version.version,
        agency=handling.code if handling else None,
        province=province,
        has_process=has_process,
        received_at=instant,
        counting_starts=starts,
        due=due,
        time_limit=_time_limit(version),
    )
