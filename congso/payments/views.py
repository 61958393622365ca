"""Thin pages over the payment services: the citizen's payment page and status page, the
gateways' return and notification addresses, the receipt PDF and its public verification page,
the officer's reconciliation list with its Excel export."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from congso.core.errors import DomainError, NotFound
from congso.core.inbound import from_django
from congso.dossiers.models import Dossier
from congso.dossiers.selectors import dossier_for
from congso.payments import reconciliation, revenue, selectors, services
from congso.payments.base import PaymentOrder
from congso.payments.models import SETTLED, Callback, IntentStatus, PaymentIntent
from congso.payments.receipts import receipt_signed_pdf
from congso.payments.registry import registry
from congso.printing.qr import qr_png


def _dossier(request: HttpRequest, code: str) -> Dossier:
    try:
        return dossier_for(request.user, code)
    except NotFound:
        raise Http404 from None


def _intent(request: HttpRequest, reference: str) -> PaymentIntent:
    try:
        return selectors.intent_for(request.user, reference)
    except NotFound:
        raise Http404 from None


def _order(intent: PaymentIntent, request: HttpRequest) -> PaymentOrder:
    return PaymentOrder(
        reference=intent.reference,
        dossier_code=intent.dossier.code,
        amount_vnd=intent.amount_vnd,
        description=intent.description,
        return_url=request.build_absolute_uri(reverse("payments:status", args=[intent.reference])),
        notify_url="",
        expires_at=intent.expires_at,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _dossier(request, code)
    due = services.fee_request(dossier)
    error = ""
    if request.method == "POST" and due is not None:
        provider_id = request.POST.get("provider", "")
        return_url = request.build_absolute_uri(reverse("payments:return", args=[provider_id]))
        try:
            intent, start = services.payment_start(
                actor=request.user,
                dossier=dossier,
                provider_id=provider_id,
                return_url=return_url,
                client_ip=str(request.META.get("REMOTE_ADDR", "")),
            )
        except DomainError as exc:
            error = exc.message
        else:
            # Always through congso's own page: it says where the citizen goes next (the CSP's
            # form-action 'self' would stop a form's redirect to the gateway's site anyway).
            del start
            return redirect("payments:status", intent.reference)
    providers = registry.enabled()
    return render(
        request,
        "payments/pay.html",
        {
            "dossier": dossier,
            "due": due,
            "providers": providers,
            "error": error,
            "intents": selectors.intents_of(request.user, dossier)[:10],
        },
        status=400 if error else 200,
    )


@login_required
def status(request: HttpRequest, reference: str) -> HttpResponse:
    intent = _intent(request, reference)
    shown: dict[str, str] = {}
    if intent.status == IntentStatus.PENDING and intent.provider in registry:
        shown = dict(registry.get(intent.provider).instructions(_order(intent, request)))
    receipt = getattr(intent, "receipt", None) if intent.status in SETTLED else None
    return render(
        request,
        "payments/status.html",
        {
            "intent": intent,
            "shown": shown,
            "receipt": receipt,
            "dossier": intent.dossier,
            "provider_label": registry.label(intent.provider),
        },
    )


@login_required
def qr_image(request: HttpRequest, reference: str) -> HttpResponse:
    intent = _intent(request, reference)
    if intent.provider not in registry:
        raise Http404
    shown = registry.get(intent.provider).instructions(_order(intent, request))
    if "qr_payload" not in shown:
        raise Http404
    response = HttpResponse(qr_png(shown["qr_payload"], scale=8, border=4), "image/png")
    response["Cache-Control"] = "no-store"
    return response


def gateway_return(request: HttpRequest, provider: str) -> HttpResponse:
    """The citizen is back from the gateway: show their payment (the IPN settles it)."""
    if provider not in registry:
        raise Http404
    intent = services.payment_return(provider_id=provider, request=from_django(request))
    if intent is None:
        return render(request, "payments/return_invalid.html", status=400)
    return redirect("payments:status", intent.reference)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """The gateway's server-to-server notification (VNPay's IPN; a bank's webhook)."""
    if provider not in registry:
        raise Http404
    kind = Callback.Kind.WEBHOOK if provider == "vietqr" else Callback.Kind.NOTIFICATION
    try:
        _result, (code, content_type, body) = services.payment_callback(
            provider_id=provider, request=from_django(request), kind=kind
        )
    except DomainError as exc:
        return HttpResponse(exc.code, status=503, content_type="text/plain")
    return HttpResponse(body, status=code, content_type=content_type)


