"""Signing serves any document (issue 14 item 4): a PDF that is no e-result — no dossier, no
result template, nothing stored by results — gets its fields, is certified then approved with
officers' keys through the byte-level API of ``congso.signing.services``, validates, and is shown
by the public verification page through a look-up of its own owner."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from congso.core.errors import PermissionDenied
from congso.org.models import Agency
from congso.signing import services, validation
from congso.signing.models import SignatureRole, SignerProfile
from congso.signing.validation import PASSED
from congso.signing.verification import StoredDocument, stored_documents
from tests.signing.conftest import stamp

FIELDS = {"Sig1_approval": (350, 40, 560, 120), "Sig2_seal": (40, 40, 250, 120)}


def _memo() -> bytes:
    """An office memo drawn with reportlab alone (not a result of ``congso.results``)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.drawString(72, 760, "Office memo TB-12-UBND (e-office)")
    canvas.showPage()
    canvas.save()
    return services.add_fields(buffer.getvalue(), FIELDS)


def _profile(officer: str, role: str, user_id: int | None = None) -> SignerProfile:
    profile = SignerProfile(
        user_id=user_id,
        role=role,
        backend="soft_token",
        display_name=officer,
        title="Chủ tịch",
        config={"p12_path": f"officers/{officer}.p12"},
    )
    profile.agency = Agency(name="Ủy ban nhân dân xã Tịnh Khê")
    return profile


def _signed_memo() -> tuple[bytes, list[services.Signed]]:
    first = services.sign_pdf(
        _memo(),
        profile=_profile("chu-tich", SignatureRole.APPROVAL),
        field_name="Sig1_approval",
        level="B-T",
        certify=True,
        stamp=stamp(),
        reason="Ký thông báo",
    )
    second = services.sign_pdf(
        first.pdf,
        profile=_profile("van-thu", SignatureRole.SEAL),
        field_name="Sig2_seal",
        level="B-B",
        certify=False,
        stamp_pdf=None,
        reason="Đóng dấu",
    )
    return second.pdf, [first, second]


def test_a_document_that_is_no_e_result_is_signed_and_validates() -> None:
    pdf, made = _signed_memo()
    assert [s.certify for s in made] == [True, False]
    assert made[0].info.serial != made[1].info.serial  # two officers, two certificates
    report = validation.validate_pdf(pdf)
    assert report.indication == PASSED
    assert [(s.field_name, s.indication) for s in report.signatures] == [
        ("Sig1_approval", PASSED),
        ("Sig2_seal", PASSED),
    ]
    assert report.signatures[0].certification is not None


def test_only_the_holder_of_an_active_profile_signs() -> None:
    holder = type("User", (), {"pk": 7})()
    other = type("User", (), {"pk": 8})()
    services.check_signer(holder, _profile("chu-tich", SignatureRole.APPROVAL, user_id=7))
    with pytest.raises(PermissionDenied) as refused:
        services.check_signer(other, _profile("chu-tich", SignatureRole.APPROVAL, user_id=7))
    assert refused.value.code == "not_your_key"
    inactive = _profile("chu-tich", SignatureRole.APPROVAL, user_id=7)
    inactive.active = False
    with pytest.raises(PermissionDenied):
        services.check_signer(holder, inactive)


@pytest.fixture
def memo_owner() -> Iterator[dict[str, Any]]:
    """Another app's stored documents, registered on the verification page as results does."""
    pdf, _made = _signed_memo()
    kept = {
        "memo-12-token": StoredDocument(
            code="TB-12-UBND",
            title="Thông báo họp giao ban",
            sha256=hashlib.sha256(pdf).hexdigest(),
            public_token="memo-12-token",
            read=lambda: pdf,
        )
    }
    stored_documents.register("tests.office_memos")(kept.get)
    yield {"pdf": pdf, "documents": kept}
    stored_documents.unregister("tests.office_memos")


@pytest.mark.django_db
def test_the_verification_page_shows_another_apps_document(memo_owner: dict[str, Any]) -> None:
    client = Client()
    page = client.get("/xac-thuc/memo-12-token/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "TB-12-UBND" in html and "Thông báo họp giao ban" in html
    assert "Hợp lệ" in html and "2 chữ ký" in html
    same = io.BytesIO(memo_owner["pdf"])
    same.name = "memo.pdf"
    compared = client.post("/xac-thuc/memo-12-token/", {"file": same}).content.decode()
    assert "trùng khớp từng byte" in compared
    xml = client.get("/xac-thuc/memo-12-token/bao-cao.xml")
    assert xml["Content-Disposition"].endswith('TB-12-UBND-bao-cao-xac-thuc.xml"')
    assert client.get("/xac-thuc/no-such-token/").status_code == 404
