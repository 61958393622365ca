"""Downloading the forms: login, the officer area, the dossier permission layer, 404s that leak
nothing, the applicant's own receipt and the tracking book's parameters."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from congso.dossiers import services
from tests.dossiers.conftest import at, fresh, receive, submit
from tests.printing.conftest import APPLICANT_NAME
from tests.printing.pdfcheck import A4_LANDSCAPE_SIZE, A5_SIZE, page_sizes, text_of


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


@pytest.fixture
def dossier(world, clock):
    clock.set(at(2026, 3, 2, 8, 0))
    submitted = submit(world)
    clock.set(at(2026, 3, 2, 9, 0))
    return fresh(receive(world, submitted))


def form_url(code: str, number: str = "01") -> str:
    return f"/can-bo/ho-so/{code}/mau-{number}.pdf"


def book_url(desk_id: object, start: str = "2026-03-01", end: str = "2026-03-31") -> str:
    return f"/can-bo/so-theo-doi.pdf?desk={desk_id}&from={start}&to={end}"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_officer_downloads_form_01(world, dossier):
    response = client_for(world.reception_a).get(form_url(dossier.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="mau-01-{dossier.code}.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert page_sizes(response.content) == {A5_SIZE}
    text = text_of(response.content)
    assert APPLICANT_NAME in text
    assert "(Liên 1: Lưu)" in text and "(Liên 2: Giao khách hàng)" in text


@pytest.mark.parametrize("officer", ["specialist_a", "leader_a", "monitor"])
def test_other_officers_in_scope_may_print(world, dossier, officer):
    response = client_for(getattr(world, officer)).get(form_url(dossier.code, "06"))
    assert response.status_code == 200
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text_of(response.content)


@pytest.mark.parametrize("officer", ["reception_b", "specialist_b", "leader_b"])
def test_officer_of_another_agency_gets_404(world, dossier, officer):
    client = client_for(getattr(world, officer))
    for number in ("01", "02", "03", "04", "05", "06"):
        assert client.get(form_url(dossier.code, number)).status_code == 404


def test_unknown_code_and_unknown_form_are_404(world, dossier):
    client = client_for(world.reception_a)
    assert client.get(form_url("000.00.51.H51-260302-9999")).status_code == 404
    assert client.get(form_url(dossier.code, "07")).status_code == 404  # the book is per desk
    assert client.get(form_url(dossier.code, "05")).status_code == 404  # not stopped
    assert client.get(form_url(dossier.code, "1")).status_code == 404
    # The dossier has no apology and no refusal yet: those forms do not exist.
    assert client.get(form_url(dossier.code, "04")).status_code == 404
    assert client.get(form_url(dossier.code, "03")).status_code == 404


def test_query_parameters_are_checked(world, dossier):
    client = client_for(world.reception_a)
    assert client.get(form_url(dossier.code, "02") + "?yeu-cau=abc").status_code == 400
    assert client.get(form_url(dossier.code) + "?so=" + "9" * 31).status_code == 400
    response = client.get(form_url(dossier.code) + "?so=12/TNHS")
    assert "Số: 12/TNHS" in text_of(response.content)


def test_anonymous_is_sent_to_login(world, dossier):
    client = client_for(None)
    for url in (
        form_url(dossier.code),
        book_url(world.desk_a.pk),
        f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def test_officer_area_asks_for_the_second_factor(world, dossier, settings):
    settings.OFFICER_2FA_REQUIRED = True
    response = client_for(world.reception_a).get(form_url(dossier.code))
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/xac-thuc-hai-lop/")


def test_citizens_never_use_the_officer_area(world, dossier):
    # Even the applicant: their copy of form 01 has its own address.
    assert client_for(world.citizen_user).get(form_url(dossier.code)).status_code == 404
    assert client_for(world.citizen_user).get(book_url(world.desk_a.pk)).status_code == 404


def test_applicant_downloads_their_own_receipt(world, dossier):
    url = f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf"
    response = client_for(world.citizen_user).get(url)
    assert response.status_code == 200
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text_of(response.content)
    assert client_for(world.other_user).get(url).status_code == 404
    # Officers print from the officer area (behind the second factor), not from here.
    assert client_for(world.reception_a).get(url).status_code == 404


def test_applicant_receipt_before_reception_is_404(world, clock):
    dossier = submit(world)
    response = client_for(world.citizen_user).get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf")
    assert response.status_code == 404


def test_tracking_book_download(world, dossier, clock):
    clock.set(at(2026, 3, 2, 10, 0))
    services.dossier_receive(
        actor=world.reception_b, dossier=submit(world, competent_agency=world.commune_b)
    )
    response = client_for(world.reception_a).get(book_url(world.desk_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert page_sizes(response.content) == {A4_LANDSCAPE_SIZE}
    text = text_of(response.content)
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Một cửa xã A" in text
    assert dossier.code in text and "Tổng số hồ sơ: 1" in text
    # A province-wide monitor may read it too.
    assert client_for(world.monitor).get(book_url(world.desk_a.pk)).status_code == 200


def test_tracking_book_of_another_agencys_desk_is_404(world, dossier):
    client = client_for(world.reception_b)
    assert client.get(book_url(world.desk_a.pk)).status_code == 404
    assert client.get(book_url(999_999)).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "desk=&from=2026-03-01&to=2026-03-31",
        "desk=abc&from=2026-03-01&to=2026-03-31",
        "desk={desk}&from=01/03/2026&to=2026-03-31",
        "desk={desk}&from=2026-03-01",
        "desk={desk}&from=2026-03-31&to=2026-03-01",
        "desk={desk}&from=2025-01-01&to=2026-03-31",
    ],
)
def test_tracking_book_parameters(world, query):
    response = client_for(world.reception_a).get(
        "/can-bo/so-theo-doi.pdf?" + query.format(desk=world.desk_a.pk)
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode()


def test_the_dossier_page_lists_the_forms_of_its_set(world, dossier):
    """A dossier received in March 2026 takes TT 03/2025's set: the officer page links its
    forms 01–06 by their numbers there (05 the stop notice, 06 the control slip), in English
    too."""
    client = client_for(world.reception_a)
    html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    for number, name in (
        ("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        ("04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        ("05", "Thông báo dừng giải quyết hồ sơ"),
        ("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    ):
        assert f"Mẫu {number} — {name}" in html
        assert form_url(dossier.code, number) in html
    assert form_url(dossier.code, "07") not in html
    assert "PHIẾU KIỂM SOÁT" in text_of(client.get(form_url(dossier.code, "06")).content)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Form 06 — Processing control slip" in english
