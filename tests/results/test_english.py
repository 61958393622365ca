"""The e-result pages in English (the results app's catalogue; the verification page's is
signing's): the officer's panel and confirmation pages, the citizen's download card and the
public verification page of a result."""

from __future__ import annotations

from typing import Any

import pytest

from congso.dossiers import services as dossier_services
from congso.results import services
from congso.signing.models import SignatureRole
from tests.backoffice.test_english import _in_english, english
from tests.dossiers.conftest import Clock, World, fresh
from tests.results.test_services import _profile
from tests.results.test_workspace import _at_leader_step, _template

pytestmark = pytest.mark.django_db


def test_officer_pages_in_english(world: World, clock: Clock, settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    _template(world, ["approval", "seal"])
    dossier = _at_leader_step(world, clock)
    base = f"/can-bo/ho-so/{dossier.code}"
    specialist = english(world.specialist_a)
    _in_english(
        specialist,
        f"{base}/",
        ["Electronic result (digitally signed)", "signing order:", "leader signs to approve",
         "records clerk applies the agency seal", "No electronic result has been prepared yet.",
         "Prepare the electronic result"],
        ["Kết quả điện tử (ký số)", "ký theo thứ tự", "lãnh đạo ký duyệt", "Trực tuyến",
         "Chưa lập kết quả điện tử", "Lập kết quả điện tử"],
    )  # fmt: skip
    _in_english(
        specialist,
        f"{base}/ket-qua/lap/",
        ["Confirm: Prepare the electronic result", "is recorded in the audit log", "Cancel"],
        ["Xác nhận:", "nhật ký kiểm toán", "Văn bản «", ">Hủy<"],
    )
    assert specialist.post(f"{base}/ket-qua/lap/").status_code == 302
    _in_english(
        specialist,
        f"{base}/?ketqua=lap",
        ["The electronic result has been prepared", "No digital signature yet.", "Waiting for:",
         "Awaiting signature", "Leader&#x27;s approval signature",
         "View / print the result (PDF)", "Prepare the electronic result again"],
        ["Đã lập kết quả điện tử", "Chưa có chữ ký số", "Đang chờ:", "Xem / in kết quả", "Chờ ký",
         "Lãnh đạo ký duyệt",
         "Lập lại kết quả điện tử"],
    )  # fmt: skip

    _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    _in_english(
        english(world.leader_a),
        f"{base}/ket-qua/1/ky/",
        ["Confirm: Sign the electronic result", "Sign with the digital signature",
         "View the document before signing (PDF)", "signature level",
         "A digital signature is legally binding"],
        ["Ký số kết quả điện tử", "Ký với chữ ký số", "Xem văn bản trước khi ký",
         "mức chữ ký", "Chữ ký số có giá trị pháp lý"],
    )  # fmt: skip


def test_citizen_card_and_verification_page_in_english(
    world: World, clock: Clock, settings: Any
) -> None:
    settings.SIGNING_TSA_URL = ""
    _template(world, ["approval"])
    dossier = _at_leader_step(world, clock)
    result = services.result_prepare(actor=world.specialist_a, dossier=dossier)
    profile = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    services.result_sign(actor=world.leader_a, result=result, profile=profile)
    dossier_services.dossier_complete(
        actor=world.leader_a,
        dossier=fresh(dossier),
        result_summary="Đã đăng ký khai sinh, cấp Trích lục khai sinh (bản điện tử).",
    )
    result.refresh_from_db()

    _in_english(
        english(world.citizen_user),
        f"/ca-nhan/ho-so/{dossier.code}/",
        ["Electronic result", "the same legal value as the paper copy", "Signed at",
         "Verify the digital signature"],
        ["Kết quả điện tử", "giá trị pháp lý", "Ký số xong lúc", "Kiểm tra chữ ký số"],
    )  # fmt: skip
    _in_english(
        english(),
        f"/xac-thuc/{result.public_token}/",
        ["Verify a digitally signed electronic result", "Original kept by the agency",
         "Conclusion: Valid", "The signature is valid and the document is intact.",
         "1 signature", "Signature level", "Certificate chain", "Checked at",
         "(Vietnam time)", "certification signature: after signing, only filling in forms",
         "the whole file", "Signer's certificate", "serial number",
         "Compare your copy with the original", "Download the validation report as XML"],
        ["Xác thực kết quả điện tử", "Bản gốc lưu tại cơ quan", "Kết luận:", "1 chữ ký", "Hợp lệ",
         "văn bản còn nguyên vẹn", "Mức chữ ký", "Chuỗi chứng thư", "So sánh bản đang giữ",
         "Tải báo cáo xác thực"],
    )  # fmt: skip
    _in_english(
        english(),
        "/xac-thuc/",
        ["Verify a digitally signed document", "Choose the PDF file", ">Check<"],
        ["Xác thực văn bản ký số", "Chọn tệp PDF", ">Kiểm tra<"],
    )


def test_every_result_label_has_its_english_text() -> None:
    from django.utils import translation

    from congso.portal.templatetags.congso_ui import ui
    from congso.results.labels import LABELS
    from congso.results.models import ResultStatus

    assert set(ResultStatus.labels) <= set(LABELS)
    with translation.override("en"):
        untranslated = [label for label in LABELS if ui(label) == label]
    assert untranslated == []
