"""Both form sets as data, chosen by the reception date, and every form of both sets rendered
to PDF and to page images (``var/screens/forms/``, ``pdftoppm -png -r 80``) whose text has no
placeholder, ``None``, English code or editor's note."""

from __future__ import annotations

import copy
import datetime
import json
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from congso.printing import context as ctx
from congso.printing import forms, formsets
from congso.printing.layout import Letterhead
from tests.printing.pdfcheck import A4_LANDSCAPE_SIZE, A5_SIZE, fonts_of, page_sizes, text_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RECEIVED = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
APPOINTMENT = datetime.datetime(2026, 3, 5, 9, 0, tzinfo=VN)
CODE = "000.00.51.H51-260302-0001"
NAME = "Nguyễn Thị Hồng Nhung"
PROCEDURE = "Thủ tục đăng ký khai sinh"
SCREENS = Path(settings.BASE_DIR) / "var" / "screens" / "forms"

DESK_HEAD = Letterhead(
    "Ủy ban nhân dân xã Bình Sơn", "Bộ phận Một cửa", "Bình Sơn", RECEIVED.date()
)
AGENCY_HEAD = Letterhead(
    "Ủy ban nhân dân tỉnh Quảng Ngãi", "Ủy ban nhân dân xã Bình Sơn", "Bình Sơn", RECEIVED.date()
)
APPLICANT = ctx.Applicant(
    name=NAME,
    id_number="051190001234",
    address="Thôn Phú Long, xã Bình Sơn, tỉnh Quảng Ngãi",
    phone="0912345678",
    email="nhung@example.vn",
)
SUBJECT = ctx.Subject(CODE, "1.001193", PROCEDURE, APPLICANT)


def contexts() -> dict[str, object]:
    """One realistic context per kind of form."""
    apology = ctx.ApologyContext(
        letterhead=AGENCY_HEAD,
        subject=SUBJECT,
        agency="Ủy ban nhân dân xã Bình Sơn",
        received_at=RECEIVED,
        old_appointment=APPOINTMENT,
        new_appointment=APPOINTMENT + datetime.timedelta(days=4),
        reason="Cần xác minh nơi cư trú của người mẹ tại địa phương khác.",
        desk_name="Bộ phận Một cửa xã Bình Sơn",
    )
    return {
        "receipt": ctx.ReceiptContext(
            letterhead=DESK_HEAD,
            subject=SUBJECT,
            desk_name="Bộ phận Một cửa xã Bình Sơn",
            components=[
                ctx.ReceivedComponent("Tờ khai đăng ký khai sinh", "Bản chính", 1, "Bản giấy"),
                ctx.ReceivedComponent("Giấy chứng sinh", "Bản chính", 1, "Tệp điện tử"),
            ],
            time_limit="3 ngày làm việc",
            received_at=RECEIVED,
            appointment_at=APPOINTMENT,
            return_place="Bộ phận Một cửa xã Bình Sơn",
            officer="Trần Văn Bình",
            book_volume="2026",
            book_sequence=37,
        ),
        "supplement": ctx.SupplementContext(
            letterhead=DESK_HEAD,
            subject=SUBJECT,
            items=["Giấy chứng sinh (bản chính): bản đã nộp bị mờ, không đọc được."],
            reason="Thành phần hồ sơ chưa hợp lệ.",
            officer="Trần Văn Bình",
            contact_phone="0255 3822 123",
        ),
        "refusal": ctx.RefusalContext(
            letterhead=DESK_HEAD,
            subject=SUBJECT,
            issuer="Bộ phận Một cửa xã Bình Sơn",
            reasons=["Trẻ đã được đăng ký khai sinh tại Ủy ban nhân dân xã Bình Thanh."],
            officer="Trần Văn Bình",
        ),
        "apology": apology,
        "extension": apology,
        "stop": ctx.StopContext(
            letterhead=AGENCY_HEAD,
            subject=SUBJECT,
            agency="Ủy ban nhân dân xã Bình Sơn",
            received_at=RECEIVED,
            stopped_at=APPOINTMENT,
            reasons=["Người yêu cầu không đủ điều kiện đăng ký theo quy định."],
            desk_name="Bộ phận Một cửa xã Bình Sơn",
        ),
        "control_slip": ctx.ControlSlipContext(
            letterhead=DESK_HEAD,
            subject=SUBJECT,
            competent_agency="Ủy ban nhân dân xã Bình Sơn",
            cooperating=[],
            handovers=[
                ctx.HandOver(
                    "Bộ phận Một cửa – Trần Văn Bình",
                    "Ủy ban nhân dân xã Bình Sơn – Lê Thị Cúc",
                    RECEIVED + datetime.timedelta(hours=1),
                    "",
                    "Tiếp nhận hồ sơ.",
                ),
                ctx.HandOver(
                    "Ủy ban nhân dân xã Bình Sơn – Lê Thị Cúc",
                    "Ủy ban nhân dân xã Bình Sơn – Phạm Văn Dũng",
                    RECEIVED + datetime.timedelta(days=1),
                    "Đúng hạn",
                    "Thẩm định hồ sơ. Hồ sơ hợp lệ.",
                ),
                ctx.HandOver(
                    "Ủy ban nhân dân xã Bình Sơn – Phạm Văn Dũng",
                    "Bộ phận Một cửa – Trần Văn Bình",
                    RECEIVED + datetime.timedelta(days=1, hours=3),
                    "Trước hạn",
                    "Ký duyệt kết quả.",
                ),
                ctx.HandOver(
                    "Bộ phận Một cửa – Trần Văn Bình",
                    f"Tổ chức, cá nhân: {NAME}",
                    RECEIVED + datetime.timedelta(days=2),
                    "Trước hạn",
                    "Trả kết quả.",
                ),
            ],
            appointment_at=APPOINTMENT,
        ),
        "tracking_book": ctx.TrackingBookContext(
            letterhead=DESK_HEAD,
            desk_name="Bộ phận Một cửa xã Bình Sơn",
            date_from=RECEIVED.date(),
            date_to=RECEIVED.date(),
            rows=[
                ctx.BookRow(
                    sequence=37,
                    code=CODE,
                    procedure=PROCEDURE,
                    applicant=NAME,
                    address_phone="Thôn Phú Long, xã Bình Sơn; 0912345678",
                    competent_agency="Ủy ban nhân dân xã Bình Sơn",
                    received_at=RECEIVED,
                    appointment_at=APPOINTMENT,
                    transferred_at=RECEIVED,
                    processed_at=None,
                    returned_at=None,
                    outcome="Đang xử lý",
                )
            ],
        ),
    }


