"""Reading override files: every problem reported at once, nothing accepted half-way."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from congso.calendar.defaults import SHIPPED_OVERRIDES
from congso.calendar.importing import CalendarDataError, load, parse

ROW = {
    "date": "2027-02-04",
    "kind": "day_off",
    "name": "Tết Nguyên đán Đinh Mùi",
    "legal_source": "Thông báo của Bộ Nội vụ",
}


def test_the_shipped_file_is_valid_and_cites_a_source_for_every_row() -> None:
    rows = load(SHIPPED_OVERRIDES)
    assert len(rows) == 31
    assert all(row.legal_source and row.name for row in rows)
    assert {row.date.year for row in rows} == {2024, 2025, 2026}
    assert all(row.province_code == "" for row in rows)
    saturdays = [row.date for row in rows if row.kind == "working_day"]
    assert saturdays == [
        date(2024, 5, 4),
        date(2025, 4, 26),
        date(2026, 1, 10),
        date(2026, 8, 22),
    ]
    assert all(day.weekday() == 5 for day in saturdays)


def test_json_list_or_object() -> None:
    as_list = parse(json.dumps([ROW]), fmt="json")
    as_object = parse(json.dumps({"overrides": [ROW | {"note": "ghi chú"}]}), fmt="json")
    assert as_list == as_object
    assert as_list[0].date == date(2027, 2, 4)
    assert as_list[0].province_code == ""


def test_every_error_is_reported_at_once() -> None:
    entries = [
        ROW | {"date": "04/02/2027"},
        ROW | {"date": "2027-02-30"},
        ROW | {"kind": "holiday"},
        ROW | {"name": "", "legal_source": " "},
        ROW | {"province_code": "5"},
        ROW | {"colour": "red"},
        "not an object",
        ROW,
        ROW,
    ]
    with pytest.raises(CalendarDataError) as err:
        parse(json.dumps(entries), fmt="json")
    errors = err.value.errors
    assert len(errors) == 8
    assert errors[0].startswith("Mục 1: ngày «04/02/2027» phải có dạng YYYY-MM-DD")
    assert "không tồn tại" in errors[1]
    assert "day_off hoặc working_day" in errors[2]
    assert "thiếu tên" in errors[3] and "thiếu căn cứ pháp lý" in errors[3]
    assert "mã tỉnh" in errors[4]
    assert "colour" in errors[5]
    assert "Mục 7" in errors[6]
    assert errors[7].startswith("Mục 9") and "đã có ở Mục 8" in errors[7]
    assert err.value.code == "calendar_file_invalid"
    assert "8 lỗi" in err.value.message


def test_same_day_in_two_scopes_is_fine() -> None:
    rows = parse(json.dumps([ROW, ROW | {"province_code": "51"}]), fmt="json")
    assert [row.province_code for row in rows] == ["", "51"]


def test_csv_with_bom_semicolons_and_blank_lines() -> None:
    text = (
        "\ufeffdate;kind;name;legal_source;province_code\n"
        "2027-02-04;day_off;Tết;Thông báo;\n"
        "\n"
        "2027-02-20;working_day;Làm bù;Thông báo;51\n"
    )
    rows = parse(text, fmt="csv")
    assert [(r.date, r.kind, r.province_code) for r in rows] == [
        (date(2027, 2, 4), "day_off", ""),
        (date(2027, 2, 20), "working_day", "51"),
    ]


def test_csv_errors_name_the_line() -> None:
    text = "date,kind,name,legal_source\n2027-02-04,day_off,Tết,TB\n2027-02-31,day_off,X,TB\n"
    with pytest.raises(CalendarDataError) as err:
        parse(text, fmt="csv")
    assert err.value.errors == ["Dòng 3: ngày «2027-02-31» không tồn tại."]


@pytest.mark.parametrize(
    ("text", "fmt", "fragment"),
    [
        ("date,kind,name\n", "csv", "thiếu cột: legal_source"),
        ("date,kind,name,legal_source,extra\n", "csv", "Cột không được hỗ trợ: extra"),
        ("{not json", "json", "JSON không hợp lệ"),
        ('{"format": "other/2", "overrides": []}', "json", "không được hỗ trợ"),
        ('{"rows": []}', "json", '"overrides"'),
        ("", "xml", "xml"),
    ],
)
def test_unreadable_files(text: str, fmt: str, fragment: str) -> None:
    with pytest.raises(CalendarDataError) as err:
        parse(text, fmt=fmt)
    assert fragment in err.value.errors[0]


def test_format_from_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "lich.txt"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(CalendarDataError) as err:
        load(path)
    assert ".json hoặc .csv" in err.value.errors[0]
    latin = tmp_path / "lich.csv"
    latin.write_bytes(
        "date,kind,name,legal_source\n2027-01-01,day_off,T\xeat,TB\n".encode("cp1258")
    )
    with pytest.raises(CalendarDataError) as err:
        load(latin)
    assert "UTF-8" in err.value.errors[0]
