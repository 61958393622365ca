"""The periodic reports, each as one neutral :class:`Document` rendered to Excel (openpyxl) and
to PDF (reportlab with the embedded DejaVu faces of :mod:`congso.printing`), so the two files
always hold the same figures.

* the one-stop-shop situation report (TT 01/2018/TT-VPCP art. 11): deployment of ND 61/2018,
  reception and handling of dossiers, the published procedure lists, the evaluation of the
  handling, inter-agency procedures; per agency (or every agency in scope) and period;
* the tracking book (form 06): the PDF is :func:`congso.printing.forms.render_tracking_book`
  itself; the Excel file holds the same rows;
* the QĐ 766 service index with its breakdown.

Figures come from the aggregates (:mod:`congso.indicators.stats`, :func:`index.score`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from congso.catalog.models import OnlineLevel, ProcedureVersion
from congso.core.spreadsheet import append_row
from congso.indicators import index, selectors, stats
from congso.org.models import Agency, Desk, RoleAssignment
from congso.printing import context as print_ctx
from congso.printing.forms import render_tracking_book
from congso.printing.layout import (
    Letterhead,
    Styles,
    build_pdf,
    esc,
    grid_table,
    letterhead_block,
    para,
    short_date,
    short_datetime,
)

Progress = Callable[[int], None]
Cell = str | int | Decimal | float | None


@dataclass
class Table:
    header: list[str]
    rows: list[list[Cell]]
    widths: list[float] = field(default_factory=list)  # relative widths for the PDF


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    table: Table | None = None


@dataclass
class Document:
    title: str
    subtitle: str
    letterhead: Letterhead
    sections: list[Section]
    sheet_name: str = "Báo cáo"


def _no_progress(_: int) -> None:
    return None


#: Reports are official documents: Vietnamese whatever the page's language.
REPORT_LANGUAGE = "vi"


def _period(start: date, end: date) -> str:
    return f"Từ ngày {short_date(start)} đến ngày {short_date(end)}"


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value} %"


def _who(agency: Agency | None) -> str:
    return agency.name if agency is not None else "Các cơ quan trong phạm vi"


def _letterhead(agency: Agency | None, today: date) -> Letterhead:
    if agency is not None:
        return print_ctx.agency_letterhead(agency, today)
    return Letterhead(
        parent_name="", name="HỆ THỐNG THÔNG TIN MỘT CỬA ĐIỆN TỬ", place="", issued_on=today
    )


# --- The situation report (TT 01/2018 art. 11) -------------------------------------------------


def situation_report(
    *,
    start: date,
    end: date,
    scope: Sequence[int] | None,
    agency_id: int | None = None,
    progress: Progress = _no_progress,
) -> Document:
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    agency_ids = [agency_id] if agency_id else None
    agencies_q = Agency.objects.filter(active=True)
    if scope is not None:
        agencies_q = agencies_q.filter(pk__in=scope)
    if agency_ids:
        agencies_q = agencies_q.filter(pk__in=agency_ids)
    agency_pks = list(agencies_q.values_list("pk", flat=True))
    today = timezone.localdate()

    desks = Desk.objects.filter(agency_id__in=agency_pks)
    officers = (
        RoleAssignment.objects.current(today)
        .filter(agency_id__in=agency_pks, role="reception")
        .values("user_id")
        .distinct()
        .count()
    )
    deployment = Section(
        "I. Tình hình triển khai Nghị định số 61/2018/NĐ-CP",
        [
            f"Số cơ quan trong phạm vi báo cáo: {len(agency_pks)}.",
            f"Số Bộ phận Một cửa đang hoạt động: {desks.count()}.",
            f"Số cán bộ, công chức làm việc tại Bộ phận Một cửa: {officers}.",
        ],
    )
    progress(20)

    total = stats.total(start, end, scope=scope, agency_ids=agency_ids)
    (raw,) = selectors.figures(start=start, end=end, scope_agency_ids=scope, agency_ids=agency_ids)
    (live,) = selectors.live_figures(scope_agency_ids=scope, agency_ids=agency_ids)
    handling_lines = [
        f"Tổng số hồ sơ tiếp nhận: {total.received} (trực tuyến {raw['received_online']}, "
        f"trực tiếp {raw['received_in_person']}, qua bưu chính {raw['received_postal']}); "
        f"tỷ lệ trực tuyến {_pct(total.online_rate)}.",
        f"Số hồ sơ đã giải quyết: {total.processed} (trước hạn {total.early}, đúng hạn "
        f"{total.on_time}, quá hạn {total.late}); tỷ lệ trước hạn, đúng hạn "
        f"{_pct(total.on_time_rate)}; dừng xử lý, từ chối giải quyết {raw['stopped']}.",
        f"Không được tiếp nhận: {raw['not_accepted']}; yêu cầu bổ sung: "
        f"{raw['supplement_requested']}; rút hồ sơ: {raw['withdrawn']}; đã trả kết quả: "
        f"{raw['returned']} (trực tuyến {raw['returned_online']}); kết quả điện tử đã ký: "
        f"{raw['e_results']}.",
        f"Đang giải quyết (tại thời điểm lập báo cáo): {live['in_progress']}, trong đó quá hạn "
        f"{live['overdue_now']}; chờ bổ sung {live['waiting_supplement']}.",
    ]
    fields = stats.by_field(start, end, scope=scope, agency_ids=agency_ids)
    progress(50)
    handling = Section(
        "II. Tình hình tiếp nhận, giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa "
        "liên thông",
        handling_lines,
        Table(
            [
                "Lĩnh vực",
                "Tiếp nhận",
                "Trực tuyến",
                "Đã giải quyết",
                "Trước hạn",
                "Đúng hạn",
                "Quá hạn",
                "Tỷ lệ trước hạn, đúng hạn",
            ],
            [
                [
                    line.label,
                    line.received,
                    line.received_online,
                    line.processed,
                    line.early,
                    line.on_time,
                    line.late,
                    _pct(line.on_time_rate),
                ]
                for line in [*fields, total]
            ],
            [3, 1, 1, 1, 1, 1, 1, 1.4],
        ),
    )

    sections_by_agency: list[Section] = []
    if agency is None:
        by_agency = stats.by_agency(start, end, scope=scope)
        sections_by_agency.append(
            Section(
                "Kết quả tiếp nhận, giải quyết theo cơ quan",
                [],
                Table(
                    ["Cơ quan", "Tiếp nhận", "Trực tuyến", "Đã giải quyết", "Quá hạn",
                     "Tỷ lệ trước hạn, đúng hạn"],
                    [[line.label, line.received, line.received_online, line.processed,
                      line.late, _pct(line.on_time_rate)] for line in by_agency],
                    [4, 1, 1, 1, 1, 1.4],
                ),
            )
        )  # fmt: skip

    notifications = Section(
        "Thông báo cho người dân, doanh nghiệp (SMS, thư điện tử)",
        [
            "Theo ngày tạo tin; tỷ lệ phát thành công = đã nhận / đã gửi (chỉ SMS có báo cáo "
            "phát của nhà mạng)."
        ],
        Table(
            ["Kênh", "Đã gửi", "Đã nhận", "Tỷ lệ phát thành công", "Thất bại"],
            [
                [line["label"], line["sent"], line["delivered"], _pct(line["delivery_rate"]),
                 line["failed"]]
                for line in stats.notifications(start, end, scope=scope, agency_ids=agency_ids)
            ],
            [3, 1, 1, 1.4, 1],
        ),
    )  # fmt: skip

    in_force = ProcedureVersion.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=end),
        effective_from__lte=end,
        procedure__active=True,
    )
    levels = {
        level: in_force.filter(online_level=level).values("procedure_id").distinct().count()
        for level in OnlineLevel.values
    }
    published = Section(
        "III. Tình hình công bố danh mục thủ tục hành chính tiếp nhận tại Bộ phận Một cửa và "
        "tiếp nhận trực tuyến",
        [
            f"Số thủ tục hành chính đang áp dụng: {sum(levels.values())}.",
            f"Dịch vụ công trực tuyến toàn trình: {levels[OnlineLevel.FULL]}; một phần: "
            f"{levels[OnlineLevel.PARTIAL]}; không cung cấp trực tuyến: "
            f"{levels[OnlineLevel.NONE]}.",
        ],
    )
    progress(70)
    evaluation = Section(
        "IV. Tình hình, kết quả đánh giá việc giải quyết thủ tục hành chính",
        [
            f"Số lượt đánh giá: {total.rating_count}; điểm trung bình: "
            f"{total.average_rating if total.average_rating is not None else '—'}/5; "
            f"hài lòng (4–5 điểm): {_pct(total.satisfied_rate)}.",
        ],
    )
    inter_agency = Section(
        "V. Tình hình, kết quả đề xuất thủ tục hành chính thực hiện liên thông",
        ["Chưa có dữ liệu trong hệ thống."],
    )
    progress(90)
    return Document(
        title="BÁO CÁO TÌNH HÌNH, KẾT QUẢ THỰC HIỆN CƠ CHẾ MỘT CỬA, MỘT CỬA LIÊN THÔNG "
        "TRONG GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        subtitle=f"{_who(agency)} — {_period(start, end)}",
        letterhead=_letterhead(agency, today),
        sections=[
            deployment,
            handling,
            *sections_by_agency,
            notifications,
            published,
            evaluation,
            inter_agency,
        ],
        sheet_name="Tình hình một cửa",
    )


# --- The index report ---------------------------------------------------------------------------


def index_report(
    *,
    start: date,
    end: date,
    scope: Sequence[int] | None,
    agency_id: int | None = None,
    progress: Progress = _no_progress,
) -> Document:
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    with translation.override(REPORT_LANGUAGE):
        return _index_document(agency, start, end, scope, agency_id, progress)


def _index_document(
    agency: Agency | None,
    start: date,
    end: date,
    scope: Sequence[int] | None,
    agency_id: int | None,
    progress: Progress,
) -> Document:
    result = index.score(
        start=start,
        end=end,
        scope_agency_ids=scope,
        agency_ids=[agency_id] if agency_id else None,
    )
    progress(60)
    rows: list[list[Cell]] = []
    for group in result.groups:
        for r in group.indicators:
            rows.append(
                [
                    r.code,
                    r.definition.name_vi,
                    r.numerator,
                    r.denominator,
                    r.rate_text,
                    r.threshold_text,
                    r.points if r.has_data else None,
                    r.definition.max_points,
                ]
            )
        rows.append(
            [
                "",
                f"Cộng nhóm: {group.group.name_vi}",
                None,
                None,
                None,
                None,
                group.points,
                group.max_points_with_data,
            ]
        )
    rows.append(
        ["", "TỔNG ĐIỂM (các chỉ số có dữ liệu)", None, None, None, None, result.points,
         result.max_points_with_data]
    )  # fmt: skip
    goal_rows: list[list[Cell]] = [
        [g.label_vi, f"{g.target_percent} %",
         "Chưa có dữ liệu" if g.actual is None else f"{g.actual_percent} %",
         f"{g.numerator}/{g.denominator}" if g.denominator else "—"]
        for g in result.goals
    ]  # fmt: skip
    return Document(
        title="BỘ CHỈ SỐ CHỈ ĐẠO, ĐIỀU HÀNH VÀ ĐÁNH GIÁ CHẤT LƯỢNG PHỤC VỤ NGƯỜI DÂN, "
        "DOANH NGHIỆP (QĐ 766/QĐ-TTg)",
        subtitle=f"{_who(agency)} — {_period(start, end)}",
        letterhead=_letterhead(agency, timezone.localdate()),
        sections=[
            Section(
                "I. Điểm theo chỉ số",
                [
                    f"Phiên bản định nghĩa: {result.spec.version}. {result.spec.scoring}",
                    f"Tổng điểm {result.points}/{result.max_points_with_data} điểm của "
                    f"{result.with_data}/{len(result.indicators)} chỉ số có dữ liệu (thang đầy "
                    f"đủ {result.max_points} điểm; chỉ số chưa có dữ liệu không tính là 0).",
                ],
                Table(
                    ["Mã", "Chỉ số", "Tử số", "Mẫu số", "Tỷ lệ", "Ngưỡng", "Điểm", "Tối đa"],
                    rows,
                    [0.7, 4.5, 1, 1, 1.4, 1, 0.9, 0.9],
                ),
            ),
            Section(
                "II. Mục tiêu và thực tế",
                [],
                Table(["Mục tiêu", "Chỉ tiêu", "Thực tế", "Số liệu"], goal_rows, [5, 1, 1.5, 1.5]),
            ),
        ],
        sheet_name="Chỉ số QĐ 766",
    )


# --- Rendering ---------------------------------------------------------------------------------


def _cell_value(value: Cell) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_xlsx(document: Document) -> bytes:
    """Every string goes in as text, never as a formula (:mod:`congso.core.spreadsheet`)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = document.sheet_name[:31]
    bold = Font(bold=True)
    append_row(sheet, [document.title])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [document.subtitle])
    sheet.append([])
    widest: dict[int, int] = {}
    for section in document.sections:
        append_row(sheet, [section.heading])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        for line in section.lines:
            append_row(sheet, [line])
        if section.table is not None:
            append_row(sheet, section.table.header)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            for row in section.table.rows:
                append_row(sheet, [_cell_value(v) for v in row])
            for position, title in enumerate(section.table.header, start=1):
                widest[position] = max(widest.get(position, 10), min(len(title) + 2, 60))
        sheet.append([])
    for position, width in widest.items():
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.column_dimensions["A"].width = max(widest.get(1, 10), 40)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Cell) -> str:
    return "" if value is None else str(value)


