"""The pages added for issue 16's "Pages" (``congso/eoffice/pages.py``) and the labels of the
choices (``congso/eoffice/labels.py``): a paper entry refused to a non-clerk and kept whole on
bad input; a correction with nothing changed refused in words; 15 answering an update is not a
recall answer (the record can still be recalled, the sender is not marked recalled); every
choice has a label equal to the model's wording in Vietnamese and translated in English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from congso.eoffice import labels, selectors, services
from congso.eoffice.models import Document, IncomingUpdate, State
from tests.eoffice.conftest import SO, XA, World, pdf_bytes
from tests.eoffice.test_flow import incoming, issue

pytestmark = pytest.mark.django_db


def _client(user: Any, settings: Any) -> Client:
    settings.OFFICER_2FA_REQUIRED = False
    client = Client()
    client.force_login(user)
    return client


def _entry(world: World, main: SimpleUploadedFile) -> dict[str, Any]:
    return {
        "agency": world.ubnd.agency.pk,
        "received_by": "paper",
        "doc_type": "QD",
        "issuer_name": "Bộ Nội vụ",
        "code_number": "1234",
        "code_notation": "1234/QĐ-BNV",
        "issued_on": "2026-11-20",
        "subject": "Về việc ban hành Kế hoạch kiểm tra công tác văn thư, lưu trữ năm 2027",
        "signer_name": "Trần Văn Khải",
        "signer_position": "Thứ trưởng",
        "urgency": "0",
        "confidentiality": "0",
        "page_count": "3",
        "main": main,
    }


def test_the_paper_entry_is_the_clerks_and_keeps_nothing_half_written(
    world: World, settings: Any
) -> None:
    specialist = _client(world.ubnd.specialist, settings)
    assert specialist.get("/can-bo/van-ban/nhap-van-ban-den/").status_code == 403
    clerk = _client(world.ubnd.clerk, settings)
    text = SimpleUploadedFile("ghi-chu.pdf", b"khong phai PDF", content_type="application/pdf")
    response = clerk.post("/can-bo/van-ban/nhap-van-ban-den/", _entry(world, text))
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    assert not Document.objects.filter(code_number="1234").exists()
    scan = SimpleUploadedFile("qd-1234.pdf", pdf_bytes(3), content_type="application/pdf")
    response = clerk.post("/can-bo/van-ban/nhap-van-ban-den/", _entry(world, scan))
    assert response.status_code == 302
    document = Document.objects.get(code_number="1234")
    # "1234/QĐ-BNV" typed whole: the notation keeps the part after the slash.
    assert document.number_notation == "1234/QĐ-BNV" and document.state == State.ARRIVED
    assert document.versions.get().note == "Văn bản giấy (bản quét)"


def test_a_correction_needs_a_change_and_a_15_to_an_update_is_no_recall(
    world: World, pump: Callable[[], None], settings: Any
) -> None:
    document = issue(world)
    pump()
    clerk = _client(world.ubnd.clerk, settings)
    url = f"/can-bo/van-ban/{document.pk}/cap-nhat/"
    assert _client(world.ubnd.specialist, settings).get(url).status_code == 403
    form = {
        "subject": document.subject,
        "content": document.content,
        "to_places": "\n".join(document.to_places),
        "urgency": str(document.urgency),
        "page_count": str(document.page_count or ""),
        "reason": "Đính chính hạn báo cáo",
    }
    response = clerk.post(url, form)
    assert response.status_code == 400
    assert "Chưa có thông tin nào thay đổi" in response.content.decode()
    assert Document.objects.get(pk=document.pk).version == 1
    response = clerk.post(url, {**form, "reply_due": "2027-01-15"})
    assert response.status_code == 302
    pump()
    for code, clerk_of in ((SO, world.so.clerk), (XA, world.xa.clerk)):
        update = IncomingUpdate.objects.get(document=incoming(world, code))
        services.incoming_update_decide(actor=clerk_of, update_id=update.pk, accept=True)
    pump()
    sent = Document.objects.get(pk=document.pk)
    assert sent.state == State.ISSUED  # every recipient answered 15, to the update
    services.document_recall(actor=world.ubnd.clerk, document_id=sent.pk, reason="Gửi nhầm")
    pump()
    copy = incoming(world, XA)
    assert selectors.recall_pending(copy)
    assert copy.pk in [d.pk for d in selectors.my_work(world.xa.clerk)["clerk"]]
    services.incoming_recall_answer(actor=world.xa.clerk, document_id=copy.pk, accept=True)
    assert not selectors.recall_pending(incoming(world, XA))


def test_every_choice_reads_the_models_wording_in_vietnamese_and_english_in_english() -> None:
    for kind, choices in labels.WIRE.items():
        for value, wording in choices.choices:
            with translation.override("vi"):
                assert str(labels.label(kind, value)) == wording == labels.wire(kind, value)
            with translation.override("en"):
                english = str(labels.label(kind, value))
                assert english and english != wording, (kind, value)
    with translation.override("en"):
        assert str(labels.label("state", "recalled")) == "Recalled"
        assert labels.status_text("06", "Đã trả lời bằng văn bản số 01/BC-SNV.") == (
            "Answered by document no. 01/BC-SNV."
        )
        assert labels.status_text("02", "Sai nơi nhận") == "Returned by the recipient: Sai nơi nhận"
    with translation.override("vi"):
        assert labels.status_text("15", "Đồng ý thu hồi.") == "Đồng ý thu hồi."


def test_the_api_enters_a_paper_document_and_the_clerk_only(world: World) -> None:
    from tests.eoffice.test_api import call, file

    client = Client()
    body = {
        "agency": world.ubnd.agency.pk,
        "received_by": "email",
        "doc_type": "CV",
        "issuer_name": "Sở Tài chính tỉnh Demo",
        "code_number": "87",
        "code_notation": "STC-NS",
        "issued_on": "2026-12-01",
        "subject": "V/v hướng dẫn quyết toán kinh phí chuyển đổi số năm 2026",
        "main": file("cv-87-stc.pdf", pdf_bytes(2)),
        "page_count": 2,
    }
    refused = call(client, world.ubnd.specialist, "/incoming", body)
    assert refused.status_code == 403, refused.content
    wrong = call(client, world.ubnd.clerk, "/incoming", {**body, "received_by": "fax"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_choice"
    created = call(client, world.ubnd.clerk, "/incoming", body)
    assert created.status_code == 201, created.content
    document = Document.objects.get(pk=created.json()["id"])
    assert document.state == State.ARRIVED and document.number_notation == "87/STC-NS"
    assert document.versions.get().note == "Nhận qua thư điện tử"


def test_a_draft_made_on_the_page_has_its_recipients_and_files(world: World, settings: Any) -> None:
    """The «Soạn văn bản» page: agencies chosen from the directory, paper recipients one a
    line, the main PDF and an annex — the draft as the services wrote it."""
    specialist = _client(world.ubnd.specialist, settings)
    page = specialist.get("/can-bo/van-ban/soan/").content.decode()
    assert 'name="subject"' in page and 'name="attachments"' in page and "Lưu dự thảo" in page
    answer = specialist.post(
        "/can-bo/van-ban/soan/",
        {
            "agency": world.ubnd.agency.pk,
            "doc_type": "CV",
            "subject": "Về việc rà soát thủ tục hành chính năm 2027",
            "content": "Đề nghị các đơn vị:\n1. Rà soát;\n2. Báo cáo trước 15/01/2027.",
            "notation_suffix": "UBND-VP",
            "place": "Demo",
            "signer": world.ubnd.leader.pk,
            "signer_competence": "KT.",
            "signer_position": "Phó Chủ tịch",
            "recipients": [SO],
            "paper": "Lưu: VT\nVăn phòng Đoàn ĐBQH tỉnh",
            "to_places": "Như trên\nLưu: VT",
            "urgency": "0",
            "confidentiality": "0",
            "page_count": "2",
            "main": SimpleUploadedFile("cong-van.pdf", pdf_bytes(2), "application/pdf"),
            "attachments": [SimpleUploadedFile("phu-luc.pdf", pdf_bytes(), "application/pdf")],
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    draft = Document.objects.get(subject="Về việc rà soát thủ tục hành chính năm 2027")
    assert draft.state == State.DRAFT and draft.signer_id == world.ubnd.leader.pk
    sent_to = sorted(
        (d.recipient_name, d.recipient_code, d.channel) for d in draft.dispatches.all()
    )
    assert ("Lưu: VT", "", "paper") in sent_to and any(code == SO for _, code, _ in sent_to)
    assert sorted(f.role for f in draft.files.all()) == ["attachment", "main"]
    assert draft.content.startswith("Đề nghị các đơn vị:\n1.")
