"""The forms rendered from dossiers made through the dossier services.

The clock starts on Monday 02/03/2026 — after 15/9/2025, so the dossiers take TT 03/2025's set
(04 the request for an extension, 05 the stop notice, 06 the control slip, 07 the book); one
test receives a dossier in 2025 and gets TT 01/2018's set. The procedure's limit is 3 working
days; commune A's process is reception (2 h), appraisal (12 h), signature by the leader (4 h),
return (1 h).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest

from congso.dossiers import services
from congso.dossiers.models import Dossier
from congso.printing.context import FormNotAvailable, book_position, place_name
from congso.printing.forms import render_form, render_tracking_book
from tests.dossiers.conftest import at, fresh, pdf, receive, submit, to_processing
from tests.printing.conftest import APPLICANT_NAME
from tests.printing.pdfcheck import (
    A4_LANDSCAPE_SIZE,
    A5_SIZE,
    fonts_of,
    image_count,
    page_sizes,
    page_texts,
    subject_of,
    text_of,
)
from tests.printing.test_form_sets import SCREENS

PROCEDURE = "Thủ tục đăng ký khai sinh"


def keep_page_images(name: str, data: bytes) -> None:
    """A rendered dossier's form as page images beside the layout ones (var/screens/forms/)."""
    if shutil.which("pdftoppm") is None:
        return
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.pdf"
    path.write_bytes(data)
    for old in SCREENS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(path), str(SCREENS / name)], check=True)


def received_dossier(world, clock) -> Dossier:
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    clock.set(at(2026, 3, 2, 9, 0))
    return fresh(receive(world, dossier))


def check_form(data: bytes) -> str:
    assert page_sizes(data) == {A5_SIZE}
    used = fonts_of(data)
    assert used and all(used.values()), used
    assert image_count(data) == 1
    text = text_of(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert APPLICANT_NAME in text
    assert PROCEDURE in text
    return text


def test_form_01_from_a_received_dossier(world, clock):
    dossier = received_dossier(world, clock)
    data = render_form(1, dossier, request_data={"lookup_url": "https://dvc.example.vn/tra-cuu"})
    text = check_form(data)
    pages = page_texts(data)
    assert len(pages) == 2
    assert "(Liên 1: Lưu)" in pages[0] and "(Liên 2: Giao khách hàng)" in pages[1]
    assert "Tra cứu" not in text and "mã thủ tục" not in text
    for expected in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {dossier.code}",
        "UBND XÃ A",
        "MỘT CỬA XÃ A",
        "Quảng Ngãi, ngày 02 tháng 3 năm 2026",
        "Bộ phận tiếp nhận và trả kết quả: Một cửa xã A",
        f"Tiếp nhận hồ sơ của: {APPLICANT_NAME}",
        "Địa chỉ: Thôn Phú Long, xã A, tỉnh Quảng Ngãi",
        "Số điện thoại: 0912345678",
        "Email: hongnhung@example.vn",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Bản chính",
        "Tệp điện tử",
        "3. Thời gian giải quyết hồ sơ theo quy định là: 3 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 02 tháng 3 năm 2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 05 tháng 3 năm 2026",
        "6. Đăng ký nhận kết quả tại: Một cửa xã A",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1",
        "motcua.a",  # the reception officer signs
    ):
        assert expected in text, expected
    # The optional power of attorney was not handed in: not on the receipt.
    assert "Văn bản ủy quyền" not in text


def test_form_01_in_person_lists_paper_components_and_the_book_sequence(world, clock):
    first = received_dossier(world, clock)
    clock.set(at(2026, 3, 2, 10, 0))
    dossier = services.dossier_receive_in_person(
        actor=world.reception_a,
        procedure=world.procedure,
        competent_agency=world.commune_a,
        desk=world.desk_a,
        form_data={"ho_ten_tre": "Trần An", "ngay_sinh": "2026-02-01"},
        files={"to-khai": [pdf()]},
        citizen=world.citizen,
        paper_components=["to-khai", "giay-chung-sinh", "giay-uy-quyen"],
    )
    assert book_position(first) == ("2026", 1)
    assert book_position(dossier) == ("2026", 2)
    text = text_of(render_form(1, dossier))
    assert "Văn bản ủy quyền" in text and "Bản sao có chứng thực" in text
    assert "Bản giấy" in text and "Đã số hóa" in text
    assert "Quyển số: 2026, Số thứ tự: 2" in text