def to_pdf(document: Document) -> bytes:
    pagesize = landscape(A4)
    width = pagesize[0] - 30 * mm
    styles = Styles(body_size=10)
    cells = Styles(body_size=9)
    story: list[Flowable] = [
        letterhead_block(document.letterhead, styles, width=width),
        para(esc(document.title), styles.title),
        para(esc(document.subtitle), styles.subtitle_italic),
        Spacer(1, 3 * mm),
    ]
    for section in document.sections:
        story.append(para(f"<b>{esc(section.heading)}</b>", styles.body_left))
        for line in section.lines:
            story.append(para(esc(line), styles.letter))
        if section.table is not None:
            table = section.table
            relative = table.widths or [1.0] * len(table.header)
            unit = width / sum(relative)
            rows = [[para(esc(h), cells.cell_head) for h in table.header]] + [
                [para(esc(_text(v)), cells.cell) for v in row] for row in table.rows
            ]
            story.append(Spacer(1, 1.5 * mm))
            story.append(grid_table(rows, [w * unit for w in relative]))
        story.append(Spacer(1, 3 * mm))
    return build_pdf(
        story,
        pagesize=pagesize,
        title=document.title,
        subject=document.subtitle,
        margins=(12 * mm, 15 * mm, 12 * mm, 15 * mm),
    )


