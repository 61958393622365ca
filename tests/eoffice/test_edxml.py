"""edXML packages: what congso builds validates against its schema and verifies; a tampered,
unsigned, wrongly signed or malformed package is refused with the reason, and kept."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from lxml import etree

from congso.eoffice import edxml, exchange, seals
from congso.eoffice.models import Package
from tests.eoffice.conftest import OTHER_PROVINCE, SO, UBND, pdf_bytes

NOW = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC)


def document(**changes: object) -> edxml.DocumentPackage:
    values: dict[str, object] = {
        "sender": edxml.Organ(UBND, "Ủy ban nhân dân tỉnh Demo"),
        "recipients": (edxml.Organ(SO, "Sở Nội vụ"),),
        "code_number": "05",
        "code_notation": "QĐ-UBND",
        "promulgation_place": "Demo",
        "promulgation_date": datetime.date(2026, 12, 4),
        "type_code": "QD",
        "type_name": "Quyết định",
        "subject": "Về việc ban hành quy chế văn thư",
        "signer_competence": "TM.",
        "signer_position": "Chủ tịch",
        "signer_name": "Nguyễn Văn A",
        "attachments": (edxml.Attachment("file1", "qd.pdf", "application/pdf", pdf_bytes()),),
        "timestamp": NOW,
    }
    values.update(changes)
    return edxml.DocumentPackage(**values)  # type: ignore[arg-type]


def signed(package: edxml.DocumentPackage, organ: str = UBND) -> bytes:
    return edxml.sign(edxml.build_document(package), seals.seal_for(organ))


def test_a_built_package_validates_verifies_and_reads_back(seal_dir: Path) -> None:
    data = signed(document(due_date=datetime.date(2026, 12, 20), to_places=("Như Điều 3",)))
    parsed = edxml.read(data, ca_pem_file=str(seal_dir / "ca.pem"))
    assert parsed.kind == "edoc" and parsed.document is not None
    assert parsed.document.document_id == f"{UBND},2026/12/04,05/QĐ-UBND"
    assert parsed.document.signer_competence == "TM."
    assert parsed.document.attachments[0].data.startswith(b"%PDF-")
    assert parsed.document.due_date == datetime.date(2026, 12, 20)


def test_a_summary_of_several_lines_is_carried(seal_dir: Path) -> None:
    summary = "Triển khai văn bản điện tử:\n1. Số hóa hồ sơ;\n2. Lưu trữ điện tử."
    data = signed(document(content=summary))
    parsed = edxml.read(data, ca_pem_file=str(seal_dir / "ca.pem"))
    assert parsed.document is not None and parsed.document.content == summary
    # A text of spaces and line breaks only is still no text.
    blank = etree.tostring(edxml.build_document(document(content=" \n ")))
    with pytest.raises(edxml.PackageError) as refused:
        edxml.validate(blank)
    assert refused.value.outcome == "malformed"


def test_status_14_is_read_as_15(seal_dir: Path) -> None:
    status = edxml.StatusPackage(
        response_for=edxml.ResponseFor(UBND, "05/QĐ-UBND", datetime.date(2026, 12, 4), "x"),
        sender=edxml.Organ(SO, "Sở Nội vụ"),
        status_code="14",
        description="Đồng ý",
        timestamp=NOW,
    )
    data = edxml.sign(edxml.build_status(status), seals.seal_for(SO))
    parsed = edxml.read(data, ca_pem_file=str(seal_dir / "ca.pem"))
    assert parsed.status is not None and parsed.status.status_code == "15"


@pytest.mark.parametrize(
    ("mutate", "outcome"),
    [
        (lambda d: d.replace("Về việc ban hành".encode(), "Về việc bãi bỏ".encode()), "unsigned"),
        (lambda d: d.replace(b"QCVN_102_2016", b"QCVN_102_2099", 1), "malformed"),
        (lambda d: d.replace(b"<edXML:Subject>", b"<edXML:Subjekt>", 1), "malformed"),
        (lambda d: b'<!DOCTYPE x [<!ENTITY a "b">]>' + d.split(b"?>", 1)[1], "malformed"),
        (lambda d: d[: len(d) // 2], "malformed"),
    ],
    ids=["tampered", "wrong-namespace", "unknown-element", "entities", "truncated"],
)
def test_a_bad_package_is_refused(seal_dir: Path, mutate, outcome: str) -> None:
    data = mutate(signed(document()))
    with pytest.raises(edxml.PackageError) as refused:
        edxml.read(data, ca_pem_file=str(seal_dir / "ca.pem"))
    assert refused.value.outcome == outcome


def test_an_unsigned_package_is_refused(seal_dir: Path) -> None:
    root = edxml.build_document(document())
    placeholder = root.find(f"{{{edxml.NS}}}edXMLHeader/{{{edxml.DS}}}Signature")
    assert placeholder is not None
    placeholder.getparent().remove(placeholder)
    data = etree.tostring(root)
    with pytest.raises(edxml.PackageError) as refused:
        edxml.read(data, ca_pem_file=str(seal_dir / "ca.pem"))
    assert refused.value.outcome in ("unsigned", "malformed")


def test_a_package_signed_by_another_agency_is_refused(seal_dir: Path) -> None:
    data = signed(document(), organ=OTHER_PROVINCE)
    with pytest.raises(edxml.PackageError) as refused:
        edxml.read(data, ca_pem_file=str(seal_dir / "ca.pem"))
    assert refused.value.outcome == "unsigned"
    assert UBND in refused.value.message


def test_a_package_from_an_untrusted_authority_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    seals.issue_demo_seals(other, [UBND], ca_name="Another CA")
    data = edxml.sign(edxml.build_document(document()), seals.seal_for(UBND))
    with pytest.raises(edxml.PackageError) as refused:
        edxml.read(data, ca_pem_file=str(other / "ca.pem"))
    assert refused.value.outcome == "unsigned"


def test_missing_fields_are_refused_not_filled(seal_dir: Path) -> None:
    with pytest.raises(edxml.PackageError) as refused:
        edxml.sign(edxml.build_document(document(signer_name="")), seals.seal_for(UBND))
    assert refused.value.outcome == "malformed"


@pytest.mark.django_db
def test_a_refused_package_is_kept_for_inspection(seal_dir: Path) -> None:
    data = signed(document()).replace("Về việc ban hành".encode(), "Về việc bãi bỏ".encode())
    package = exchange.receive(data, remote_id="AX-1")
    assert package.outcome == Package.Outcome.UNSIGNED
    assert "chữ ký" in package.problem.lower()
    assert bytes(Package.objects.get(pk=package.pk).data) == data
    # The same axis message offered again is recognised.
    assert exchange.receive(data, remote_id="AX-1").pk == package.pk


@pytest.mark.django_db
def test_the_admin_shows_a_refused_package(settings, seal_dir: Path) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    settings.OFFICER_2FA_REQUIRED = False
    package = exchange.receive(b"<not-xml", remote_id="AX-2")
    client = Client()
    client.force_login(
        get_user_model().objects.create_user(username="root", is_staff=True, is_superuser=True)
    )
    for name in ("package", "document", "outboxitem", "registercounter", "documenttype"):
        assert client.get(reverse(f"admin:eoffice_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:eoffice_package_change", args=[package.pk]))
    assert page.status_code == 200 and "không phải XML hợp lệ" in page.content.decode()
