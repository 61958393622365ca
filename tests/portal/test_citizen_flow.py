"""The citizen pages and the officer workspace end to end with Django's test client: search
without diacritics, the multi-step form with a draft, files, submission, reception, a
supplement, processing, return, receipt and rating."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congso.dossiers.models import Dossier
from congso.portal.models import Draft
from tests.dossiers.conftest import EXE, PDF, PNG, at


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, url: str, code: str, name: str, content: bytes) -> Any:
    return client.post(url, {f"files.{code}": SimpleUploadedFile(name, content)})


def submit_online(world: Any, client: Client) -> Dossier:
    proc = world.procedure.code
    response = client.get(f"/thu-tuc/{proc}/nop-truc-tuyen/", follow=True)
    assert response.status_code == 200
    step0 = f"/thu-tuc/{proc}/nop-truc-tuyen/buoc-0/"
    response = client.post(step0, {"ho_ten_tre": "Nguyễn Văn An", "ngay_sinh": "2026-01-20"})
    assert response.status_code == 302
    files = f"/thu-tuc/{proc}/nop-truc-tuyen/buoc-1/"
    assert upload(client, files, "to-khai", "to-khai.pdf", PDF).status_code == 302
    assert upload(client, files, "giay-chung-sinh", "gcs.png", PNG).status_code == 302
    assert client.post(files, {"continue": "1"}).status_code == 302
    response = client.post(f"/thu-tuc/{proc}/nop-truc-tuyen/buoc-2/")
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/ca-nhan/ho-so/{dossier.code}/da-nop/"
    return dossier


def test_search_without_diacritics_finds_the_procedure(world):
    response = Client().get("/thu-tuc/", {"q": "khai sinh"})
    assert "Thủ tục đăng ký khai sinh" in response.content.decode()
    response = Client().get("/thu-tuc/", {"q": "dang ky khai sinh"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in html and "<html" not in html


def test_procedure_page_shows_components_and_estimate(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    html = Client().get(f"/thu-tuc/{world.procedure.code}/").content.decode()
    assert "Giấy chứng sinh" in html
    assert "09:00 05/03/2026" in html  # 3 working days from Monday 09:00 (RULES.md §2)
    assert "UBND xã A" in html


def test_register_creates_account_and_citizen(db):
    response = Client().post(
        "/dang-ky/",
        {
            "full_name": "Trần Thị Bình",
            "personal_id": "051192000099",
            "birth_date": "1992-05-01",
            "gender": "female",
            "phone": "0912000111",
            "email": "",
            "username": "tranbinh",
            "password": "mat-khau-rat-dai-2026",
            "password2": "mat-khau-rat-dai-2026",
        },
    )
    assert response.status_code == 302
    from congso.org.models import Citizen

    assert Citizen.objects.get(personal_id="051192000099").user.username == "tranbinh"


def test_register_shows_errors_next_to_fields(db):
    response = Client().post("/dang-ky/", {"full_name": "X", "personal_id": "12"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in html
    assert 'aria-invalid="true"' in html


def test_form_errors_are_shown_next_to_the_field_and_the_draft_is_kept(world):
    client = login(world.citizen_user)
    step0 = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/buoc-0/"
    response = client.post(step0, {"ho_ten_tre": "Nguyễn Văn An", "ngay_sinh": "20/13/2026"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="f-ngay-sinh-error"' in html
    assert Draft.objects.get().data["ho_ten_tre"] == "Nguyễn Văn An"
    # Resumed from another device: the same values come back.
    other = login(world.citizen_user)
    html = other.get(step0).content.decode()
    assert 'value="Nguyễn Văn An"' in html


def test_files_are_checked_by_content(world):
    client = login(world.citizen_user)
    client.post(
        f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/buoc-0/",
        {"ho_ten_tre": "An", "ngay_sinh": "2026-01-20"},
    )
    url = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/buoc-1/"
    response = upload(client, url, "to-khai", "virus.pdf", EXE)
    assert response.status_code == 422
    assert "không đúng loại cho phép" in response.content.decode()
    response = client.post(url, {"continue": "1"})
    assert "Thiếu thành phần hồ sơ bắt buộc" in response.content.decode()


def test_whole_flow_through_the_pages(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    citizen = login(world.citizen_user)
    dossier = submit_online(world, citizen)
    assert dossier.code in citizen.get(f"/ca-nhan/ho-so/{dossier.code}/da-nop/").content.decode()
    assert not Draft.objects.exists()

    reception = login(world.reception_a)
    html = reception.get("/can-bo/", follow=True).content.decode()
    assert dossier.code in html
    base = f"/can-bo/ho-so/{dossier.code}/thao-tac"
    # A reason is required by law for a supplement request: shown next to the field.
    response = reception.post(f"{base}/request_supplement/", {"missing": ["giay-chung-sinh"]})
    assert response.status_code == 422
    assert 'id="reason-error"' in response.content.decode()
    response = reception.post(
        f"{base}/request_supplement/",
        {"missing": ["giay-chung-sinh"], "reason": "Ảnh giấy chứng sinh bị mờ."},
    )
    assert response.status_code == 302

    page = citizen.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Ảnh giấy chứng sinh bị mờ." in page
    response = citizen.post(
        f"/ca-nhan/ho-so/{dossier.code}/bo-sung/",
        {"files.giay-chung-sinh": SimpleUploadedFile("gcs2.png", PNG)},
    )
    assert response.status_code == 302

    clock.set(at(2026, 3, 2, 9, 0))
    for officer, action, data in (
        (world.reception_a, "receive", {}),
        (world.reception_a, "start_processing", {}),
        (world.specialist_a, "forward", {"note": "Đủ điều kiện."}),
        (world.leader_a, "complete", {"result_summary": "Giấy khai sinh số 12/2026"}),
        (world.reception_a, "return_result", {"return_method": "desk"}),
    ):
        response = login(officer).post(f"{base}/{action}/", data)
        assert response.status_code == 302, (action, response.content.decode()[:3000])
    dossier.refresh_from_db()
    assert dossier.status == "returned"
    citizen = login(world.citizen_user)  # the morning's session has idled out

    response = citizen.get(f"/ca-nhan/ho-so/{dossier.code}/")
    assert response.status_code == 200, response
    page = response.content.decode()
    assert "Giấy khai sinh số 12/2026" in page
    assert f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf" in page
    receipt = citizen.get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    response = citizen.post(f"/ca-nhan/ho-so/{dossier.code}/danh-gia/", {"score": "5"})
    assert response.status_code == 302
    assert dossier.rating.score == 5


def test_other_people_cannot_open_a_dossier(world):
    dossier = submit_online(world, login(world.citizen_user))
    assert login(world.other_user).get(f"/ca-nhan/ho-so/{dossier.code}/").status_code == 404
    assert login(world.reception_b).get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    assert login(world.other_user).get("/can-bo/").status_code == 404


def test_check_step_ignores_the_answers_of_other_pages() -> None:
    """Issue 12 blocker 1: the draft's answers of page 1 (and the prefill of later pages) are
    not "không có trong biểu mẫu" on page 2."""
    from django.utils import translation

    from congso.portal import schemaform

    specs = [{"name": "child_full_name", "type": "text", "label": "Họ tên", "required": True}]
    values = {"applicant_full_name": "Trần Thị Bình", "child_full_name": "Trần Văn An"}
    assert schemaform.check_step(specs, values) == {}
    with translation.override("vi"):
        assert schemaform.check_step(specs, {"applicant_full_name": "x"}) == {
            "child_full_name": "«Họ tên»: bắt buộc nhập."
        }
    # The page's language: the messages are translated (the field's label is data).
    with translation.override("en"):
        assert schemaform.check_step(specs, {"applicant_full_name": "x"}) == {
            "child_full_name": "«Họ tên»: required."
        }
