"""The six layouts rendered from plain values (no database): Vietnamese text that extracts with
its diacritics, page sizes, embedded fonts, the QR code, wrapping and flowing onto more pages."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno

from congso.printing import context as ctx
from congso.printing import fonts, forms
from congso.printing.formsets import form_sets
from congso.printing.layout import Letterhead, date_line, date_phrase, time_phrase
from congso.printing.qr import dossier_code_from_scan, qr_payload, qr_png
from tests.printing.pdfcheck import (
    A4_LANDSCAPE_SIZE,
    A5_SIZE,
    fonts_of,
    image_count,
    page_sizes,
    page_texts,
    text_of,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RECEIVED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
APPOINTMENT = datetime.datetime(2026, 3, 4, 17, 0, tzinfo=VN)
CODE = "000.00.51.H51-260302-0001"
NAME = "Nguyễn Thị Hồng Nhung"
PROCEDURE = "Thủ tục đăng ký khai sinh"

LETTERHEAD = Letterhead(
    parent_name="Ủy ban nhân dân tỉnh Quảng Ngãi",
    name="Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi",
    place="Quảng Ngãi",
    issued_on=RECEIVED.date(),
)
APPLICANT = ctx.Applicant(
    name=NAME,
    id_number="051190001234",
    address="Số 12 đường Lê Lợi, phường Cẩm Thành, tỉnh Quảng Ngãi",
    phone="0912345678",
    email="nhung@example.vn",
)
SUBJECT = ctx.Subject(CODE, "1.001193", PROCEDURE, APPLICANT)


def receipt(components: list[ctx.ReceivedComponent] | None = None) -> ctx.ReceiptContext:
    return ctx.ReceiptContext(
        letterhead=LETTERHEAD,
        subject=SUBJECT,
        desk_name="Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi",
        components=components
        if components is not None
        else [
            ctx.ReceivedComponent("Tờ khai đăng ký khai sinh", "Bản chính", 1, "Bản giấy"),
            ctx.ReceivedComponent("Giấy chứng sinh", "Bản chính", 1, "Tệp điện tử"),
        ],
        time_limit="3 ngày làm việc",
        received_at=RECEIVED,
        appointment_at=APPOINTMENT,
        return_place="Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi",
        officer="Trần Văn Bình",
        book_volume="2026",
        book_sequence=37,
        lookup_url="https://dichvucong.example.vn/tra-cuu?ma=" + CODE,
    )


def book_row(sequence: int, **extra: object) -> ctx.BookRow:
    values: dict[str, object] = {
        "sequence": sequence,
        "code": f"000.00.51.H51-260302-{sequence:04d}",
        "procedure": PROCEDURE,
        "applicant": f"Lê Văn Đức {sequence}",
        "address_phone": "Thôn Phú Long, xã Bình Sơn; 0912345678",
        "competent_agency": "Ủy ban nhân dân xã Bình Sơn",
        "received_at": RECEIVED,
        "appointment_at": APPOINTMENT,
        "transferred_at": RECEIVED,
        "processed_at": None,
        "returned_at": None,
        "outcome": "Đang xử lý",
        "note": "",
    }
    values.update(extra)
    return ctx.BookRow(**values)  # type: ignore[arg-type]


# --- Dates and the QR payload -------------------------------------------------------------------


def test_date_phrases_follow_nd30_leading_zeros():
    assert date_phrase(datetime.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert date_phrase(datetime.date(2026, 2, 15)) == "ngày 15 tháng 02 năm 2026"
    assert date_phrase(datetime.date(2026, 3, 2)) == "ngày 02 tháng 3 năm 2026"
    assert date_phrase(datetime.date(2026, 12, 31)) == "ngày 31 tháng 12 năm 2026"
    assert date_line("Quảng Ngãi", datetime.date(2026, 3, 2)) == (
        "Quảng Ngãi, ngày 02 tháng 3 năm 2026"
    )
    assert time_phrase(RECEIVED) == "09 giờ 00 phút, ngày 02 tháng 3 năm 2026"
    assert time_phrase(None) == ""


def test_qr_payload_is_code_procedure_and_applicant_id():
    payload = qr_payload(dossier_code=CODE, procedure_code="1.001193", applicant_id="051190001234")
    assert payload == "000.00.51.H51-260302-0001|1.001193|051190001234"
    assert SUBJECT.qr_payload == payload
    assert dossier_code_from_scan(payload) == CODE
    assert dossier_code_from_scan(f"  {CODE} ") == CODE
    with pytest.raises(ValueError):
        qr_payload(dossier_code="A|B", procedure_code="1", applicant_id="2")


def test_qr_png_encodes_the_payload():
    payload = SUBJECT.qr_payload
    png = qr_png(payload)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # The same symbol segno makes for the payload (level M), as an image.
    symbol = segno.make_qr(payload, error="m")
    expected = io.BytesIO()
    symbol.save(expected, kind="png", scale=8, border=2)
    assert png == expected.getvalue()
    assert symbol.error == "M"


# --- Fonts ----------------------------------------------------------------------------------------


def test_bundled_fonts_are_complete_and_licensed():
    assert fonts.font_dir((Path("/nonexistent"), fonts.BUNDLED_DIR)) == fonts.BUNDLED_DIR
    for name in fonts.FACES.values():
        assert (fonts.BUNDLED_DIR / name).stat().st_size > 100_000
    licence = (fonts.BUNDLED_DIR / "LICENSE").read_text()
    assert "Bitstream Vera" in licence and "Arev" in licence
    with pytest.raises(FileNotFoundError):
        fonts.font_dir((Path("/nonexistent"),))


# --- The forms ------------------------------------------------------------------------------------


def check_common(data: bytes, *, size: tuple[int, int] = A5_SIZE) -> str:
    assert page_sizes(data) == {size}
    used = fonts_of(data)
    assert used, "no font at all"
    assert all(used.values()), f"fonts not embedded: {used}"
    assert all("DejaVuSerifCondensed" in name for name in used)
    text = text_of(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    return text


def test_form_01_receipt():
    data = forms.layout_receipt(receipt())
    text = check_common(data)
    pages = page_texts(data)
    assert len(pages) == 2  # two copies, each on its own page
    assert "(Liên 1: Lưu)" in pages[0] and "(Liên 2: Giao khách hàng)" in pages[1]
    assert image_count(data) == 1  # the QR code, top-left (one image, drawn on both copies)
    # Nothing the form does not have: no procedure code, no look-up line.
    assert "mã thủ tục" not in text and "Tra cứu" not in text
    for expected in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {CODE}",
        "Quảng Ngãi, ngày 02 tháng 3 năm 2026",
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
        f"Tiếp nhận hồ sơ của: {NAME}",
        f"Nội dung yêu cầu giải quyết: {PROCEDURE}",
        "1. Thành phần hồ sơ nộp gồm:",
        "Tờ khai đăng ký khai sinh",
        "Bản chính",
        "2. Số lượng hồ sơ: 01 (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định là: 3 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 02 tháng 3 năm 2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 04 tháng 3 năm 2026",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 37",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        "Trần Văn Bình",
        "được lập thành 02 liên",
    ):
        assert expected in text, expected


def test_form_01_with_many_components_flows_onto_a_second_page():
    long_name = (
        "Văn bản ủy quyền theo quy định của pháp luật trong trường hợp người đi đăng ký không "
        "phải là cha, mẹ, ông, bà hoặc người thân thích khác của trẻ "
    )
    components = [
        ctx.ReceivedComponent(f"{index}. {long_name}", "Bản sao có chứng thực", 2, "Bản giấy")
        for index in range(1, 16)
    ]
    data = forms.layout_receipt(receipt(components))
    pages = page_texts(data)
    assert len(pages) >= 2
    assert "Trang 1/" in pages[0] and f"Trang {len(pages)}/{len(pages)}" in pages[-1]
    text = " ".join(pages)
    for index in range(1, 16):
        assert f"{index}. Văn bản ủy quyền" in text
    assert "Tên giấy tờ" in pages[1]  # the table's header row repeats on the next page
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in " ".join(pages[1:])


def test_form_02_supplement_request():
    data = forms.layout_supplement(
        ctx.SupplementContext(
            letterhead=LETTERHEAD,
            subject=SUBJECT,
            items=[
                "Văn bản ủy quyền: người đi đăng ký không phải cha, mẹ của trẻ",
                "Ngày sinh của trẻ: ghi theo Giấy chứng sinh",
            ],
            reason="Hồ sơ còn thiếu giấy tờ theo quy định.",
            officer="Trần Văn Bình",
            contact_phone="0255 3822 123",
        )
    )
    text = check_common(data)
    for expected in (
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        f"Hồ sơ của: {NAME}",
        "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
        "1. Văn bản ủy quyền: người đi đăng ký không phải cha, mẹ của trẻ",
        "2. Ngày sinh của trẻ: ghi theo Giấy chứng sinh",
        "Lý do: Hồ sơ còn thiếu giấy tờ theo quy định.",
        "Ông/Bà liên hệ với Trần Văn Bình, số điện thoại 0255 3822 123 để được hướng dẫn./.",
        "NGƯỜI HƯỚNG DẪN",
    ):
        assert expected in text, expected


def test_form_03_refusal_wraps_long_reasons():
    reason = "Thành phần hồ sơ không đúng quy định của thủ tục " * 12
    data = forms.layout_refusal(
        ctx.RefusalContext(
            letterhead=LETTERHEAD,
            subject=SUBJECT,
            issuer="Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi",
            reasons=[reason.strip(), "Không thuộc thẩm quyền giải quyết."],
            officer="Trần Văn Bình",
        )
    )
    text = check_common(data)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert (
        "Qua xem xét, Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi thông báo không tiếp "
        "nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"
    ) in text
    assert f"- {reason.strip()}" in text  # wrapped over many lines, every word kept
    assert "Xin thông báo cho Ông/Bà được biết và thực hiện./." in text


def test_form_04_apology_addresses_an_organisation():
    organisation = ctx.Subject(
        CODE,
        "1.001193",
        PROCEDURE,
        ctx.Applicant(name="Công ty TNHH Hải Đăng", id_number="4300123456", organisation=True),
    )
    data = forms.layout_apology(
        ctx.ApologyContext(
            letterhead=Letterhead(
                "Ủy ban nhân dân tỉnh Quảng Ngãi", "Sở Tư pháp", "Quảng Ngãi", RECEIVED.date()
            ),
            subject=organisation,
            agency="Sở Tư pháp",
            received_at=RECEIVED,
            old_appointment=APPOINTMENT,
            new_appointment=datetime.datetime(2026, 3, 6, 17, 0, tzinfo=VN),
            reason="Cần xác minh thông tin tại địa phương khác.",
            desk_name="Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi",
        )
    )
    text = check_common(data)
    for expected in (
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Số: ……/……",
        "Kính gửi: Công ty TNHH Hải Đăng",
        "Ngày 02 tháng 3 năm 2026, Sở Tư pháp tiếp nhận giải quyết hồ sơ đề nghị",
        "của Tổ chức Công ty TNHH Hải Đăng",
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 04 tháng 3 năm 2026",
        "lý do: Cần xác minh thông tin tại địa phương khác.",
        "vào 17 giờ 00 phút, ngày 06 tháng 3 năm 2026",
        "Xin trân trọng cảm ơn sự hợp tác của Tổ chức./.",
        "THỦ TRƯỞNG CƠ QUAN",
        "Nơi nhận:",
        "- Lưu: VT.",
    ):
        assert expected in text, expected


def test_form_05_control_slip():
    handovers = [
        ctx.HandOver(
            giver="Trung tâm Phục vụ hành chính công – Trần Văn Bình",
            receiver="Sở Tư pháp – Phòng Hành chính tư pháp – Lê Thị Cúc",
            at=RECEIVED + datetime.timedelta(hours=1),
            note="Tiếp nhận hồ sơ.",
        ),
        ctx.HandOver(
            giver="Sở Tư pháp – Phòng Hành chính tư pháp – Lê Thị Cúc",
            receiver="Sở Tư pháp – Giám đốc",
            at=RECEIVED + datetime.timedelta(days=1),
            result="Trước hạn",
            note="Thẩm định hồ sơ. Hồ sơ hợp lệ.",
        ),
    ]
    data = forms.layout_control_slip(
        ctx.ControlSlipContext(
            letterhead=LETTERHEAD,
            subject=SUBJECT,
            competent_agency="Sở Tư pháp",
            cooperating=["Công an tỉnh Quảng Ngãi"],
            handovers=handovers,
            appointment_at=APPOINTMENT,
        ),
        form_sets()[0],
    )
    text = check_common(data)
    for expected in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Kèm theo hồ sơ của: {NAME}",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp",
        "Cơ quan phối hợp giải quyết hồ sơ: Công an tỉnh Quảng Ngãi",
        "TÊN CƠ QUAN",
        "THỜI GIAN GIAO, NHẬN HỒ SƠ",
        "1. Giao: Trung tâm Phục vụ hành chính công – Trần Văn Bình",
        "2. Nhận: Sở Tư pháp – Phòng Hành chính tư pháp – Lê Thị Cúc",
        "10 giờ 00 phút, ngày 02 tháng 3 năm 2026",
        "09 giờ 00 phút, ngày 03 tháng 3 năm 2026",
        "Người giao",
        "Người nhận",
        "Trước hạn",
        "Hồ sơ hợp lệ.",
    ):
        assert expected in text, expected
    assert text.count("Người giao") == 2 and text.count("1. Giao:") == 2


def test_form_06_tracking_book_spans_pages_with_the_header_repeated():
    rows = [book_row(number) for number in range(1, 121)]
    rows[5] = book_row(6, note="Lý do: " + "hồ sơ không hợp lệ, " * 15)
    data = forms.layout_tracking_book(
        ctx.TrackingBookContext(
            letterhead=LETTERHEAD,
            desk_name="Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi",
            date_from=datetime.date(2026, 3, 1),
            date_to=datetime.date(2026, 3, 31),
            rows=rows,
        )
    )
    text = check_common(data, size=A4_LANDSCAPE_SIZE)
    assert image_count(data) == 0  # a book of many dossiers carries no dossier QR code
    pages = page_texts(data)
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        for header in ("STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Nhận hồ sơ", "Ghi chú"):
            assert header in page, (number, header)
        assert f"Trang {number}/{len(pages)}" in page
    assert "SỔ THEO DÕI HỒ SƠ" in pages[0] and "SỔ THEO DÕI HỒ SƠ" not in pages[1]
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in pages[0]
    for number in range(1, 121):
        assert f"000.00.51.H51-260302-{number:04d}" in text
    assert "Tổng số hồ sơ: 120" in pages[-1]
    assert "Lê Văn Đức 120" in pages[-1]


def test_form_06_empty_period():
    data = forms.layout_tracking_book(
        ctx.TrackingBookContext(
            letterhead=LETTERHEAD,
            desk_name="Một cửa xã Bình Sơn",
            date_from=datetime.date(2026, 3, 1),
            date_to=datetime.date(2026, 3, 1),
        )
    )
    text = check_common(data, size=A4_LANDSCAPE_SIZE)
    assert "Không có hồ sơ nào được tiếp nhận trong thời gian này." in text
    assert "Tổng số hồ sơ: 0" in text
