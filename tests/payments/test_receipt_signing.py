"""The e-receipt as a PDF: Vietnamese text, the amount in words, the look-up code, the QR to the
public verification page, signed with the collecting agency's seal key through congso.signing;
a cancelled receipt keeps its number (docs/payments.md "E-receipts")."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pypdf import PdfReader

from congso.payments.receipts import receipt_cancel
from congso.signing.models import SignatureRole, SignerProfile
from tests.dossiers.conftest import at, clock, media, world  # noqa: F401
from tests.payments.conftest import fee_requested

PASSPHRASE = "bien-lai"
SCREENS = Path("var/screens/payments")


@pytest.fixture(scope="module")
def seal_p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "UBND xã A (thử nghiệm)")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("seal") / "seal.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, cert, None, BestAvailableEncryption(PASSPHRASE.encode())
        )
    )
    return path


def test_the_receipt_is_signed_by_the_agency_and_a_cancelled_one_keeps_its_number(
    world,  # noqa: F811
    clock,  # noqa: F811
    settings,
    seal_p12,
):
    from congso.payments import services

    settings.SIGNING_P12_PASSPHRASE = PASSPHRASE
    settings.SIGNING_PUBLIC_URL = "https://dichvucong.quangngai.gov.vn"
    settings.OFFICER_2FA_REQUIRED = False
    SignerProfile.objects.create(
        user=world.leader_a,
        agency=world.commune_a,
        role=SignatureRole.SEAL,
        backend="soft_token",
        display_name="Ủy ban nhân dân xã A",
        title="Văn thư",
        config={"p12_path": str(seal_p12)},
    )
    dossier = fee_requested(world, clock, amount=125000)
    clock.set(at(2026, 3, 2, 10, 0))
    intent = services.payment_record_counter(
        actor=world.reception_a, dossier=dossier, method="cash"
    )
    citizen = Client()
    citizen.force_login(world.citizen_user)
    response = citizen.get(f"/thanh-toan/giao-dich/{intent.reference}/bien-lai.pdf")
    assert response.status_code == 200
    pdf = response.content
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(signature)
    assert status.intact and status.valid  # self-signed here: trusted is the PKI's business
    assert signature.field_name == "receipt_seal"
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    receipt = intent.receipt
    for expected in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "Một trăm hai mươi lăm nghìn đồng",
        receipt.lookup_code,
        f"/bien-lai/{receipt.lookup_code}/",
        "Công Dân Một",
    ):
        assert expected in " ".join(text.split()), expected
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS / "receipt.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                str(SCREENS / "receipt.pdf"),
                str(SCREENS / "receipt"),
            ],
            check=True,
        )
    # The public verification page: the number, not the payer's ID.
    page = Client().get(f"/bien-lai/{receipt.lookup_code}/").content.decode()
    assert receipt.number_text in page and dossier.applicant_id_number not in page

    receipt_cancel(actor=world.reception_a, receipt=receipt, reason="Thu nhầm số tiền")
    cancelled = citizen.get(f"/thanh-toan/giao-dich/{intent.reference}/bien-lai.pdf").content
    (signature,) = PdfFileReader(io.BytesIO(cancelled)).embedded_signatures
    assert validate_pdf_signature(signature).intact
    text = " ".join(PdfReader(io.BytesIO(cancelled)).pages[0].extract_text().split())
    assert "ĐÃ HỦY" in text and receipt.number_text in text
