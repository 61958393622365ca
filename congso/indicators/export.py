"""The "compare with the national portal" workbook: one row per indicator with congso's
numerator, denominator, rate and points beside the portal's metric code and report, and empty
columns for the portal's own figures, so a province can reconcile the two line by line.

Every cell is written through :mod:`congso.core.spreadsheet` (text cells, never formulas):
agency names and the definitions' texts are data, and nothing in the file computes.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from congso.core.spreadsheet import append_row
from congso.indicators.index import IndexResult

HEADERS = (
    "STT",
    "Mã chỉ số (Công Sở)",
    "Mã chỉ số trên Cổng DVCQG",
    "Báo cáo trên Cổng DVCQG",
    "Nhóm",
    "Chỉ số",
    "Tử số",
    "Mẫu số",
    "Tỷ lệ (%)",
    "Ngưỡng",
    "Điểm",
    "Điểm tối đa",
    "Trạng thái",
    "Tử số gồm",
    "Mẫu số gồm",
    "Tử số trên Cổng",
    "Mẫu số trên Cổng",
    "Điểm trên Cổng",
    "Ghi chú đối chiếu",
)
#: Columns the province fills in from the portal (left empty).
PORTAL_COLUMNS = 4
WIDTHS = (5, 10, 30, 26, 22, 48, 9, 9, 10, 11, 9, 9, 22, 48, 48, 12, 12, 12, 30)


def _number(value: Any) -> Any:
    return float(value) if value is not None else None


def compare_rows(result: IndexResult) -> list[list[Any]]:
    """The indicator rows of the workbook (also what the tests read)."""
    rows = []
    for number, r in enumerate(result.indicators, start=1):
        group = next(g.group for g in result.groups if r in g.indicators)
        d = r.definition
        rows.append(
            [
                number,
                d.code,
                d.portal_code or "",
                f"/api/v1/reporting/evaluation/{d.portal_report}" if d.portal_report else "",
                group.name_vi,
                d.name_vi,
                r.numerator,
                r.denominator,
                _number(r.rate_percent),
                r.threshold_text,
                _number(r.points) if r.has_data else None,
                _number(d.max_points),
                r.empty_label or r.status_label,
                d.numerator_vi,
                d.denominator_vi,
                *[None] * PORTAL_COLUMNS,
            ]
        )
    return rows


def compare_workbook(result: IndexResult, *, unit_label: str, period_label: str) -> bytes:
    """The workbook as bytes (XLSX)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Doi chieu QD 766"
    append_row(sheet, ["ĐỐI CHIẾU BỘ CHỈ SỐ QĐ 766/QĐ-TTg VỚI CỔNG DỊCH VỤ CÔNG QUỐC GIA"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    append_row(sheet, [f"Đơn vị: {unit_label}. Kỳ: {period_label}."])
    append_row(
        sheet,
        [
            f"Phiên bản định nghĩa: {result.spec.version} (áp dụng từ "
            f"{result.spec.effective_from:%d/%m/%Y}). {result.spec.scoring}"
        ],
    )
    append_row(
        sheet,
        [
            "Cột «trên Cổng» để trống: điền số liệu của Cổng DVCQG "
            "(dichvucong.gov.vn › Đánh giá chất lượng phục vụ) để đối chiếu từng dòng."
        ],
    )
    append_row(sheet, [])
    append_row(sheet, list(HEADERS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in compare_rows(result):
        append_row(sheet, row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    append_row(
        sheet,
        ["", "", "", "", "", "TỔNG ĐIỂM (các chỉ số có dữ liệu)", None, None, None, None,
         _number(result.points), _number(result.max_points_with_data)],
    )  # fmt: skip
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[
            sheet.cell(row=header_row, column=index).column_letter
        ].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
