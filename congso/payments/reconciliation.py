"""Daily reconciliation (đối soát): import a provider's or the bank's statement, match each line
to an intent (the gateway's transaction number, then our reference, then the dossier code in
the transfer note), and list what does not agree for an officer to resolve:

* ``not_recorded`` — money on the statement that no settled intent accounts for;
* ``not_paid`` — an intent settled through that provider on that day with no statement line;
* ``amount_differs`` — matched, but the amounts differ.

A line of a provider with ``settles_from_statement`` (VietQR: a plain transfer has no callback)
settles its pending intent when the amount agrees — the same path as a callback, audited.

The statement is CSV, UTF-8, with the header ``provider_ref,reference,booked_at,amount_vnd,note``
(``booked_at`` ISO 8601 with its offset); the simulators write exactly this file.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from congso.audit.services import record
from congso.core import spreadsheet
from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.core.types import Actor
from congso.org.permissions import RECEPTION, current_roles, is_superuser
from congso.payments.base import PaymentOutcome, PaymentStatus, dossier_code_in, person
from congso.payments.models import (
    SETTLED,
    IntentStatus,
    Mismatch,
    PaymentIntent,
    Statement,
    StatementLine,
)
from congso.payments.registry import registry
from congso.payments.services import apply_outcome

COLUMNS = ("provider_ref", "reference", "booked_at", "amount_vnd", "note")
MAX_LINES = 100_000


def _officer(actor: Actor) -> None:
    if not (is_superuser(actor) or current_roles(actor, (RECEPTION,)).exists()):
        raise PermissionDenied(
            "not_payment_officer", "Chỉ cán bộ tiếp nhận được đối soát thanh toán."
        )


def _bad(message: str) -> DomainError:
    return DomainError("invalid_statement", message, field="file")


def parse_statement(content: bytes) -> list[dict[str, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad("Bảng kê phải là tệp CSV mã hóa UTF-8.") from None
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise _bad("Dòng tiêu đề của bảng kê phải là: " + ",".join(COLUMNS) + ".")
    rows = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_LINES:
            raise _bad("Bảng kê quá dài.")
        try:
            amount = int(row["amount_vnd"])
            booked = datetime.datetime.fromisoformat(row["booked_at"]) if row["booked_at"] else None
        except (TypeError, ValueError):
            raise _bad(f"Dòng {number}: số tiền hoặc thời điểm không đọc được.") from None
        if booked is not None and booked.tzinfo is None:
            raise _bad(f"Dòng {number}: thời điểm thiếu múi giờ.")
        rows.append(
            {
                "line_no": number,
                "provider_ref": (row["provider_ref"] or "").strip()[:64],
                "reference": (row["reference"] or "").strip()[:64],
                "booked_at": booked,
                "amount_vnd": amount,
                "note": (row["note"] or "").strip()[:255],
            }
        )
    return rows


def _match(provider_id: str, row: dict[str, Any]) -> PaymentIntent | None:
    intents = PaymentIntent.objects.select_for_update().filter(provider=provider_id)
    if row["provider_ref"]:
        found = intents.filter(provider_ref=row["provider_ref"]).first()
        if found is not None:
            return found
    if row["reference"]:
        found = intents.filter(reference=row["reference"]).first()
        if found is not None:
            return found
    code = row["dossier_code"]
    if code:
        candidates = intents.filter(dossier__code=code).order_by("-created_at", "-pk")
        return (
            candidates.filter(status__in=SETTLED, provider_ref="").first()
            or candidates.filter(status__in=(IntentStatus.PENDING, IntentStatus.CREATED)).first()
            or candidates.filter(status__in=SETTLED).first()
            or candidates.first()
        )
    return None


def statement_import(
    *, actor: Actor, provider_id: str, day: datetime.date, file_name: str, content: bytes
) -> Statement:
    """Import one statement and reconcile it (atomic; the same file twice is refused)."""
    _officer(actor)
    if provider_id not in registry:
        raise DomainError("provider_unavailable", "Kênh thanh toán không hợp lệ.", field="provider")
    provider = registry.get(provider_id)
    rows = parse_statement(content)
    digest = hashlib.sha256(content).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        if Statement.objects.filter(provider=provider_id, digest=digest).exists():
            raise Conflict("invalid_statement", "Bảng kê này đã được nhập.")
        statement = Statement.objects.create(
            provider=provider_id,
            day=day,
            file_name=file_name[:255],
            digest=digest,
            imported_by=person(actor),
            imported_at=now,
        )
        matched: set[int] = set()
        for row in rows:
            row["dossier_code"] = dossier_code_in(row["note"])
            intent = _match(provider_id, row)
            line = StatementLine.objects.create(
                statement=statement,
                line_no=row["line_no"],
                provider_ref=row["provider_ref"],
                reference=row["reference"],
                dossier_code=row["dossier_code"],
                amount_vnd=row["amount_vnd"],
                booked_at=row["booked_at"],
                note=row["note"],
                intent=intent,
            )
            if (
                intent is not None
                and intent.status not in SETTLED
                and provider.settles_from_statement
                and intent.amount_vnd == row["amount_vnd"]
            ):
                outcome = PaymentOutcome(
                    reference=intent.reference,
                    status=PaymentStatus.PAID,
                    amount_vnd=row["amount_vnd"],
                    provider_ref=row["provider_ref"],
                    paid_at=row["booked_at"],
                    detail=f"Bảng kê {file_name}"[:200],
                )
                apply_outcome(provider_id, outcome, via="statement", now=now)
                intent.refresh_from_db()
            if intent is None or intent.status not in SETTLED:
                Mismatch.objects.create(
                    statement=statement,
                    kind=Mismatch.Kind.NOT_RECORDED,
                    intent=intent,
                    line=line,
                    dossier_code=row["dossier_code"] or (intent.dossier.code if intent else ""),
                    statement_vnd=row["amount_vnd"],
                    recorded_vnd=None,
                )
                continue
            matched.add(intent.pk)
            if intent.amount_vnd != row["amount_vnd"]:
                Mismatch.objects.create(
                    statement=statement,
                    kind=Mismatch.Kind.AMOUNT_DIFFERS,
                    intent=intent,
                    line=line,
                    dossier_code=intent.dossier.code,
                    statement_vnd=row["amount_vnd"],
                    recorded_vnd=intent.amount_vnd,
                )
        start = datetime.datetime.combine(
            day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
        settled = PaymentIntent.objects.filter(
            provider=provider_id,
            status__in=SETTLED,
            paid_at__gte=start,
            paid_at__lt=start + datetime.timedelta(days=1),
        ).exclude(pk__in=matched)
        for intent in settled.select_related("dossier"):
            Mismatch.objects.create(
                statement=statement,
                kind=Mismatch.Kind.NOT_PAID,
                intent=intent,
                dossier_code=intent.dossier.code,
                recorded_vnd=intent.amount_vnd,
            )
        record(
            actor=actor,
            action="payments.statement_imported",
            target=statement,
            after={
                "provider": provider_id,
                "day": day.isoformat(),
                "lines": len(rows),
                "mismatches": statement.mismatches.count(),
            },
        )
    return statement


def mismatch_resolve(*, actor: Actor, mismatch: Mismatch, resolution: str) -> Mismatch:
    _officer(actor)
    resolution = " ".join(resolution.split())
    if not resolution:
        raise DomainError("mismatch_resolved", "Cần ghi cách xử lý.", field="resolution")
    with transaction.atomic():
        locked = Mismatch.objects.select_for_update().get(pk=mismatch.pk)
        if locked.resolved_at is not None:
            raise Conflict("mismatch_resolved", "Chênh lệch này đã được xử lý.")
        locked.resolved_at = timezone.now()
        locked.resolved_by = person(actor)
        locked.resolution = resolution[:2000]
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        record(
            actor=actor,
            action="payments.mismatch_resolved",
            target=locked,
            after={"kind": locked.kind, "resolution": locked.resolution},
        )
    return locked


def open_mismatches(actor: Actor) -> QuerySet[Mismatch]:
    _officer(actor)
    return Mismatch.objects.filter(resolved_at__isnull=True).select_related(
        "statement", "intent", "line"
    )


EXPORT_HEADER = (
    "Bảng kê",
    "Ngày",
    "Loại chênh lệch",
    "Mã hồ sơ",
    "Mã giao dịch",
    "Mã giao dịch của kênh",
    "Số tiền hệ thống",
    "Số tiền bảng kê",
    "Nội dung chuyển khoản",
    "Đã xử lý",
)


def mismatches_xlsx(mismatches: Iterable[Mismatch]) -> bytes:
    """The mismatches as an Excel workbook; every text cell inert (congso.core.spreadsheet)."""
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "Chenh lech"
    spreadsheet.append_row(sheet, EXPORT_HEADER)
    for item in mismatches:
        spreadsheet.append_row(
            sheet,
            (
                item.statement.file_name,
                item.statement.day.isoformat(),
                item.get_kind_display(),
                item.dossier_code,
                item.intent.reference if item.intent else "",
                (item.line.provider_ref if item.line else "")
                or (item.intent.provider_ref if item.intent else ""),
                item.recorded_vnd,
                item.statement_vnd,
                item.line.note if item.line else "",
                item.resolution,
            ),
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