LAYOUTS = {
    "receipt": forms.layout_receipt,
    "supplement": forms.layout_supplement,
    "refusal": forms.layout_refusal,
    "apology": forms.layout_apology,
    "extension": forms.layout_extension,
    "stop": forms.layout_stop,
    "control_slip": forms.layout_control_slip,
    "tracking_book": forms.layout_tracking_book,
}
#: Text that must never be on a printed form.
FORBIDDEN = re.compile(
    r"[{}]|\bNone\b|\bnull\b|Không ấn định|mã thủ tục|Tra cứu|"
    r"\b(receipt|supplement|refusal|apology|extension|stop|control_slip|tracking_book|"
    r"processing|returned|in_person|online|early|on_time|late)\b"
)


def render_set(form_set: formsets.FormSet) -> dict[int, bytes]:
    data = contexts()
    return {f.number: LAYOUTS[f.kind](data[f.kind], form_set) for f in form_set.forms}


def test_two_sets_numbered_by_their_circular():
    old, new = formsets.form_sets()
    assert (old.code, old.effective_from) == ("tt01-2018", datetime.date(2019, 1, 6))
    assert (new.code, new.effective_from) == ("tt03-2025", datetime.date(2025, 9, 15))
    assert [f.kind for f in old.forms] == [
        "receipt", "supplement", "refusal", "apology", "control_slip", "tracking_book",
    ]  # fmt: skip
    assert [f.kind for f in new.forms] == [
        "receipt", "supplement", "refusal", "extension", "stop", "control_slip", "tracking_book",
    ]  # fmt: skip
    assert new.by_number(4).title == "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
    assert new.by_number(5).title == "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
    assert formsets.form_set_on(datetime.date(2025, 9, 14)) is old
    assert formsets.form_set_on(datetime.date(2025, 9, 15)) is new
    assert formsets.form_set_on(datetime.date(2018, 1, 1)) is old
    raw = json.loads(formsets.DATA_FILE.read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    broken["sets"][1]["forms"][4]["kind"] = "made_up"
    with pytest.raises(ValueError, match="unknown kinds"):
        formsets.parse(broken)
    gap = copy.deepcopy(raw)
    del gap["sets"][1]["forms"][2]
    with pytest.raises(ValueError, match="numbered"):
        formsets.parse(gap)


@pytest.mark.parametrize("code", ["tt01-2018", "tt03-2025"])
def test_every_form_of_the_set_renders_clean(code):
    form_set = next(s for s in formsets.form_sets() if s.code == code)
    for number, pdf in render_set(form_set).items():
        form = form_set.by_number(number)
        assert form is not None
        size = A4_LANDSCAPE_SIZE if form.kind == "tracking_book" else A5_SIZE
        assert page_sizes(pdf) == {size}, form
        assert all(fonts_of(pdf).values())
        text = text_of(pdf)
        assert form.title in text, form
        assert not FORBIDDEN.search(text), (form, FORBIDDEN.search(text))
        if form.kind == "receipt":
            assert "Liên 1: Lưu" in text and "Liên 2: Giao khách hàng" in text
            assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 37" in text
        if form.kind == "control_slip":
            assert "1. Giao:" in text and "2. Nhận:" in text
            assert "Người giao" in text and "Người nhận" in text
            assert "giờ" in text and "phút, ngày" in text
        if form.kind == "extension":
            assert "đề nghị gia hạn thời gian giải quyết hồ sơ đến" in text
        if form.kind == "stop":
            assert "thông báo dừng giải quyết hồ sơ" in text
            assert "Người yêu cầu không đủ điều kiện" in text


def test_form_01_without_appointment_or_book_line_prints_blanks():
    data = contexts()["receipt"]
    assert isinstance(data, ctx.ReceiptContext)
    bare = ctx.ReceiptContext(**{**data.__dict__, "appointment_at": None, "book_sequence": None})
    text = text_of(forms.layout_receipt(bare))
    assert "Không ấn định" not in text
    assert "5. Thời gian trả kết quả giải quyết hồ sơ: …… giờ …… phút" in text
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: ……" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_page_images_of_both_sets():
    """The page images the docs point to (looked at by a person, not only by this test)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for form_set in formsets.form_sets():
        for number, pdf in render_set(form_set).items():
            form = form_set.by_number(number)
            assert form is not None
            stem = SCREENS / f"{form_set.code}-mau-{number:02d}-{form.kind}"
            stem.with_suffix(".pdf").write_bytes(pdf)
            for old in SCREENS.glob(f"{stem.name}-*.png"):
                old.unlink()
            subprocess.run(
                ["pdftoppm", "-png", "-r", "80", str(stem.with_suffix(".pdf")), str(stem)],
                check=True,
            )
            assert list(SCREENS.glob(f"{stem.name}-*.png")), stem
