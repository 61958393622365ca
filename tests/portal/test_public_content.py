"""Issue 12, content and polish of the citizen pages: the procedure page says what is done online
and what is not, formats fees ("8.000 đồng"), shows the time limit (never an editor's note) and
lets citizens download the blank forms; search rows show the online level; the dossier page
says why a component has no file; validation messages follow the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import translation

from congso.catalog.models import Component
from congso.dossiers import services
from congso.portal.templatetags.congso_ui import local_time, vnd
from congso.printing.words import vnd as vnd_words
from tests.dossiers.conftest import FORM, online_files, submit
from tests.portal.test_citizen_flow import login


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


def english(user: Any = None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def test_money_and_instants_have_one_format() -> None:
    with translation.override("vi"):
        assert vnd(8000) == "8.000 đồng" == vnd_words(8000)
        assert vnd("150000") == "150.000 đồng"
        assert vnd(None) == "" and vnd("") == ""
        assert local_time("2026-12-03T12:21:29.390796+00:00") == "19:21 03/12/2026"
        assert local_time(None) == "—" and local_time("không phải ngày") == "—"
    with translation.override("en"):
        assert vnd(8000) == "VND 8,000"


def test_procedure_page_fees_limit_and_no_editor_notes(world: Any) -> None:
    version = world.version
    version.time_limit_text = "CSDLQG: trường hợp 1.001193.01 = 1 ngày (ghi chú biên tập)"
    version.notes = "chưa xác minh được mức của Quảng Ngãi"
    version.fees = [
        {"name": "Phí cấp bản sao", "amount_vnd": 8000, "condition": "Tính cho mỗi bản sao."},
        {"name": "Lệ phí đúng hạn", "amount_vnd": 0, "condition": ""},
        {"name": "Lệ phí không đúng hạn", "amount_vnd": None, "condition": ""},
    ]
    version.save()
    html = Client().get(f"/thu-tuc/{world.procedure.code}/").content.decode()
    assert "Phí cấp bản sao: <strong>8.000 đồng</strong>" in html
    assert "8000 đồng" not in html
    assert "Lệ phí đúng hạn: <strong>không thu</strong>" in html
    # An amount the catalogue does not state is never "free".
    assert "Lệ phí không đúng hạn: <strong>mức thu do cơ quan giải quyết thông báo" in html
    assert "<dd>3 ngày làm việc</dd>" in html
    assert "CSDLQG" not in html and "chưa xác minh" not in html
    english_html = english().get(f"/thu-tuc/{world.procedure.code}/").content.decode()
    assert "VND 8,000" in english_html


def test_procedure_page_says_what_is_done_online_and_what_not(world: Any) -> None:
    version = world.version
    version.online_level = "partial"
    version.partial_reason = "Hai bên phải có mặt để ký Sổ hộ tịch."
    version.form_schema = {
        **version.form_schema,
        "offline": [{"component": "giay-uy-quyen", "why": "show"}],
    }
    version.save()
    html = Client().get(f"/thu-tuc/{world.procedure.code}/").content.decode()
    assert "một phần — nộp hồ sơ trực tuyến được, nhưng còn việc phải làm trực tiếp." in html
    assert "Làm trực tuyến" in html and "Còn phải làm trực tiếp" in html
    assert "Hai bên phải có mặt để ký Sổ hộ tịch." in html
    assert "mang theo bản chính để xuất trình: Văn bản ủy quyền." in html
    assert "Nhận kết quả bản giấy tại Bộ phận Một cửa" in html  # no e-result template here
    version.online_level = "full"
    version.save()
    html = Client().get(f"/thu-tuc/{world.procedure.code}/").content.decode()
    assert "toàn trình — mọi bước" in html
    assert "Hai bên phải có mặt" not in html  # a partial reason says nothing on a full service


def test_form_templates_are_downloadable(world: Any) -> None:
    slot = Component.objects.get(version=world.version, code="to-khai")
    slot.template_name = "Mẫu tờ khai đăng ký khai sinh"
    slot.template.save("to-khai.docx", ContentFile(b"PK\x03\x04 mau to khai"), save=True)
    html = Client().get(f"/thu-tuc/{world.procedure.code}/").content.decode()
    url = f"/thu-tuc/{world.procedure.code}/mau/to-khai/"
    assert f'href="{url}" download>Tải mẫu: Mẫu tờ khai đăng ký khai sinh</a>' in html
    response = Client().get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "mau-1.001193-to-khai.docx" in response["Content-Disposition"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"PK\x03\x04 mau to khai"  # type: ignore[attr-defined]
    # The API links to the same download (the media folder is never served).
    body = Client().get(f"/api/v1/procedures/{world.procedure.code}").json()
    link = next(c["template_url"] for c in body["components"] if c["code"] == "to-khai")
    assert link == f"http://testserver{url}?phien-ban=1"
    assert Client().get(f"{url}?phien-ban=1").status_code == 200
    assert Client().get(f"{url}?phien-ban=9").status_code == 404
    # A component without a file, or an unknown one: no download.
    assert Client().get(f"/thu-tuc/{world.procedure.code}/mau/giay-chung-sinh/").status_code == 404
    assert Client().get(f"/thu-tuc/{world.procedure.code}/mau/khong-co/").status_code == 404


def test_search_needs_every_word_and_rows_show_the_online_level(world: Any) -> None:
    html = Client().get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Thủ tục đăng ký khai sinh" in html
    assert '<span class="online-tag online-tag--online">Nộp trực tuyến toàn trình</span>' in html
    # The portal's box also runs the finder (issue 21): a query sharing no word with any name
    # finds nothing. (In this two-procedure catalogue "đăng ký" is not yet a common word.)
    html = Client().get("/thu-tuc/", {"q": "giay phep lai xe may"}).content.decode()
    assert "Thủ tục đăng ký khai sinh" not in html
    assert "Không tìm thấy thủ tục có đủ các từ đã gõ." in html


def test_search_page_has_a_fixed_number_of_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    # Once the process's catalogue index is filled (the first request): the revision token,
    # the page's rows, the filters' fields and agencies, the popular list, the online levels —
    # constant, whatever the number of results.
    Client().get("/thu-tuc/", {"q": "khai sinh"})
    with django_assert_max_num_queries(7):
        Client().get("/thu-tuc/", {"q": "khai sinh"})


def test_dossier_page_says_why_a_component_has_no_file(world: Any) -> None:
    world.version.form_schema = {
        **world.version.form_schema,
        "offline": [{"component": "giay-uy-quyen", "why": "show"}],
    }
    world.version.save()
    dossier = submit(world)
    html = login(world.citizen_user).get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Xuất trình bản chính khi nhận kết quả tại Bộ phận Một cửa" in html
    assert "chưa có tệp" not in html.lower()
    world.version.form_schema = {
        k: v for k, v in world.version.form_schema.items() if k != "offline"
    }
    world.version.save()
    html = login(world.citizen_user).get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Không nộp (không bắt buộc)" in html


def test_payment_amount_is_formatted_in_the_timeline(world: Any) -> None:
    dossier = services.dossier_receive(actor=world.reception_a, dossier=submit(world))
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    services.dossier_request_payment(
        actor=world.specialist_a, dossier=dossier, reason="Nộp lệ phí bản sao.", amount_vnd=16000
    )
    html = login(world.citizen_user).get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Số tiền phải nộp: 16.000 đồng" in html


def test_validation_messages_in_english(world: Any) -> None:
    client = english(world.citizen_user)
    step0 = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/buoc-0/"
    response = client.post(step0, {"ho_ten_tre": "", "ngay_sinh": "20/13/2026"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "«Họ, chữ đệm, tên của trẻ»: required." in html
    assert "must be a valid date (YYYY-MM-DD or dd/mm/yyyy)." in html
    assert "bắt buộc nhập" not in html and "phải là ngày hợp lệ" not in html
    # A service's message (the username is taken), in English too.
    response = english().post(
        "/dang-ky/",
        {
            "full_name": "Trần Thị Bình",
            "personal_id": "051092000099",
            "birth_date": "1992-05-01",
            "gender": "male",
            "phone": "0912000111",
            "username": "congdan.mot",
            "password": "mat-khau-rat-dai-2026",
            "password2": "mat-khau-rat-dai-2026",
        },
    )
    html = response.content.decode()
    assert "This username is already taken." in html
    assert "Tên đăng nhập này đã có người dùng." not in html
    # A personal ID that contradicts the declared sex: the check's message in English.
    response = english().post(
        "/dang-ky/",
        {
            "full_name": "Trần Thị Bình",
            "personal_id": "051092000099",
            "birth_date": "1992-05-01",
            "gender": "female",
            "phone": "0912000111",
            "username": "tranbinh",
            "password": "mat-khau-rat-dai-2026",
            "password2": "mat-khau-rat-dai-2026",
        },
    )
    html = response.content.decode()
    assert "is for a male holder and does not match the sex declared (female)." in html
    # The same messages stay Vietnamese in Vietnamese (and in the API).
    html = login(world.citizen_user).post(step0, {"ho_ten_tre": ""}).content.decode()
    assert "«Họ, chữ đệm, tên của trẻ»: bắt buộc nhập." in html


def test_api_messages_stay_vietnamese_whatever_the_language(world: Any) -> None:
    from congso.catalog.formschema import FormInvalid, validate_data

    with translation.override("en"), pytest.raises(FormInvalid) as caught:
        validate_data(world.version.form_schema, {**FORM, "ngay_sinh": "x"}, files=online_files())
    messages = [item["message"] for item in caught.value.errors]
    assert any("phải là ngày hợp lệ" in str(message) for message in messages), messages
    assert caught.value.as_dict()["errors"][0]["message"].startswith("«Ngày sinh»")
