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


def status_page(code: str, digits: str = "0001", client: Client | None = None):
    """The look-up with its second factor (the last 4 digits of the applicant's ID number)."""
    return (client or Client()).post(URL, {"ma": code, "so-cuoi": digits})


def test_a_code_alone_tells_only_that_the_dossier_exists(world, dossier):
    response = Client().get(URL, {"ma": dossier.code})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Có hồ sơ mã số" in html and dossier.code in html
    assert 'name="so-cuoi"' in html and 'method="post"' in html
    for detail in ("Thủ tục đăng ký khai sinh", "Đang xử lý", "02/03/2026", "05/03/2026"):
        assert detail not in html, detail
    assert_no_personal_data(html, world)


def test_found_shows_the_stage_and_no_personal_data(world, dossier):
    response = status_page(dossier.code)
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
    assert "Có hồ sơ mã số" in response.content.decode()
    assert "Đang xử lý" in status_page(f" {dossier.code.lower()} ").content.decode()


def test_a_scanned_receipt_qr_payload_finds_the_dossier_without_echoing_the_id(world, dossier):
    payload = f"{dossier.code}|1.001193|051085000001"
    response = Client().get(URL, {"ma": payload})
    assert response.status_code == 302
    assert "051085000001" not in response["Location"]
    response = Client().get(URL, {"ma": payload}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Có hồ sơ mã số" in html
    assert f'value="{dossier.code}"' in html
    assert_no_personal_data(html, world)


def test_status_follows_the_dossier(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    html = status_page(dossier.code).content.decode()
    assert "Mới đăng ký, chờ tiếp nhận" in html and "Chưa tiếp nhận" in html
    assert "Chưa có ngày hẹn" in html
    services.dossier_not_accept(
        actor=world.reception_a, dossier=dossier, reason="Không thuộc thẩm quyền."
    )
    html = status_page(dossier.code, "5678").content.decode()  # the phone's last digits
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
    with django_assert_max_num_queries(1):
        response = Client().get(URL, {"ma": dossier.code})
    assert response.status_code == 200
    with django_assert_max_num_queries(2):  # the dossier, the e-result notice
        response = status_page(dossier.code)
    assert response.status_code == 200


def test_page_in_english(world, dossier):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL, {"ma": dossier.code}).content.decode()
    assert '<html lang="en">' in html
    assert "Look up a dossier" in html and "progress</h1>" in html
    assert "A dossier has the code" in html
    html = status_page(dossier.code, client=client).content.decode()
    assert "Being processed" in html and "status 4" not in html
    wrong = status_page(dossier.code, "9999", client=client)
    assert wrong.status_code == 403
    assert "do not match" in wrong.content.decode()
    missing = client.get(URL, {"ma": "000.00.51.H51-260302-9999"})
    assert missing.status_code == 404
    assert "No dossier has this code." in missing.content.decode()


# --- Enumeration (issue 13 item 9) ----------------------------------------------------------------


def test_wrong_digits_show_nothing_and_say_so_next_to_the_field(world, dossier):
    response = status_page(dossier.code, "1234")
    assert response.status_code == 403
    html = response.content.decode()
    assert "không khớp" in html and "Còn 4 lần thử." in html
    assert 'id="so-cuoi_error"' in html and 'aria-invalid="true"' in html
    assert "Đang xử lý" not in html and "Thủ tục đăng ký khai sinh" not in html
    malformed = status_page(dossier.code, "12a4")
    assert malformed.status_code == 400
    assert "Nhập đúng 4 chữ số cuối" in malformed.content.decode()


def test_the_look_up_is_throttled_per_address(world, dossier, settings):
    settings.LOOKUP_LIMIT = 5
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        assert client.get(URL, {"ma": dossier.code}).status_code == 200
    refused = client.get(URL, {"ma": dossier.code})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn" in html
    assert "Có hồ sơ mã số" not in html
    # Unknown codes count too (that is what enumeration sends) …
    assert client.get(URL, {"ma": "000.00.51.H51-260302-9999"}).status_code == 429
    assert status_page(dossier.code, client=client).status_code == 429
    # … and another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.8").get(URL, {"ma": dossier.code}).status_code == 200


def test_the_window_ends(world, dossier, settings, clock):
    settings.LOOKUP_LIMIT = 2
    settings.LOOKUP_WINDOW_SECONDS = 600
    client = Client(REMOTE_ADDR="203.0.113.9")
    clock.set(at(2026, 3, 2, 10, 0))
    for _ in range(2):
        client.get(URL, {"ma": dossier.code})
    refused = client.get(URL, {"ma": dossier.code})
    assert refused.status_code == 429 and "10:10" in refused.content.decode()
    clock.set(at(2026, 3, 2, 10, 10))
    assert client.get(URL, {"ma": dossier.code}).status_code == 200


def test_wrong_digits_are_limited_per_address_and_per_code(world, dossier, settings):
    settings.LOOKUP_FAILURE_LIMIT = 3
    settings.LOOKUP_CODE_FAILURE_LIMIT = 5
    guesser = Client(REMOTE_ADDR="198.51.100.1")
    for guess in ("1111", "2222", "3333"):
        assert status_page(dossier.code, guess, guesser).status_code == 403
    # The address has used its wrong answers: even the right one waits for the window.
    refused = status_page(dossier.code, "0001", guesser)
    assert refused.status_code == 429
    assert "nhập sai 4 chữ số xác minh quá nhiều lần" in refused.content.decode()
    # Guesses from other addresses add up for the code.
    for number, guess in enumerate(("4444", "5555"), start=2):
        assert (
            status_page(dossier.code, guess, Client(REMOTE_ADDR=f"198.51.100.{number}")).status_code
            == 403
        )
    locked = status_page(dossier.code, "0001", Client(REMOTE_ADDR="198.51.100.9"))
    assert locked.status_code == 429
    assert "đăng nhập bằng tài khoản đã nộp hồ sơ" in locked.content.decode()
    # Another dossier's look-up is not affected.
    other = submit(world)
    assert status_page(other.code, "0001", Client(REMOTE_ADDR="198.51.100.9")).status_code == 200


def test_three_hundred_sequential_codes_list_nothing(world, clock, settings):
    """The attack of issue 13 item 9: sequential codes from one address. Without a second factor
    nothing beyond "exists" is shown, and the address is stopped after the limit."""
    clock.set(at(2026, 3, 2, 8, 0))
    made = [submit(world) for _ in range(3)]
    prefix = made[0].code.rsplit("-", 1)[0]
    client = Client(REMOTE_ADDR="192.0.2.50")
    answers = [client.get(URL, {"ma": f"{prefix}-{n:04d}"}) for n in range(1, 301)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:3] == [200, 200, 200]
    assert statuses.count(429) == 300 - settings.LOOKUP_LIMIT
    for answer in answers:
        html = answer.content.decode()
        assert "Thủ tục đăng ký khai sinh" not in html and "Mới đăng ký" not in html


def test_the_proxy_header_is_used_only_when_configured(world, dossier, settings):
    settings.LOOKUP_LIMIT = 1
    client = Client(REMOTE_ADDR="10.0.0.1")
    # Not configured: a forged header changes nothing (the proxy's address counts).
    assert client.get(URL, {"ma": dossier.code}, HTTP_X_REAL_IP="192.0.2.1").status_code == 200
    assert client.get(URL, {"ma": dossier.code}, HTTP_X_REAL_IP="192.0.2.2").status_code == 429
    settings.PROXY_ADDRESSES = ["10.0.0.1"]  # the reverse proxy in front of the site
    forwarded = "192.0.2.99, 192.0.2.3"  # the last entry is the one our proxy added
    assert client.get(URL, {"ma": dossier.code}, HTTP_X_FORWARDED_FOR=forwarded).status_code == 200
    assert client.get(URL, {"ma": dossier.code}, HTTP_X_FORWARDED_FOR=forwarded).status_code == 429
    other = "192.0.2.3, 192.0.2.4"
    assert client.get(URL, {"ma": dossier.code}, HTTP_X_FORWARDED_FOR=other).status_code == 200
