"""The citizen pays from their dossier page in a real browser (Playwright driving Debian's
Chromium): the fee computed by the fee engine (the catalogue's charge with the online-submission
reduction, its legal basis shown), «Thanh toán» → the payment page → the VNPay simulator's
pay page → back to congso, where the payment shows paid with its receipt; a second dossier
shows its VietQR code, whose screenshot zbarimg decodes to a payload with a valid CRC.
Screenshots: ``var/screens/payments/``.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from congso.contrib.vietqr import emvco
from congso.dossiers.models import Dossier
from congso.dossiers.workflow import Status
from congso.payments.models import FeeRule, IntentStatus, PaymentIntent
from tests.dossiers.conftest import clock, media, world  # noqa: F401 - fixtures
from tests.payments.conftest import (  # noqa: F401 - fixtures
    FEE,
    fee_requested,
    gateway,
    vnpay_simulator,
)

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screens" / "payments"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def _signed_in(browser: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1000, "height": 900})
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def test_the_citizen_pays_from_the_dossier_page(
    browser,
    world,  # noqa: F811
    clock,  # noqa: F811
    gateway,  # noqa: F811
    live_server,
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The catalogue's charge, halved for an online submission (a rule as data, with its basis).
    world.version.fees = [{"name": "Lệ phí đăng ký khai sinh", "amount_vnd": 2 * FEE}]
    world.version.save()
    FeeRule.objects.create(
        name="Giảm 50% lệ phí khi nộp hồ sơ trực tuyến",
        kind="le_phi",
        channel="online",
        effect=FeeRule.Effect.PERCENT,
        value=50,
        legal_basis="Thông tư của Bộ Tài chính về mức thu khi nộp trực tuyến (ví dụ)",
        effective_from=datetime.date(2026, 1, 1),
    )
    dossier = fee_requested(world, clock, amount=None)
    context = _signed_in(browser, live_server, world.citizen_user)
    page = context.new_page()
    page.goto(f"{live_server.url}/ca-nhan/ho-so/{dossier.code}/")
    assert "8.000 đồng" in page.inner_text("#pay-title + p")
    lines = page.inner_text("[data-fee-lines]")
    assert "16.000 đồng" in lines and "Giảm 50%" in lines and "Bộ Tài chính" in lines
    assert "None" not in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "1-dossier.png"), full_page=True)
    page.click("[data-pay]")
    page.check("input[value=vnpay]")
    page.screenshot(path=str(SHOTS / "2-pay-page.png"), full_page=True)
    page.click("[data-pay-submit]")
    page.click("[data-gateway]")
    assert page.url.startswith(gateway.url)
    assert page.inner_text("#amount") == "8.000"
    page.screenshot(path=str(SHOTS / "3-gateway.png"), full_page=True)
    page.click("#pay")
    page.wait_for_url(f"{live_server.url}/thanh-toan/giao-dich/**")
    assert gateway.quiesce()
    page.reload()
    assert page.get_attribute("[data-payment-status]", "data-payment-status") == "paid"
    assert page.is_visible("text=Tải biên lai điện tử (PDF)")
    page.screenshot(path=str(SHOTS / "4-paid.png"), full_page=True)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING

    # A second dossier, by VietQR: the code on the page decodes to the payload.
    second = fee_requested(world, clock)
    page.goto(f"{live_server.url}/ca-nhan/ho-so/{second.code}/")
    page.click("[data-pay]")
    page.check("input[value=vietqr]")
    page.click("[data-pay-submit]")
    qr = page.locator("[data-vietqr]")
    qr.wait_for()
    page.wait_for_load_state("load")  # the QR image is loaded, not only laid out
    page.screenshot(path=str(SHOTS / "5-vietqr.png"), full_page=True)
    qr.screenshot(path=str(SHOTS / "6-qr.png"))
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is not installed: apt-get install zbar-tools")
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(SHOTS / "6-qr.png")],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.strip()
    fields = emvco.parse(decoded)  # the CRC checks or this raises
    assert fields["54"] == str(FEE) and fields["62.08"] == second.code
    assert fields["38.01.00"] == gateway.bank_bin
    gateway.transfer(amount=FEE, description=fields["62.08"])
    assert gateway.quiesce()
    page.reload()
    assert page.get_attribute("[data-payment-status]", "data-payment-status") == "paid"
    assert PaymentIntent.objects.get(dossier=second, provider="vietqr").status == IntentStatus.PAID
    context.close()