def test_form_01_needs_a_received_dossier(world, clock):
    with pytest.raises(FormNotAvailable) as refused:
        render_form(1, submit(world))
    assert refused.value.status == 404
    with pytest.raises(ValueError):
        render_form(7, submit(world))  # the tracking book is per desk
    with pytest.raises(FormNotAvailable):
        render_form(6, submit(world))  # the control slip waits for reception


def test_form_02_lists_everything_missing(world, clock):
    dossier = submit(world)
    with pytest.raises(FormNotAvailable):
        render_form(2, dossier)
    dossier = services.dossier_request_supplement(
        actor=world.reception_a,
        dossier=dossier,
        reason="Hồ sơ còn thiếu giấy tờ theo quy định.",
        missing_items=[
            {"component": "giay-uy-quyen", "note": "Người đi đăng ký không phải cha, mẹ của trẻ."},
            {
                "field": "ngay_sinh",
                "label": "Ngày sinh của trẻ",
                "note": "Ghi theo Giấy chứng sinh.",
            },
        ],
    )
    text = check_form(render_form(2, fresh(dossier)))
    for expected in (
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        f"Hồ sơ của: {APPLICANT_NAME}",
        "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
        "1. Văn bản ủy quyền: Người đi đăng ký không phải cha, mẹ của trẻ.",
        "2. Ngày sinh của trẻ: Ghi theo Giấy chứng sinh.",
        "Lý do: Hồ sơ còn thiếu giấy tờ theo quy định.",
        "Ông/Bà liên hệ với motcua.a để được hướng dẫn./.",
        "NGƯỜI HƯỚNG DẪN",
        "MỘT CỬA XÃ A",
    ):
        assert expected in text, expected
    request = dossier.supplements.get()
    assert text_of(render_form(2, dossier, request_data={"supplement_id": request.pk})) == text
    with pytest.raises(FormNotAvailable):
        render_form(2, dossier, request_data={"supplement_id": request.pk + 1000})


