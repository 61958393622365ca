"""Revenue from fees and charges (phí, lệ phí): what was collected, by collecting agency,
procedure, fee kind, method and day, with the refunds of the period and the paid-online rate
(docs/payments.md "Revenue report"). Read-only; an Excel export through
:mod:`congso.core.spreadsheet` (citizen text stays text).

Scope: a reception officer, leader or agency administrator sees the agencies where they hold
that role; a monitor or province administrator sees every agency of their province; a superuser
sees all. A payment counts on the day it was paid (local time); each frozen fee line counts under
its kind, so the rows add up to the amounts paid.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from congso.core.errors import PermissionDenied
from congso.core.spreadsheet import append_row
from congso.core.types import Actor
from congso.org.models import Agency, Role
from congso.org.permissions import current_roles, is_superuser
from congso.payments import fees
from congso.payments.models import SETTLED, PaymentIntent, Refund
from congso.payments.receipts import method_label

AGENCY_ROLES = (Role.RECEPTION, Role.LEADER, Role.AGENCY_ADMIN)
PROVINCE_ROLES = (Role.MONITOR, Role.PROVINCE_ADMIN)
MAX_DAYS = 366


def agencies_in_scope(actor: Actor) -> QuerySet[Agency]:
    if is_superuser(actor):
        return Agency.objects.all()
    own = current_roles(actor, AGENCY_ROLES).values("agency_id")
    provinces = (
        current_roles(actor, PROVINCE_ROLES)
        .filter(agency__province__isnull=False)
        .values("agency__province_id")
    )
    scope = Agency.objects.filter(Q(pk__in=own) | Q(province_id__in=provinces))
    if not scope.exists():
        raise PermissionDenied(
            "not_payment_officer", "Chỉ cán bộ tiếp nhận, lãnh đạo hoặc giám sát xem được thu phí."
        )
    return scope


@dataclass(frozen=True)
class Row:
    day: datetime.date
    agency: str
    procedure_code: str
    procedure: str
    kind: str
    method: str
    payments: int
    amount_vnd: int


@dataclass(frozen=True)
class Revenue:
    start: datetime.date
    end: datetime.date
    rows: list[Row]
    total_vnd: int
    refunded_vnd: int
    payments: int
    online_payments: int
    online_vnd: int

    @property
    def net_vnd(self) -> int:
        return self.total_vnd - self.refunded_vnd

    @property
    def online_rate(self) -> float | None:
        """Share of the period's payments made online (by count), None without payments."""
        return self.online_payments / self.payments if self.payments else None

    @property
    def online_rate_text(self) -> str:
        rate = self.online_rate
        return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


def revenue(actor: Actor, start: datetime.date, end: datetime.date) -> Revenue:
    if end < start or (end - start).days >= MAX_DAYS:
        start, end = min(start, end), max(start, end)
        end = min(end, start + datetime.timedelta(days=MAX_DAYS - 1))
    agencies = agencies_in_scope(actor)
    since, until = _bounds(start, end)
    intents = (
        PaymentIntent.objects.filter(
            status__in=SETTLED,
            paid_at__gte=since,
            paid_at__lt=until,
            dossier__competent_agency__in=agencies,
        )
        .select_related("dossier__competent_agency", "dossier__procedure_version__procedure")
        .order_by("paid_at", "pk")
    )
    sums: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    total = online = online_vnd = count = 0
    for intent in intents:
        assert intent.paid_at is not None
        dossier = intent.dossier
        procedure = dossier.procedure_version.procedure
        method = method_label(intent)
        day = timezone.localtime(intent.paid_at).date()
        lines = intent.lines or [{"name": intent.description, "amount_vnd": intent.amount_vnd}]
        for line in lines:
            kind = fees.kind_of(str(line.get("name", "")), str(line.get("kind") or ""))
            key = (day, dossier.competent_agency.name, procedure.code, procedure.name, kind, method)
            sums[key][0] += 1
            sums[key][1] += int(line.get("amount_vnd") or 0)
        count += 1
        total += intent.amount_vnd
        if intent.provider != "counter":
            online += 1
            online_vnd += intent.amount_vnd
    refunded = Refund.objects.filter(
        status=Refund.Status.DONE,
        done_at__gte=since,
        done_at__lt=until,
        intent__dossier__competent_agency__in=agencies,
    ).aggregate(total=Sum("amount_vnd"))["total"]
    rows = [
        Row(key[0], key[1], key[2], key[3], fees.KIND_LABELS[key[4]], key[5], n, amount)
        for key, (n, amount) in sorted(sums.items())
    ]
    return Revenue(start, end, rows, total, int(refunded or 0), count, online, online_vnd)


HEADER = (
    "Ngày",
    "Đơn vị thu",
    "Mã thủ tục",
    "Thủ tục",
    "Loại khoản thu",
    "Hình thức thanh toán",
    "Số khoản",
    "Số tiền (đồng)",
)


def revenue_xlsx(report: Revenue) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Doanh thu"
    append_row(sheet, [f"Thu phí, lệ phí từ {report.start:%d/%m/%Y} đến {report.end:%d/%m/%Y}"])
    sheet.cell(row=1, column=1).font = Font(bold=True)
    append_row(sheet, HEADER)
    for row in report.rows:
        append_row(
            sheet,
            [
                row.day.strftime("%d/%m/%Y"),
                row.agency,
                row.procedure_code,
                row.procedure,
                row.kind,
                row.method,
                row.payments,
                row.amount_vnd,
            ],
        )
    summary = workbook.create_sheet("Tổng hợp")
    for label, value in (
        ("Tổng số tiền thu (đồng)", report.total_vnd),
        ("Đã hoàn trong kỳ (đồng)", report.refunded_vnd),
        ("Thực thu (đồng)", report.net_vnd),
        ("Số giao dịch", report.payments),
        ("Số giao dịch trực tuyến", report.online_payments),
        ("Số tiền thu trực tuyến (đồng)", report.online_vnd),
        ("Tỷ lệ thanh toán trực tuyến", report.online_rate_text),
    ):
        append_row(summary, [label, value])
    for column, width in zip("ABCDEFGH", (12, 30, 14, 50, 14, 40, 10, 16), strict=True):
        sheet.column_dimensions[column].width = width
    summary.column_dimensions["A"].width = 34
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def paid_online(
    start: datetime.date, end: datetime.date, agency_ids: list[int] | None
) -> tuple[int, int]:
    """(payments settled online, all payments settled) in the period, for the agencies named
    (None: every agency) — the operations dashboard's "paid online" rate, one aggregate."""
    since, until = _bounds(start, end)
    settled = PaymentIntent.objects.filter(
        status__in=SETTLED, paid_at__gte=since, paid_at__lt=until
    )
    if agency_ids is not None:
        settled = settled.filter(dossier__competent_agency_id__in=agency_ids)
    counts = settled.aggregate(
        total=models.Count("pk"), online=models.Count("pk", filter=~Q(provider="counter"))
    )
    return int(counts["online"]), int(counts["total"])