@login_required
def receipt_file(request: HttpRequest, reference: str) -> HttpResponse:
    intent = _intent(request, reference)
    receipt = getattr(intent, "receipt", None)
    if receipt is None:
        raise Http404
    pdf, _signed = receipt_signed_pdf(receipt)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="bien-lai-{receipt.series.series}-{receipt.number_text}.pdf"'
    )
    return response


def receipt_verify(request: HttpRequest, lookup: str) -> HttpResponse:
    """Public: whether a receipt exists as printed (no identifier of the payer is shown)."""
    try:
        receipt = selectors.receipt_by_lookup(lookup)
    except DomainError:
        return render(request, "payments/verify.html", {"receipt": None}, status=404)
    return render(request, "payments/verify.html", {"receipt": receipt})


@login_required
@require_http_methods(["GET", "POST"])
def mismatches(request: HttpRequest) -> HttpResponse:
    """The officer's reconciliation: import a statement, the open mismatches, Excel export."""
    error = ""
    try:
        items = reconciliation.open_mismatches(request.user)
    except DomainError as exc:
        return render(request, "payments/mismatches.html", {"denied": exc.message}, status=403)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            day = datetime.date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            error = _("Ngày của bảng kê không hợp lệ.")
        else:
            if upload is None:
                error = _("Chưa chọn tệp bảng kê.")
            else:
                try:
                    reconciliation.statement_import(
                        actor=request.user,
                        provider_id=request.POST.get("provider", ""),
                        day=day,
                        file_name=upload.name or "bang-ke.csv",
                        content=upload.read(),
                    )
                except DomainError as exc:
                    error = exc.message
                else:
                    return redirect("payments:mismatches")
    if request.GET.get("xuat") == "xlsx":
        response = HttpResponse(
            reconciliation.mismatches_xlsx(items),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="chenh-lech-doi-soat.xlsx"'
        return response
    return render(
        request,
        "payments/mismatches.html",
        {"items": items[:500], "error": error, "providers": list(registry)},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_fees(request: HttpRequest, code: str) -> HttpResponse:
    """The desk's fee page of a dossier: record a counter payment, request and confirm refunds."""
    dossier = _dossier(request, code)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "counter":
                services.payment_record_counter(
                    actor=request.user, dossier=dossier, method=request.POST.get("method", "")
                )
            elif action == "refund":
                try:
                    amount = int(request.POST.get("amount_vnd", ""))
                except ValueError:
                    amount = 0
                services.refund_request(
                    actor=request.user,
                    intent=selectors.intent_for(request.user, request.POST.get("reference", "")),
                    amount_vnd=amount,
                    reason=request.POST.get("reason", ""),
                )
            elif action == "refund_done":
                refund = selectors.refund_for(
                    request.user,
                    request.POST.get("reference", ""),
                    int(request.POST.get("refund", "0") or 0),
                )
                services.refund_complete(
                    actor=request.user,
                    refund=refund,
                    provider_ref=request.POST.get("provider_ref", ""),
                )
            elif action == "refund_send":
                refund = selectors.refund_for(
                    request.user,
                    request.POST.get("reference", ""),
                    int(request.POST.get("refund", "0") or 0),
                )
                services.refund_send(actor=request.user, refund=refund)
            else:
                raise Http404
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("payments:officer", dossier.code)
    return render(
        request,
        "payments/officer.html",
        {
            "dossier": dossier,
            "due": services.fee_request(dossier),
            "intents": selectors.intents_of(request.user, dossier).prefetch_related("refunds"),
            "methods": services.COUNTER_METHODS,
            "error": error,
        },
        status=400 if error else 200,
    )


def _day(text: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text or "")
    except ValueError:
        return default


@login_required
def revenue_report(request: HttpRequest) -> HttpResponse:
    """Revenue by agency, procedure, fee kind, method and day; paid-online rate; Excel."""
    today = timezone.localdate()
    start = _day(request.GET.get("tu"), today.replace(day=1))
    end = _day(request.GET.get("den"), today)
    try:
        report = revenue.revenue(request.user, start, end)
    except DomainError as exc:
        return render(request, "payments/revenue.html", {"denied": exc.message}, status=403)
    if request.GET.get("xuat") == "xlsx":
        response = HttpResponse(
            revenue.revenue_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="thu-phi-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"'
        )
        return response
    return render(request, "payments/revenue.html", {"report": report})