def test_form_02_during_appraisal_comes_from_the_competent_agency(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    clock.set(at(2026, 3, 3, 9, 0))
    dossier = services.dossier_request_supplement(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Giấy chứng sinh bị mờ.",
        missing_items=[{"component": "giay-chung-sinh", "note": "Nộp lại bản rõ nét."}],
    )
    text = check_form(render_form(2, fresh(dossier)))
    assert "UBND XÃ A" in text and "MỘT CỬA XÃ A" not in text
    assert "Quảng Ngãi, ngày 03 tháng 3 năm 2026" in text
    assert "1. Giấy chứng sinh: Nộp lại bản rõ nét." in text


def test_form_03_refused_at_reception(world, clock):
    dossier = submit(world)
    with pytest.raises(FormNotAvailable):
        render_form(3, dossier)
    dossier = services.dossier_not_accept(
        actor=world.reception_a,
        dossier=dossier,
        reason="Thủ tục không thuộc thẩm quyền của xã.\nĐề nghị nộp tại Sở Tư pháp.",
    )
    text = check_form(render_form(3, fresh(dossier)))
    for expected in (
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        f"Tiếp nhận hồ sơ của: {APPLICANT_NAME}",
        "Qua xem xét, Một cửa xã A thông báo không tiếp nhận, giải quyết hồ sơ này với lý do "
        "cụ thể như sau:",
        "- Thủ tục không thuộc thẩm quyền của xã.",
        "- Đề nghị nộp tại Sở Tư pháp.",
        "Xin thông báo cho Ông/Bà được biết và thực hiện./.",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "motcua.a",
    ):
        assert expected in text, expected


def test_form_05_stop_notice_after_appraisal(world, clock):
    """TT 03/2025: a dossier stopped after appraisal gets Mẫu 05, not form 03."""
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(FormNotAvailable):
        render_form(5, dossier)
    clock.set(at(2026, 3, 4, 10, 0))
    dossier = services.dossier_refuse(
        actor=world.specialist_a, dossier=dossier, reason="Không đủ điều kiện đăng ký."
    )
    with pytest.raises(FormNotAvailable):
        render_form(3, fresh(dossier))
    data = render_form(5, fresh(dossier), request_data={"number": "07/TB-UBND"})
    text = check_form(data)
    for expected in (
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Số: 07/TB-UBND",
        f"Kính gửi: {APPLICANT_NAME}",
        "Qua xem xét, UBND xã A thông báo dừng giải quyết hồ sơ nêu trên",
        "- Không đủ điều kiện đăng ký.",
        "Quảng Ngãi, ngày 04 tháng 3 năm 2026",
        "THỦ TRƯỞNG CƠ QUAN",
    ):
        assert expected in text, expected
    assert "Mẫu số 05 – Thông tư số 03/2025/TT-VPCP" in subject_of(data)


def test_a_dossier_received_before_15_9_2025_keeps_the_2018_set(world, clock):
    world.version.effective_from = datetime.date(2025, 1, 1)
    world.version.save()
    dossier = to_processing(world, clock, at(2025, 9, 12, 9, 0))
    clock.set(at(2025, 9, 16, 10, 0))
    dossier = services.dossier_refuse(
        actor=world.specialist_a, dossier=dossier, reason="Không đủ điều kiện đăng ký."
    )
    text = check_form(render_form(3, fresh(dossier)))
    assert "Qua xem xét, UBND xã A thông báo không tiếp nhận, giải quyết hồ sơ này" in text
    assert "- Không đủ điều kiện đăng ký." in text
    assert "chuyenvien.a" in text
    slip = render_form(5, fresh(dossier))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text_of(slip)
    assert "Mẫu số 05 – Thông tư số 01/2018/TT-VPCP" in subject_of(slip)
    with pytest.raises(FormNotAvailable):
        render_form(6, fresh(dossier))


def test_form_04_apology_with_old_and_new_appointment(world, clock):
    dossier = to_processing(world, clock, at(2026, 3, 2, 9, 0))
    with pytest.raises(FormNotAvailable):
        render_form(4, dossier)
    clock.set(at(2026, 3, 3, 16, 0))
    dossier = services.dossier_apologise(
        actor=world.specialist_a,
        dossier=dossier,
        reason="Cần xác minh thêm tại nơi sinh.",
        new_appointment_at=at(2026, 3, 6, 17, 0),
    )
    text = check_form(render_form(4, fresh(dossier), request_data={"number": "15/PXL"}))
    for expected in (
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Số: 15/PXL",
        "Quảng Ngãi, ngày 03 tháng 3 năm 2026",
        f"Kính gửi: {APPLICANT_NAME}",
        "Ngày 02 tháng 3 năm 2026, UBND xã A tiếp nhận giải quyết hồ sơ đề nghị",
        f"Mã số hồ sơ: {dossier.code}.",
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 05 tháng 3 năm 2026",
        "lý do: Cần xác minh thêm tại nơi sinh.",
        "đề nghị gia hạn thời gian giải quyết hồ sơ đến 17 giờ 00 phút, ngày 06 tháng 3 năm",
        "THỦ TRƯỞNG CƠ QUAN",
        "- Một cửa xã A;",
    ):
        assert expected in text, expected


def test_form_06_control_slip_one_row_per_hand_over(world, clock):
    dossier = received_dossier(world, clock)
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    clock.set(at(2026, 3, 3, 10, 0))
    dossier = services.dossier_forward(
        actor=world.specialist_a, dossier=dossier, note="Hồ sơ hợp lệ."
    )
    clock.set(at(2026, 3, 3, 14, 0))
    dossier = services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary="Cấp Giấy khai sinh bản chính."
    )
    clock.set(at(2026, 3, 3, 15, 0))
    dossier = services.dossier_return_result(
        actor=world.reception_a, dossier=dossier, method="desk"
    )
    data = render_form(6, fresh(dossier))
    text = check_form(data)
    for expected in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Kèm theo hồ sơ của: {APPLICANT_NAME}",
        "Cơ quan (bộ phận) giải quyết hồ sơ: UBND xã A",
        "Cơ quan phối hợp giải quyết hồ sơ: Không",
        "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)",
        "1. Giao: UBND xã A – motcua.a",
        "2. Nhận: UBND xã A – chuyenvien.a",
        "1. Giao: UBND xã A – chuyenvien.a",
        "2. Nhận: UBND xã A – lanhdao.a",
        "10 giờ 00 phút, ngày 03 tháng 3 năm 2026",
        "Người giao",
        "Người nhận",
        "Hồ sơ hợp lệ.",
        "Đúng hạn",
        "Trước hạn",
        f"2. Nhận: Tổ chức, cá nhân: {APPLICANT_NAME}",
        "15 giờ 00 phút, ngày 03 tháng 3 năm 2026",
    ):
        assert expected in text, expected
    # reception → appraisal → signature → return → the applicant: four hand-overs.
    assert text.count("1. Giao:") == 4 and text.count("Người giao") == 4
    assert "Mẫu số 06 – Thông tư số 03/2025/TT-VPCP" in subject_of(data)
    keep_page_images("db-tt03-2025-mau-06-control_slip", data)
    keep_page_images("db-tt03-2025-mau-01-receipt", render_form(1, fresh(dossier)))


