"""Reading and interpreting the exports: records of both exports merged, time limits, fees,
components per case, applicant types, levels, legal bases — and flags, never guesses."""

from __future__ import annotations

from decimal import Decimal

from congso.catalog.national.parse import (
    FLAGGED,
    LOCAL,
    MISSING,
    NATIONAL,
    PARSED,
    parse_fees,
    parse_record,
    parse_time_limit,
)
from congso.catalog.national.records import (
    ChannelEntry,
    crawl_channels,
    crawl_components,
    read_sources,
)
from tests.catalog.national.conftest import CRAWL, DETAIL, LISTS


def sample():
    return read_sources(detail=[DETAIL], crawl=[CRAWL], lists=[LISTS])


def test_both_exports_and_the_lists_merge_into_one_record_per_code() -> None:
    sources = sample()
    assert (sources.detail_count, sources.crawl_count, sources.crawl_only) == (36, 10, 6)
    assert len(sources.records) == 42
    assert sources.listed_only == ["1.014966"]
    residence = sources.records["1.004222"]
    assert residence.origin == "detail" and residence.also_in == ("crawl",)
    assert residence.detail_url.startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    assert residence.issuer == "Bộ Công an"
    crawled = sources.records["1.001666"]
    assert crawled.origin == "crawl" and crawled.channels and crawled.components
    # Re-reading gives the same fingerprints (an unchanged export is recognised).
    again = sample()
    assert {c: r.digest() for c, r in again.records.items()} == {
        c: r.digest() for c, r in sources.records.items()
    }


def test_the_crawls_flattened_tables_are_cut_into_entries() -> None:
    entries = crawl_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc10,000 Việt Nam Đồng"
        "(Nộp trực tuyến thu 10.000 đồng/lần.)Trực tiếp1Miễn phíDịch vụ bưu chính3 Giờ"
        "Không có thông tin"
    )
    assert [(e.channel, e.limit, e.fee) for e in entries] == [
        ("ONLINE", "7 WORKING_DAY", "10000 VNĐ (Nộp trực tuyến thu 10.000 đồng/lần.)"),
        ("DIRECT", "1 OTHER", "0 VNĐ (Miễn phí)"),
        ("POSTAL", "3 HOUR", "Không có thông tin"),
    ]
    components = crawl_components(
        "Trường hợp AtTên giấy tờMẫu đơn, tờ khaiSố lượngĐơn đề nghị theo mẫuĐơn.docx1 bản chính"
        "Bản sao giấy phép0 bản chính,1 bản saoTrường hợp BTên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Tờ khai1 bản chính"
    )
    assert [(c.case, c.name, c.quantity, c.template) for c in components] == [
        ("Trường hợp At", "Đơn đề nghị theo mẫu", "Bản chính: 1, Bản sao: 0", "Đơn.docx"),
        ("Trường hợp At", "Bản sao giấy phép", "Bản chính: 0, Bản sao: 1", ""),
        ("Trường hợp B", "Tờ khai", "Bản chính: 1, Bản sao: 0", ""),
    ]


def limit(*raw: str):
    return parse_time_limit(
        "1.0",
        [ChannelEntry(c, r, "") for c, r in zip(("ONLINE", "DIRECT", "POSTAL"), raw, strict=False)],
    )


def test_time_limits_are_read_or_flagged_never_guessed() -> None:
    one, flags = limit("7 WORKING_DAY", "7 WORKING_DAY")
    assert (one.value, one.unit, flags) == (Decimal("7.00"), "working_days", [])
    days, _ = limit("15 ngày")
    assert (days.value, days.unit) == (Decimal("15.00"), "days")
    hours, _ = limit("4 HOUR")
    assert hours.unit == "working_hours"
    per_channel, flags = limit("5 WORKING_DAY", "7 WORKING_DAY")
    assert per_channel.value is None and not flags
    assert [(c["channel"], c["value"], c["unit_raw"]) for c in per_channel.cases] == [
        ("online", 5, "WORKING_DAY"),
        ("direct", 7, "WORKING_DAY"),
    ]
    for raw, code in (
        ("1 OTHER", "limit_other"),
        ("OTHER", "limit_text"),
        ("6 MONTH", "limit_unit"),
        ("0 WORKING_DAY", "limit_zero"),
        ("Không quá 05 ngày làm việc kể từ ngày nhận đủ hồ sơ", "limit_text"),
    ):
        result, flags = limit(raw)
        assert result.value is None and not result.cases, raw
        assert [flag.code for flag in flags] == [code], raw
        assert raw in result.text
    # Mixed: one channel cannot be read, so none is taken.
    mixed, flags = limit("5 WORKING_DAY", "1 OTHER")
    assert mixed.value is None and not mixed.cases and flags
    free, flags = limit("Không quá 05 ngày làm việc kể từ ngày nhận đủ hồ sơ")
    assert flags[0].suggestion == "5 ngày làm việc"


