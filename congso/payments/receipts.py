"""E-receipts (biên lai điện tử): numbered per template, series and year of the collecting
agency under a row lock (no gaps, no duplicates), with the payer, the fee lines, the amount in
figures and words, the method, the dossier code and a look-up code; rendered as a PDF in the
printing app's embedded Vietnamese typeface, with a QR code to the public verification page.
A cancelled receipt keeps its number (docs/payments.md)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from congso.audit.services import record
from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.core.hooks import Hooks
from congso.core.types import Actor
from congso.dossiers.models import Dossier
from congso.dossiers.permissions import is_reception_officer
from congso.org.models import Agency
from congso.payments.models import PaymentIntent, Receipt, ReceiptSeries
from congso.payments.registry import registry
from congso.printing import layout
from congso.printing.qr import QRCode
from congso.printing.words import amount_words, vnd

log = logging.getLogger(__name__)

#: ``(pdf, agency, reason) -> signed pdf | None``: signs a receipt with the collecting agency's
#: key (its seal signer profile), None when the agency has none. ``congso.results`` registers
#: the one that goes through ``congso.signing`` (payments sits below signing).
Sealer = Callable[[bytes, Agency, str], "bytes | None"]
receipt_sealers: Hooks[Sealer] = Hooks("payments.receipt_sealers")

#: Look-up codes: no 0/O, 1/I/L (read aloud, typed from paper).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
METHODS = {"counter": "Nộp tại quầy"}


def method_label(intent: PaymentIntent) -> str:
    if intent.provider == "counter":
        return f"Nộp tại quầy ({intent.detail})" if intent.detail else METHODS["counter"]
    return f"Thanh toán trực tuyến qua {registry.label(intent.provider)}"


def _series(agency_id: int, year: int) -> ReceiptSeries:
    series_symbol = settings.PAYMENTS_RECEIPT_SERIES.replace("{yy}", f"{year % 100:02d}")
    ReceiptSeries.objects.get_or_create(
        agency_id=agency_id,
        template=settings.PAYMENTS_RECEIPT_TEMPLATE,
        series=series_symbol,
        year=year,
    )
    return ReceiptSeries.objects.select_for_update().get(
        agency_id=agency_id,
        template=settings.PAYMENTS_RECEIPT_TEMPLATE,
        series=series_symbol,
        year=year,
    )


def issue(intent: PaymentIntent) -> Receipt:
    """The receipt of a paid intent (inside the settling transaction; once per intent)."""
    existing = Receipt.objects.filter(intent=intent).first()
    if existing is not None:
        return existing
    dossier = Dossier.objects.select_related("competent_agency").get(pk=intent.dossier_id)
    agency = dossier.competent_agency
    now = timezone.now()
    with transaction.atomic():
        series = _series(agency.pk, timezone.localtime(now).year)
        series.last += 1
        series.save(update_fields=["last"])
        receipt = Receipt.objects.create(
            series=series,
            number=series.last,
            intent=intent,
            dossier_code=dossier.code,
            agency_name=agency.name,
            payer_name=dossier.applicant_name,
            payer_id=dossier.applicant_id_number,
            payer_address=dossier.applicant_address,
            lines=list(intent.lines),
            amount_vnd=intent.amount_vnd,
            amount_words=amount_words(intent.amount_vnd),
            method=method_label(intent),
            lookup_code="".join(secrets.choice(_ALPHABET) for _ in range(10)),
            issued_at=now,
        )
        record(
            actor=None,
            action="payments.receipt_issued",
            target=receipt,
            after={
                "template": series.template,
                "series": series.series,
                "number": receipt.number_text,
                "amount_vnd": receipt.amount_vnd,
                "intent": intent.reference,
            },
        )
    return receipt


def receipt_cancel(*, actor: Actor, receipt: Receipt, reason: str) -> Receipt:
    """Cancel a receipt (issued by mistake, refunded): it keeps its number, never deleted."""
    if not is_reception_officer(actor, receipt.intent.dossier):
        raise PermissionDenied(
            "not_payment_officer", "Chỉ cán bộ tiếp nhận của hồ sơ được hủy biên lai."
        )
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("receipt_cancelled", "Cần ghi lý do hủy biên lai.", field="reason")
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.cancelled_at is not None:
            raise Conflict("receipt_cancelled", "Biên lai này đã bị hủy.")
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason[:2000]
        locked.save(update_fields=["cancelled_at", "cancel_reason"])
        record(
            actor=actor,
            action="payments.receipt_cancelled",
            target=locked,
            after={"number": locked.number_text, "reason": locked.cancel_reason},
        )
    return locked


def verification_url(receipt: Receipt) -> str:
    return f"{settings.SIGNING_PUBLIC_URL.rstrip('/')}/bien-lai/{receipt.lookup_code}/"


def _line_text(line: dict[str, object]) -> str:
    text = layout.esc(str(line.get("name", "")))
    adjustment = line.get("adjustment")
    if isinstance(adjustment, dict) and line.get("base_vnd"):
        text += (
            f"<br/><font size=7>Mức thu {vnd(int(str(line['base_vnd'])))}; "
            f"{layout.esc(str(adjustment.get('name', '')))}"
            f" ({layout.esc(str(adjustment.get('legal_basis', '')))})</font>"
        )
    return text


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as an A5 PDF (DejaVu, embedded)."""
    styles = layout.Styles(body_size=9)
    issued = timezone.localtime(receipt.issued_at)
    width = A5[0] - 24 * mm
    story = [
        layout.para(f"<b>{layout.esc(receipt.agency_name.upper())}</b>", styles.head),
        Spacer(1, 3 * mm),
        layout.para("<b>BIÊN LAI THU PHÍ, LỆ PHÍ</b>", styles.head_bold),
        layout.para("(Biên lai điện tử)", styles.head),
        layout.para(
            f"Mẫu số: {layout.esc(receipt.series.template)} — Ký hiệu: "
            f"{layout.esc(receipt.series.series)} — Số: {receipt.number_text}",
            styles.head,
        ),
        Spacer(1, 3 * mm),
        layout.labelled("Người nộp", receipt.payer_name, styles.body_left),
        layout.labelled("Số định danh", receipt.payer_id or "—", styles.body_left),
        layout.labelled("Địa chỉ", receipt.payer_address or "—", styles.body_left),
        layout.labelled("Mã hồ sơ", receipt.dossier_code, styles.body_left),
        Spacer(1, 2 * mm),
    ]
    rows: list[list[object]] = [
        [
            layout.para("STT", styles.cell_head),
            layout.para("Nội dung thu", styles.cell_head),
            layout.para("Số tiền", styles.cell_head),
        ]
    ]
    for index, line in enumerate(receipt.lines, start=1):
        rows.append(
            [
                layout.para(str(index), styles.cell_center),
                layout.para(_line_text(line), styles.cell),
                layout.para(vnd(int(line.get("amount_vnd", 0))), styles.cell),
            ]
        )
    rows.append(
        [
            "",
            layout.para("<b>Tổng cộng</b>", styles.cell),
            layout.para(f"<b>{vnd(receipt.amount_vnd)}</b>", styles.cell),
        ]
    )
    story += [
        layout.grid_table(rows, [10 * mm, width - 40 * mm, 30 * mm]),
        Spacer(1, 2 * mm),
        layout.labelled("Số tiền bằng chữ", receipt.amount_words, styles.body_left),
        layout.labelled("Hình thức thanh toán", receipt.method, styles.body_left),
        layout.labelled("Ngày lập", f"{issued:%H:%M %d/%m/%Y}", styles.body_left),
        layout.labelled("Mã tra cứu", receipt.lookup_code, styles.body_left),
    ]
    if receipt.cancelled_at is not None:
        story.append(
            layout.para(
                f"<b>ĐÃ HỦY</b> ({timezone.localtime(receipt.cancelled_at):%d/%m/%Y}): "
                f"{layout.esc(receipt.cancel_reason or '—')}",
                styles.body_left,
            )
        )
    story += [
        Spacer(1, 3 * mm),
        QRCode(verification_url(receipt), 26 * mm),
        layout.para(layout.esc(verification_url(receipt)), styles.small),
    ]
    return layout.build_pdf(
        story,
        pagesize=A5,
        title=f"Biên lai {receipt.series.series} {receipt.number_text}",
        subject=f"Hồ sơ {receipt.dossier_code}",
        margins=(12 * mm, 12 * mm, 12 * mm, 12 * mm),
    )


def receipt_signed_pdf(receipt: Receipt) -> tuple[bytes, bool]:
    """The receipt's PDF signed with its collecting agency's key, and whether it is signed
    (False when no sealer is registered or the agency has no seal key)."""
    pdf = receipt_pdf(receipt)
    reason = f"Biên lai {receipt.series.series} số {receipt.number_text}"
    for sealer in receipt_sealers:
        signed = sealer(pdf, receipt.series.agency, reason)
        if signed is not None:
            return signed, True
    log.warning("receipt %s is served unsigned: no seal key for its agency", receipt.pk)
    return pdf, False