# --- The tracking book (form 06) ---------------------------------------------------------------


def tracking_book_xlsx(context: print_ctx.TrackingBookContext) -> bytes:
    document = Document(
        title="SỔ THEO DÕI HỒ SƠ (Mẫu số 06)",
        subtitle=f"{context.desk_name} — {_period(context.date_from, context.date_to)}",
        letterhead=context.letterhead,
        sections=[
            Section(
                "Danh sách hồ sơ",
                [],
                Table(
                    [
                        "STT",
                        "Mã hồ sơ",
                        "Tên thủ tục hành chính",
                        "Tên cá nhân, tổ chức",
                        "Địa chỉ, số điện thoại",
                        "Cơ quan chủ trì giải quyết",
                        "Nhận hồ sơ",
                        "Hẹn trả kết quả",
                        "Chuyển hồ sơ đến cơ quan giải quyết",
                        "Có kết quả giải quyết",
                        "Trả kết quả",
                        "Kết quả",
                    ],
                    [
                        [
                            row.sequence,
                            row.code,
                            row.procedure,
                            row.applicant,
                            row.address_phone,
                            row.competent_agency,
                            short_datetime(row.received_at),
                            short_datetime(row.appointment_at),
                            short_datetime(row.transferred_at),
                            short_datetime(row.processed_at),
                            short_datetime(row.returned_at),
                            row.outcome,
                        ]
                        for row in context.rows
                    ],
                ),
            )
        ],
        sheet_name="Sổ theo dõi hồ sơ",
    )
    return to_xlsx(document)


def tracking_book(
    desk: Desk, start: date, end: date, *, queryset: Any, fmt: str, progress: Progress
) -> bytes:
    if fmt == "pdf":
        progress(30)
        return render_tracking_book(desk, start, end, queryset=queryset)
    context = print_ctx.tracking_book_context(desk, start, end, queryset=queryset)
    progress(60)
    return tracking_book_xlsx(context)