def fees(*raw: str):
    return parse_fees(
        [
            ChannelEntry(c, "1 WORKING_DAY", r)
            for c, r in zip(("ONLINE", "DIRECT", "POSTAL"), raw, strict=False)
        ]
    )


def test_fees_become_integer_vnd_lines_with_their_notes() -> None:
    lines, flags, status = fees("8000 VNĐ (Mỗi bản sao)", "8000 VNĐ (Mỗi bản sao)")
    assert status == PARSED and not flags
    assert [(f.name, f.amount_vnd, f.condition) for f in lines] == [
        ("Phí, lệ phí", 8000, "Mỗi bản sao")
    ]
    free, _, status = fees("0 VNĐ ()", "0 VNĐ (Không)")
    assert status == PARSED and {f.amount_vnd for f in free} == {0}
    hidden, flags, status = fees("0 VNĐ (Phí thẩm định: 150.000 đồng/hồ sơ)")
    assert status == FLAGGED and hidden[0].amount_vnd is None
    assert flags[0].code == "fee_in_text" and "150.000" in hidden[0].condition
    several, _, _ = fees(
        "1000000 VNĐ (Lệ phí) | 50000000 VNĐ (Phí thẩm định Thông tư số 52/2025/TT-BTC)"
    )
    assert [f.amount_vnd for f in several] == [1_000_000, 50_000_000]
    assert several[1].legal_basis == "Thông tư 52/2025/TT-BTC"
    text, flags, status = fees("Hội đồng nhân dân cấp tỉnh quy định.")
    assert status == FLAGGED and text[0].amount_vnd is None and flags[0].code == "fee_text"
    assert fees("Không có thông tin")[2] == MISSING


def test_real_records() -> None:
    records = sample().records
    birth = parse_record(records["1.001193"])
    assert birth.time_limit.value is None
    assert birth.status["time_limit"] == FLAGGED
    assert [f.code for f in birth.flags] == ["limit_other"]
    assert birth.levels == ("commune",) and birth.applicant_types == ("citizen",)
    # "Lưu ý" rows and quantities 0/0 are notes, not documents; shown documents are marked.
    names = [c.name for c in birth.components]
    assert any(name.startswith("Giấy chứng sinh") for name in names)
    assert not any(c.name.startswith("Cá nhân có quyền lựa chọn") for c in birth.components)
    shown = [case for case in birth.cases if case.presented]
    assert shown and all(
        next(c for c in birth.components if c.code == code).condition == "Xuất trình, không nộp"
        for code in shown[0].components
    )

    residence = parse_record(records["1.004222"])
    assert (residence.time_limit.value, residence.time_limit.unit) == (
        Decimal("7.00"),
        "working_days",
    )
    assert [(f.name, f.amount_vnd) for f in residence.fees] == [
        ("Phí, lệ phí (nộp trực tuyến)", 10000),
        ("Phí, lệ phí (nộp trực tiếp)", 20000),
    ]
    alternatives = [case for case in residence.cases if case.alternative]
    assert len(alternatives) >= 4
    assert residence.ministry == "BCA" and residence.origin == NATIONAL

    stages = parse_record(records["1.000028"])
    assert stages.time_limit.value is None and len(stages.time_limit.cases) == 6
    assert stages.status["time_limit"] == PARSED

    land = parse_record(records["1.115774"])
    assert land.status["fees"] == FLAGGED and all(f.amount_vnd is None for f in land.fees)

    local = parse_record(records["1.005687"])
    assert local.origin == LOCAL

    customs = parse_record(records["1.000005"])
    refs = customs.legal_references
    assert refs[0]["number"] == "54/2014/QH13" and refs[0]["kind"] == "Luật"
    assert refs[0]["year"] == 2014 and refs[0]["issuer"] == "QH13"
    assert customs.legal_bases[0] == "Luật 54/2014/QH13"

    unknown = parse_record(records["1.000612"])
    assert unknown.levels == () and unknown.status["level"] == FLAGGED
