"""The agency's seal signature at issue (issue 16): the clerk numbers an outgoing document the
leader signed and the agency's seal profile adds a second PAdES signature, an incremental
update whose stamp shows the number and date; both validate against the demo PKI (its OCSP,
CRL and TSA on loopback), the leader's unchanged. The stamps are in Vietnamese (pyHanko text
stamp, embedded DejaVu): the pages are rendered with pdftoppm for a look."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from congso.eoffice import services, signature
from congso.eoffice.models import Document, FileRole, State
from congso.eoffice.services import Recipient, Upload
from congso.signing import pki, validation
from congso.signing.models import Level, SignatureRole, SignerProfile
from tests.eoffice.conftest import World, pdf_bytes
from tests.signing.conftest import _free_port

pytestmark = pytest.mark.django_db
SCREENS = Path("var/screens/eoffice")


@pytest.fixture(scope="module")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pki.DemoPKI]:
    directory = tmp_path_factory.mktemp("pki")
    pki.generate(directory, base_url=f"http://127.0.0.1:{_free_port()}")
    demo = pki.DemoPKI(directory)
    server = pki.serve_in_thread(demo)
    yield demo
    server.shutdown()
    server.server_close()


@pytest.fixture
def sealed_world(world: World, settings: Any, demo_pki: pki.DemoPKI) -> World:
    """The UBND's leader signs with the demo PKI's chairman key, its clerk holds the seal."""
    settings.SIGNING_DEMO_PKI_DIR = demo_pki.directory
    settings.SIGNING_DEMO_PKI_URL = demo_pki.base_url
    settings.SIGNING_TRUST_ROOTS = [str(demo_pki.directory / "root.crt")]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_ONLINE_REVOCATION = True
    settings.SIGNING_P12_PASSPHRASE = pki.DEMO_PASSPHRASE
    office = world.ubnd
    SignerProfile.objects.filter(user=office.leader).update(
        config={"p12_path": "officers/chu-tich.p12"}, title="Phó Chủ tịch"
    )
    SignerProfile.objects.create(
        user=office.clerk,
        agency=office.agency,
        role=SignatureRole.SEAL,
        backend="soft_token",
        display_name=office.agency.name,
        title="Văn thư",
        config={"p12_path": "officers/van-thu.p12"},
    )
    return world


def _signed(world: World, subject: str = "Về việc triển khai chữ ký số cơ quan") -> Document:
    office = world.ubnd
    draft = services.draft_create(
        actor=office.specialist,
        agency_id=office.agency.pk,
        doc_type_code="CV",
        subject=subject,
        main=Upload("cong-van.pdf", pdf_bytes()),
        signer_id=office.leader.pk,
        signer_position="Phó Chủ tịch",
        signer_competence="KT.",
        recipients=[Recipient(name="Lưu: VT", channel="paper")],
        to_places=["Lưu: VT"],
        place="Demo",
        notation_suffix="UBND-VP",
        page_count=1,
    )
    services.draft_submit(actor=office.specialist, document_id=draft.pk, reviewer_ids=[])
    return services.document_sign(actor=office.leader, document_id=draft.pk)


def _main(document: Document) -> bytes:
    row = document.files.get(version=document.version, role=FileRole.MAIN)
    with row.file.open("rb") as handle:
        data: bytes = handle.read()
    assert signature.sha256(data) == row.sha256
    return data


def _look(pdf: bytes, name: str, tmp_path: Path) -> str:
    """Keep the PDF and its first page as PNG (var/screens/eoffice) and return its text."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    target = SCREENS / f"{name}.pdf"
    target.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "100",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(target),
                str(SCREENS / name),
            ],
            check=True,
            timeout=60,
        )
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return text


@pytest.mark.parametrize("level", [Level.B_B, Level.B_LT])
def test_the_seal_is_a_second_signature_and_the_leaders_stays_valid(
    sealed_world: World, settings: Any, level: str, tmp_path: Path
) -> None:
    settings.EOFFICE_SIGNATURE_LEVEL = level
    office = sealed_world.ubnd
    document = _signed(sealed_world)
    leader_signed = _main(document)
    before = validation.validate_pdf(leader_signed)
    assert [s.field_name for s in before.signatures] == [signature.FIELD]

    issued = services.document_issue(actor=office.clerk, document_id=document.pk)
    assert issued.state == State.ISSUED
    sealed = _main(issued)
    # An incremental update: the leader-signed file is the start of the sealed one.
    assert sealed.startswith(leader_signed) and len(sealed) > len(leader_signed)

    report = validation.validate_pdf(sealed)
    assert report.indication == validation.PASSED, report
    by_field = {s.field_name: s for s in report.signatures}
    assert set(by_field) == {signature.FIELD, signature.SEAL_FIELD}
    leader, seal = by_field[signature.FIELD], by_field[signature.SEAL_FIELD]
    assert leader.indication == seal.indication == validation.PASSED
    assert not leader.modified_after_signing and leader.certification == "FILL_FORMS"
    assert leader.signer.sha256 == before.signatures[0].signer.sha256
    assert seal.signer.common_name == "Lê Thị Mai" and seal.certification is None
    assert leader.level == seal.level == level
    # The leader's signature covers the bytes it signed before the seal (B-LT: then its DSS).
    reader = PdfFileReader(io.BytesIO(sealed))
    first = next(s for s in reader.embedded_signatures if s.field_name == signature.FIELD)
    assert first.byte_range[-2] + first.byte_range[-1] <= len(leader_signed)

    text = _look(sealed, f"van-ban-dong-dau-{level.lower()}", tmp_path)
    flat = " ".join(text.split())
    assert "Chữ ký số của cơ quan" in flat
    assert f"Số: {issued.number_notation}" in flat
    assert f"Ngày ban hành: {issued.issued_on:%d/%m/%Y}" in flat
    assert "Ký bởi: Nguyễn Văn UB" in flat and "Cơ quan: Ủy ban nhân dân tỉnh Demo" in flat
    assert "Thời gian ký:" in flat
    for english in ("Digitally signed", "Timestamp", "Signed by"):
        assert english not in text

    event = AuditEvent.objects.filter(action="eoffice.document.seal").get()
    assert event.after["sha256"] == signature.sha256(sealed)
    assert event.after["level"] == level


