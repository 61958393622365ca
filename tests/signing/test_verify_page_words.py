"""Issue 12 (content): the public verification page reads as words for people — no ETSI codes
(TOTAL_PASSED, FILL_FORMS, ENTIRE_FILE), no UTC timestamps with microseconds, no raw
distinguished names ("Common Name: …") — and its errors follow the page's language; the parser's
own (English, internal) words never reach the page."""

from __future__ import annotations

import io
import re
from typing import Any

from django.conf import settings
from django.test import Client

from congso.results import services
from congso.results.models import ResultTemplate
from congso.signing.models import SignatureRole
from congso.signing.templatetags.signing_ui import cert_name
from tests.results.test_services import _profile, dossier  # noqa: F401 (fixture)

CODES = ("TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE", "FILL_FORMS", "ENTIRE_FILE",
         "Common Name:", "Organization:", "+00:00")  # fmt: skip
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _signed(world: Any, dossier: Any) -> Any:  # noqa: F811
    ResultTemplate.objects.filter(procedure=world.procedure).update(signature_roles=["approval"])
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    leader = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    services.result_sign(actor=world.leader_a, result=result, profile=leader)
    result.refresh_from_db()
    return result


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_report_is_in_words_and_local_time(world: Any, dossier: Any) -> None:  # noqa: F811
    result = _signed(world, dossier)
    html = Client().get(f"/xac-thuc/{result.public_token}/").content.decode()
    text = _text(html)
    for code in CODES:
        assert code not in text, code
    assert not ISO.search(text), ISO.search(text)
    assert "Kết luận: Hợp lệ" in text
    assert "chữ ký chứng nhận: sau khi ký chỉ được điền biểu mẫu và ký thêm" in text
    assert "toàn bộ tệp" in text and "(giờ Việt Nam)" in text
    # Times as every page writes them: HH:MM dd/mm/yyyy in Vietnam's time.
    assert re.search(r"Thời điểm ký được chứng minh</dt><dd>\d{2}:\d{2} \d{2}/\d{2}/\d{4}<", html)
    # Long hashes and serials are marked to wrap on a phone.
    assert f'<code class="hash">{result.sha256}</code>' in html
    # The ETSI codes stay in the XML report, for machines.
    xml = Client().get(f"/xac-thuc/{result.public_token}/bao-cao.xml")
    assert xml.status_code == 200 and b"total-passed" in xml.content.lower()


def test_errors_follow_the_language_and_hide_the_parser(world: Any, dossier: Any) -> None:  # noqa: F811
    result = _signed(world, dossier)
    url = f"/xac-thuc/{result.public_token}/"
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    empty = io.BytesIO(b"")
    empty.name = "trong.pdf"
    response = english.post(url, {"file": empty})
    assert response.status_code == 422
    assert "The uploaded file is not a PDF." in response.content.decode()
    broken = io.BytesIO(b"%PDF-1.7\nnot really a pdf")
    broken.name = "hong.pdf"
    page = Client().post(url, {"file": broken}).content.decode()
    assert "Không đọc được tệp PDF: tệp bị hỏng hoặc không đúng định dạng PDF." in page
    assert "Error" not in _text(page) and "Traceback" not in page
    assert english.get("/xac-thuc/khong-co-ma-nay/").status_code == 404
    missing = english.get("/xac-thuc/khong-co-ma-nay/").content.decode()
    assert "This document or electronic result was not found." in missing


def test_certificate_names_read_as_names() -> None:
    assert (
        cert_name("Common Name: Ngô Văn Minh, Title: Chủ tịch, Organization: Ủy ban nhân dân "
                  "phường Cẩm Thành, Country: VN")
        == "Ngô Văn Minh – Chủ tịch (Ủy ban nhân dân phường Cẩm Thành)"
    )  # fmt: skip
    assert cert_name("Common Name: CA Gốc, Organization: Ban Cơ yếu, Country: VN") == (
        "CA Gốc (Ban Cơ yếu)"
    )
    assert cert_name("Organization: Sở Tư pháp, Country: VN") == "Sở Tư pháp"
    assert cert_name(None) == "" and cert_name("") == ""
