"""The revenue report: by agency, procedure, fee kind, method and day, the period's refunds, the
paid-online rate, the Excel export, and who may see it (docs/payments.md "Revenue report")."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congso.core.errors import PermissionDenied
from congso.payments import revenue, services
from congso.payments.base import PaymentOutcome, PaymentStatus
from tests.dossiers.conftest import at, clock, media, world  # noqa: F401
from tests.payments.conftest import FEE, fee_requested


def test_revenue_by_method_and_kind_with_the_online_rate(world, clock, settings):  # noqa: F811
    settings.VNPAY_PAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    settings.VNPAY_TMN_CODE = "CONGSO01"
    settings.VNPAY_HASH_SECRET = "secret"
    settings.OFFICER_2FA_REQUIRED = False
    first = fee_requested(world, clock)
    services.payment_record_counter(actor=world.reception_a, dossier=first, method="cash")
    second = fee_requested(world, clock)
    intent, _start = services.payment_start(
        actor=world.citizen_user, dossier=second, provider_id="vnpay", return_url="https://x/"
    )
    now = timezone.now()
    with_outcome = PaymentOutcome(
        reference=intent.reference,
        status=PaymentStatus.PAID,
        amount_vnd=FEE,
        provider_ref="14000001",
        paid_at=now,
        sent_at=now,
    )
    with transaction.atomic():
        assert (
            services.apply_outcome("vnpay", with_outcome, via="test", now=now).verdict == "applied"
        )
    intent.refresh_from_db()
    refund = services.refund_request(
        actor=world.reception_a, intent=intent, amount_vnd=1000, reason="Thu thừa"
    )
    services.refund_complete(actor=world.reception_a, refund=refund, provider_ref="UNC-1")

    day = timezone.localdate()
    report = revenue.revenue(world.reception_a, day, day)
    assert (report.payments, report.total_vnd, report.refunded_vnd, report.net_vnd) == (
        2,
        2 * FEE,
        1000,
        2 * FEE - 1000,
    )
    assert report.online_rate == 0.5 and report.online_rate_text == "50,0%"
    assert sorted((r.kind, r.method, r.amount_vnd) for r in report.rows) == [
        ("Lệ phí", "Nộp tại quầy (Tiền mặt)", FEE),
        ("Lệ phí", "Thanh toán trực tuyến qua VNPay", FEE),
    ]
    assert {r.agency for r in report.rows} == {"UBND xã A"}
    assert revenue.revenue(world.reception_b, day, day).payments == 0  # another agency
    with pytest.raises(PermissionDenied):
        revenue.revenue(world.specialist_a, day, day)
    assert revenue.revenue(world.monitor, day, day).payments == 2  # province-wide

    desk = Client()
    desk.force_login(world.reception_a)
    page = desk.get(reverse("payments:revenue"), {"tu": day.isoformat(), "den": day.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert "16.000" in text and "50,0%" in text and "Tiền mặt" in text
    export = desk.get(reverse("payments:revenue"), {"tu": day.isoformat(), "xuat": "xlsx"})
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book["Doanh thu"].iter_rows(values_only=True))
    assert rows[1][0] == "Ngày" and len(rows) == 4
    summary = dict(book["Tổng hợp"].iter_rows(values_only=True))
    assert summary["Thực thu (đồng)"] == 2 * FEE - 1000
    other = Client()
    other.force_login(world.specialist_a)
    assert other.get(reverse("payments:revenue")).status_code == 403
    # The operations dashboard's "paid online" block counts the same payments, per scope.
    agency = first.competent_agency_id
    assert revenue.paid_online(day, day, None) == (1, 2)
    assert revenue.paid_online(day, day, [agency]) == (1, 2)
    assert revenue.paid_online(day, day, [second.competent_agency_id + 10_000]) == (0, 0)
    watcher = Client()
    watcher.force_login(world.monitor)
    dashboard = watcher.get("/can-bo/chi-so/", {"tu": day.isoformat(), "den": day.isoformat()})
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert 'id="paid-online-rate"' in html and "50,0 %" in html