def test_a_seal_that_fails_takes_no_number_and_keeps_the_file(
    sealed_world: World, settings: Any
) -> None:
    office = sealed_world.ubnd
    document = _signed(sealed_world)
    leader_signed = _main(document)
    SignerProfile.objects.filter(role=SignatureRole.SEAL).update(
        config={"p12_path": "officers/khong-co.p12"}
    )
    with pytest.raises(DomainError) as caught:
        services.document_issue(actor=office.clerk, document_id=document.pk)
    assert caught.value.code == "signer_key_missing"
    document.refresh_from_db()
    assert document.state == State.SIGNED and document.register_number is None
    assert _main(document) == leader_signed
    assert not AuditEvent.objects.filter(action="eoffice.document.issue").exists()
    # With the key back the same document takes number 1: no gap.
    SignerProfile.objects.filter(role=SignatureRole.SEAL).update(
        config={"p12_path": "officers/van-thu.p12"}
    )
    issued = services.document_issue(actor=office.clerk, document_id=document.pk)
    assert issued.register_number == 1


def test_no_seal_profile_issues_unsealed_unless_required(
    sealed_world: World, settings: Any
) -> None:
    office = sealed_world.ubnd
    SignerProfile.objects.filter(role=SignatureRole.SEAL).update(active=False)
    settings.EOFFICE_SEAL_REQUIRED = True
    document = _signed(sealed_world)
    with pytest.raises(DomainError) as caught:
        services.document_issue(actor=office.clerk, document_id=document.pk)
    assert caught.value.code == "no_seal_profile"
    settings.EOFFICE_SEAL_REQUIRED = False
    issued = services.document_issue(actor=office.clerk, document_id=document.pk)
    report = validation.validate_pdf(_main(issued))
    assert [s.field_name for s in report.signatures] == [signature.FIELD]
    assert report.indication == validation.PASSED


def test_an_issued_document_is_verified_on_the_public_page(
    sealed_world: World, settings: Any, tmp_path: Path
) -> None:
    """The QR code on the seal's stamp opens /xac-thuc/<token>/: the stored original's report;
    a copy uploaded there is compared byte for byte. A confidential document gets no page."""
    from django.test import Client

    settings.SIGNING_PUBLIC_URL = "http://congso.test"
    office = sealed_world.ubnd
    document = _signed(sealed_world, subject="Về việc công khai kết quả xác thực văn bản")
    issued = services.document_issue(actor=office.clerk, document_id=document.pk)
    url = signature.verify_url(issued)
    assert url.startswith("http://congso.test/xac-thuc/") and url.endswith("/")
    sealed = _main(issued)
    # The QR code is on the page (zbarimg reads it back when installed).
    _look(sealed, "van-ban-dong-dau-qr", tmp_path)
    if shutil.which("zbarimg"):
        sharp = tmp_path / "qr.png"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", "-singlefile", "-",
             str(sharp.with_suffix(""))],
            input=sealed,
            check=True,
            timeout=60,
        )  # fmt: skip
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(sharp)],
            capture_output=True,
            check=False,
            timeout=60,
        ).stdout.decode()
        assert url in decoded

    client = Client()
    path = url.removeprefix("http://congso.test")
    page = client.get(path).content.decode()
    assert "Xác thực văn bản điện tử có chữ ký số" in page
    assert f"Bản gốc lưu tại cơ quan: {issued.number_notation}" in page
    assert "Về việc công khai kết quả xác thực văn bản" in page
    assert "Kết luận: Hợp lệ" in page
    assert (
        "Không hợp lệ" not in page and "kết quả điện tử" not in page.lower().split("<h1>")[1][:80]
    )
    copy = io.BytesIO(sealed)
    copy.name = "cong-van.pdf"
    compared = client.post(path, {"file": copy}).content.decode()
    assert "Bản tải lên trùng khớp từng byte với bản gốc." in compared
    xml = client.get(path + "bao-cao.xml")
    assert xml.status_code == 200 and b"total-passed" in xml.content
    # The clerk's document page gives the same address.
    settings.OFFICER_2FA_REQUIRED = False
    officer = Client()
    officer.force_login(office.clerk)
    detail = officer.get(f"/can-bo/van-ban/{issued.pk}/").content.decode()
    assert f'<a class="hash" href="{url}">{url}</a>' in detail

    # Unknown token, and a confidential document: no page, no token.
    assert client.get("/xac-thuc/khong-co-ma-nay/").status_code == 404
    secret = _signed(sealed_world, subject="Văn bản mật")
    Document.objects.filter(pk=secret.pk).update(confidentiality=1)
    secret = services.document_issue(actor=office.clerk, document_id=secret.pk)
    assert signature.verify_url(secret) == ""
    assert signature.public_token(secret) is None