def test_form_06_fallback_plan_and_events(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = submit(world, competent_agency=world.commune_b)
    dossier = services.dossier_receive(actor=world.reception_b, dossier=dossier)
    dossier = services.dossier_start_processing(actor=world.reception_b, dossier=dossier)
    clock.set(at(2026, 3, 3, 9, 0))
    dossier = services.dossier_request_supplement(
        actor=world.specialist_b,
        dossier=dossier,
        reason="Thiếu giấy chứng sinh bản chính.",
        missing_items=[{"component": "giay-chung-sinh", "note": "Nộp bản chính."}],
    )
    text = check_form(render_form(6, fresh(dossier)))
    # No published process at commune B: the desk hands the dossier to the fallback step; the
    # supplement request goes to that hand-over's note.
    assert "1. Giao: UBND xã B – Một cửa xã B – motcua.b" in text
    assert "Tiếp nhận hồ sơ." in text
    assert "Yêu cầu bổ sung hồ sơ: Thiếu giấy chứng sinh bản chính." in text


def test_form_06_tracking_book_of_a_desk(world, clock, django_assert_max_num_queries):
    first = received_dossier(world, clock)
    prefix = first.code.rsplit("-", 1)[0]
    clones = []
    for number in range(2, 121):
        clone = Dossier.objects.get(pk=first.pk)
        clone.pk = None
        clone.code = f"{prefix}-{number:04d}"
        clone.received_at = first.received_at + datetime.timedelta(minutes=number)
        clone.applicant_name = f"Lê Văn Đức {number}"
        clones.append(clone)
    Dossier.objects.bulk_create(clones)
    # Not in the book: another desk's dossier, and one received the day before.
    clock.set(at(2026, 3, 2, 9, 30))
    other = services.dossier_receive(
        actor=world.reception_b, dossier=submit(world, competent_agency=world.commune_b)
    )
    earlier = Dossier.objects.get(pk=first.pk)
    earlier.pk = None
    earlier.code = f"{prefix}-0999"
    earlier.received_at = at(2026, 3, 1, 10, 0)
    earlier.save()

    with django_assert_max_num_queries(4):  # not one query per dossier
        data = render_tracking_book(
            world.desk_a, datetime.date(2026, 3, 2), datetime.date(2026, 3, 2)
        )
    assert page_sizes(data) == {A4_LANDSCAPE_SIZE}
    used = fonts_of(data)
    assert used and all(used.values())
    pages = page_texts(data)
    assert len(pages) >= 4
    for page in pages:
        assert "Mã hồ sơ" in page and "Tên thủ tục hành chính" in page and "Ghi chú" in page
    text = " ".join(pages)
    assert "SỔ THEO DÕI HỒ SƠ" in pages[0]
    assert "Từ ngày 02/03/2026 đến ngày 02/03/2026" in pages[0]
    assert first.code in text and APPLICANT_NAME in text
    for number in range(2, 121):
        assert f"{prefix}-{number:04d}" in text
    assert other.code not in text and f"{prefix}-0999" not in text
    assert "Tổng số hồ sơ: 120" in pages[-1]
    # The yearly sequence continues from the dossier received the day before.
    assert "Lê Văn Đức 120" in pages[-1]
    assert book_position(Dossier.objects.get(code=f"{prefix}-0120")) == ("2026", 121)

    # Through a restricted queryset an officer of commune B sees none of them.
    hidden = render_tracking_book(
        world.desk_a,
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 2),
        queryset=Dossier.objects.restrict(world.reception_b, "view"),
    )
    assert "Không có hồ sơ nào được tiếp nhận trong thời gian này." in text_of(hidden)


def test_place_name_drops_the_unit_kind(world):
    assert place_name(world.province) == "Quảng Ngãi"
    world.province.name = "Tỉnh Quảng Ngãi"
    assert place_name(world.province) == "Quảng Ngãi"
    world.province.name = "Phường Cẩm Thành"
    assert place_name(world.province) == "Cẩm Thành"
    assert place_name(None) == ""
