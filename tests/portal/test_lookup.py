"""The public look-up page /tra-cuu (TT 01/2018 art. 16.2.d): anyone, with a dossier code, learns
how far the dossier has progressed — and nothing about the applicant."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from congso.dossiers import services
from congso.dossiers.models import Dossier
from tests.dossiers.conftest import at, fresh, receive, submit
from tests.printing.conftest import APPLICANT_ADDRESS, APPLICANT_EMAIL, APPLICANT_NAME

URL = "/tra-cuu"


@pytest.fixture
def dossier(world, clock) -> Dossier:
    clock.set(at(2026, 3, 2, 8, 0))
    submitted = submit(world)
    clock.set(at(2026, 3, 2, 9, 0))
    received = receive(world, submitted)
    return fresh(services.dossier_start_processing(actor=world.reception_a, dossier=received))


def assert_no_personal_data(html: str, world) -> None:
    for secret in (
        APPLICANT_NAME,
        APPLICANT_ADDRESS,
        APPLICANT_EMAIL,
        "051085000001",  # the applicant's personal ID
        "0912345678",  # phone
        "motcua.a",  # officers
        "chuyenvien.a",
        "congdan.mot",  # the applicant's account
    ):
        assert secret not in html, secret


def test_found_shows_the_stage_and_no_personal_data(world, dossier):
    response = Client().get(URL, {"ma": dossier.code})
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert "Thủ tục đăng ký khai sinh" in html
    assert "Đang xử lý" in html
    # The national portal's status number is for machines (the API), not people.
    assert "trạng thái 4" not in html and "Cổng Dịch vụ công quốc gia" not in html
    assert "02/03/2026" in html  # received
    assert "05/03/2026" in html  # appointment
    assert_no_personal_data(html, world)
    assert response["X-Robots-Tag"] == "noindex"


def test_the_code_is_case_insensitive_and_trimmed(world, dossier):
    response = Client().get(URL, {"ma": f"  {dossier.code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?ma={dossier.code}"
    response = Client().get(URL, {"ma": f"  {dossier.code.lower()} "}, follow=True)
    assert response.status_code == 200
    assert "Đang xử lý" in response.content.decode()


def test_a_scanned_receipt_qr_payload_finds_the_dossier_without_echoing_the_id(world, dossier):
    payload = f"{dossier.code}|1.001193|051085000001"
    response = Client().get(URL, {"ma": payload})
    assert response.status_code == 302
    assert "051085000001" not in response["Location"]
    response = Client().get(URL, {"ma": payload}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đang xử lý" in html
    assert f'value="{dossier.code}"' in html
    assert_no_personal_data(html, world)


def test_status_follows_the_dossier(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    html = Client().get(URL, {"ma": dossier.code}).content.decode()
    assert "Mới đăng ký, chờ tiếp nhận" in html and "Chưa tiếp nhận" in html
    assert "Chưa có ngày hẹn" in html
    services.dossier_not_accept(
        actor=world.reception_a, dossier=dossier, reason="Không thuộc thẩm quyền."
    )
    html = Client().get(URL, {"ma": dossier.code}).content.decode()
    assert "Không được tiếp nhận" in html and "trạng thái 3" not in html
    assert "Không thuộc thẩm quyền." not in html  # reasons are for the applicant only


def test_unknown_code_is_a_404_page_with_the_error_tied_to_the_input(world, dossier):
    response = Client().get(URL, {"ma": "000.00.51.H51-260302-9999"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy hồ sơ có mã số này." in html
    assert 'id="ma_error"' in html
    assert re.search(
        r'<input[^>]+aria-describedby="ma_error ma_hint"[^>]+aria-invalid="true"', html
    )
    assert "Đang xử lý" not in html


def test_empty_query(world):
    response = Client().get(URL, {"ma": "   "}, follow=True)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vui lòng nhập mã số hồ sơ." in html
    assert 'aria-invalid="true"' in html


def test_malformed_code_is_refused_and_escaped(world):
    response = Client().get(URL, {"ma": "<script>alert(1)</script>"}, follow=True)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>" not in html.lower().split("<main", 1)[1]
    assert "chữ cái không dấu, chữ số" in html
    too_long = Client().get(URL, {"ma": "A" * 61})
    assert too_long.status_code == 400


def test_blank_page_is_accessible(world):
    response = Client().get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<label for="ma">' in html
    assert re.search(r'<input type="text" name="ma" id="ma"[^>]+aria-describedby="ma_hint"', html)
    assert "aria-invalid" not in html
    assert 'role="search"' in html
    assert "portal/portal.css" in html
    assert "<h1>Tra cứu tình trạng hồ sơ</h1>" in html


def test_lookup_needs_no_login_and_writes_nothing(world, dossier, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = Client().get(URL, {"ma": dossier.code})
    assert response.status_code == 200


def test_page_in_english(world, dossier):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL, {"ma": dossier.code}).content.decode()
    assert '<html lang="en">' in html
    assert "Look up a dossier" in html and "progress</h1>" in html
    assert "Being processed" in html and "status 4" not in html
    missing = client.get(URL, {"ma": "000.00.51.H51-260302-9999"})
    assert missing.status_code == 404
    assert "No dossier has this code." in missing.content.decode()
