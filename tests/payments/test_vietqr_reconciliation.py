"""VietQR (the EMVCo payload, the QR image decoded by zbarimg, the bank's signed webhook) and the
daily reconciliation of the gateway's and the bank's statements from the simulator, with planted
mismatches listed for the officer and exported to Excel with inert cells."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from congso.contrib.vietqr import emvco
from congso.core.errors import Conflict, PermissionDenied
from congso.dossiers.models import Dossier
from congso.dossiers.workflow import Status
from congso.payments import reconciliation, services
from congso.payments.models import Callback, IntentStatus, Mismatch, PaymentIntent, Receipt
from tests.dossiers.conftest import VN
from tests.payments.conftest import FEE, fee_requested, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_crc_is_ccitt_false() -> None:
    assert emvco.crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogue's check value


def test_the_payload_has_the_napas_fields_and_reads_back() -> None:
    code = "000.00.12.H51-261204-0007"
    text = emvco.payload(bank_bin="970415", account="113000001234", amount_vnd=8000, purpose=code)
    fields = emvco.parse(text)
    assert fields["00"] == "01" and fields["01"] == "12"
    assert fields["38.00"] == "A000000727" and fields["38.02"] == "QRIBFTTA"
    assert fields["38.01.00"] == "970415" and fields["38.01.01"] == "113000001234"
    assert fields["53"] == "704" and fields["54"] == "8000" and fields["58"] == "VN"
    assert fields["62.08"] == code
    broken = text[:-1] + ("0" if text[-1] != "0" else "1")
    with pytest.raises(ValueError, match="CRC"):
        emvco.parse(broken)
    assert emvco.purpose_text("Đăng ký khai sinh") == "Dang ky khai sinh"


def _decode(png: bytes, tmp_path: Any) -> str:
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is not installed: apt-get install zbar-tools")
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    done = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, check=True, text=True
    )
    return done.stdout.strip()


def _vietqr(world: Any, dossier: Dossier) -> tuple[Client, PaymentIntent]:
    client = Client()
    client.force_login(world.citizen_user)
    response = client.post(reverse("payments:pay", args=[dossier.code]), {"provider": "vietqr"})
    intent = PaymentIntent.objects.get(dossier=dossier, status="pending")
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:status", args=[intent.reference])
    return client, intent


def test_paid_by_vietqr_confirmed_by_the_banks_webhook_once(world, clock, gateway, tmp_path):
    dossier = fee_requested(world, clock)
    client, intent = _vietqr(world, dossier)
    page = client.get(reverse("payments:status", args=[intent.reference])).content.decode()
    assert "data-vietqr" in page and "113000001234" in page
    png = client.get(reverse("payments:qr", args=[intent.reference]))
    assert png["Content-Type"] == "image/png"
    fields = emvco.parse(_decode(png.content, tmp_path))  # raises if the CRC is wrong
    assert fields["54"] == str(FEE) and fields["62.08"] == dossier.code

    gateway.faults("duplicate")
    gateway.transfer(amount=FEE, description=f"MBVCB.123 {fields['62.08']} chuyen tien")
    assert wait_for(lambda: PaymentIntent.objects.get(pk=intent.pk).status == IntentStatus.PAID)
    assert gateway.quiesce()
    verdicts = sorted(Callback.objects.filter(provider="vietqr").values_list("verdict", flat=True))
    assert verdicts == ["applied", "duplicate"]
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING
    assert Receipt.objects.filter(intent=intent).count() == 1


def test_a_forged_or_short_bank_webhook_is_refused(world, clock, gateway):
    dossier = fee_requested(world, clock)
    _client, intent = _vietqr(world, dossier)
    gateway.faults("forged")
    gateway.transfer(amount=FEE, description=dossier.code)
    gateway.faults("wrong_amount")
    gateway.transfer(amount=FEE, description=dossier.code)
    assert gateway.quiesce()
    verdicts = sorted(Callback.objects.filter(provider="vietqr").values_list("verdict", flat=True))
    assert verdicts == ["amount", "checksum"]
    assert PaymentIntent.objects.get(pk=intent.pk).status == IntentStatus.PENDING
    assert [w["status"] for w in gateway.state()["webhooks"]] == [400, 400]


def _upload(client: Client, provider: str, day: datetime.date, content: bytes) -> Any:
    return client.post(
        reverse("payments:mismatches"),
        {
            "provider": provider,
            "day": day.isoformat(),
            "file": SimpleUploadedFile("bang-ke.csv", content, content_type="text/csv"),
        },
    )


def test_reconciliation_settles_vietqr_and_lists_planted_mismatches(world, clock, gateway):
    today = clock.now.astimezone(VN).date()
    # VietQR without a webhook: the transfer is only on the bank's statement.
    gateway.configure(bank_webhook="")
    by_qr = fee_requested(world, clock)
    _client, qr_intent = _vietqr(world, by_qr)
    gateway.transfer(amount=FEE, description=f"{by_qr.code} nop le phi")
    gateway.transfer(amount=50_000, description='=HYPERLINK("http://x.example","Xem")')

    # Three gateway payments: one normal, one whose IPN never comes, one the bank books
    # differently (the statement is tampered with below, as a bank error would show).
    def paid_by_gateway(*faults: str) -> PaymentIntent:
        dossier = fee_requested(world, clock)
        intent, start = services.payment_start(
            actor=world.citizen_user, dossier=dossier, provider_id="vnpay", return_url="http://x/"
        )
        gateway.faults(*faults)
        gateway.pay(start.url)
        return intent

    dropped, silent, differs = paid_by_gateway(), paid_by_gateway("no_ipn"), paid_by_gateway()
    assert gateway.quiesce()
    assert PaymentIntent.objects.get(pk=silent.pk).status == IntentStatus.PENDING

    officer = Client()
    officer.force_login(world.reception_a)
    bank = gateway.statement(today, bank=True)
    answer = _upload(officer, "vietqr", today, bank)
    assert answer.status_code == 302 and answer["Location"] == reverse("payments:mismatches")
    qr_intent.refresh_from_db()
    assert qr_intent.status == IntentStatus.PAID and qr_intent.provider_ref.startswith("FT")
    assert Dossier.objects.get(pk=by_qr.pk).status == Status.PROCESSING
    assert Receipt.objects.filter(intent=qr_intent).exists()
    again = _upload(officer, "vietqr", today, bank)
    assert again.status_code == 400 and "đã được nhập" in again.content.decode()

    # The simulator also writes the day's statement files in its run directory.
    assert (gateway.run_dir / f"bank-{today:%Y%m%d}.csv").read_bytes() == bank
    lines = gateway.statement(today).decode().splitlines()
    assert (gateway.run_dir / f"vnpay-{today:%Y%m%d}.csv").read_text().splitlines() == lines
    kept = [line for line in lines if dropped.reference not in line]
    kept = [
        line.replace(f",{FEE},", f",{FEE + 2000},") if differs.reference in line else line
        for line in kept
    ]
    assert len(kept) == len(lines) - 1
    assert _upload(officer, "vnpay", today, ("\n".join(kept) + "\n").encode()).status_code == 302

    found = {(m.kind, m.intent_id, m.statement_vnd, m.recorded_vnd) for m in Mismatch.objects.all()}
    assert found == {
        ("not_recorded", None, 50_000, None),
        ("not_recorded", silent.pk, FEE, None),
        ("not_paid", dropped.pk, None, FEE),
        ("amount_differs", differs.pk, FEE + 2000, FEE),
    }
    page = officer.get(reverse("payments:mismatches")).content.decode()
    assert page.count("data-kind=") == 4 and silent.dossier.code in page

    export = officer.get(reverse("payments:mismatches") + "?xuat=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5 and rows[0][0] == "Bảng kê"
    injected = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if cell.value and str(cell.value).startswith("=")
    ]
    assert injected and all(cell.data_type == "s" for cell in injected)

    mismatch = Mismatch.objects.get(kind="not_recorded", intent=silent)
    reconciliation.mismatch_resolve(
        actor=world.reception_a, mismatch=mismatch, resolution="Đã tra soát với VNPay."
    )
    with pytest.raises(Conflict):
        reconciliation.mismatch_resolve(actor=world.reception_a, mismatch=mismatch, resolution="x")
    assert reconciliation.open_mismatches(world.reception_a).count() == 3


def test_only_officers_reconcile(world, clock, gateway):
    citizen = Client()
    citizen.force_login(world.citizen_user)
    assert citizen.get(reverse("payments:mismatches")).status_code == 403
    with pytest.raises(PermissionDenied):
        reconciliation.open_mismatches(world.citizen_user)
