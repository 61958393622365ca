"""Kannel's delivery-report callback and the unsubscribe link: parse, call a service."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from congso.core.errors import DomainError, NotFound
from congso.notify import services
from congso.notify.models import Preference
from congso.org.models import Citizen


@csrf_exempt
@require_GET
def kannel_dlr(request: HttpRequest, key: UUID) -> HttpResponse:
    """``GET …/dlr/<key>/?attempt=N&type=%d&answer=%A`` (Kannel substitutes %d and %A)."""
    try:
        attempt = int(request.GET.get("attempt", "0"))
        dlr_type = int(request.GET["type"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("attempt and type must be integers")
    try:
        services.delivery_report_record(
            key=str(key), attempt=attempt, dlr_type=dlr_type, answer=request.GET.get("answer", "")
        )
    except NotFound:
        return HttpResponse("unknown message", status=404, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def unsubscribe(request: HttpRequest, token: UUID) -> HttpResponse:
    try:
        services.unsubscribe(token=str(token))
    except NotFound as exc:
        return HttpResponse(exc.message, status=404, content_type="text/plain; charset=utf-8")
    return HttpResponse(
        "Đã hủy nhận các thông báo không bắt buộc. Các thông báo bắt buộc về hồ sơ vẫn được gửi.",
        content_type="text/plain; charset=utf-8",
    )


class PreferenceForm(forms.Form):
    sms = forms.BooleanField(label=_("Nhận thông báo qua SMS"), required=False)
    email = forms.BooleanField(label=_("Nhận thông báo qua thư điện tử"), required=False)
    optional = forms.BooleanField(
        label=_("Nhận cả thông báo không bắt buộc (ví dụ: hồ sơ bắt đầu được xử lý)"),
        required=False,
    )


@login_required
@never_cache
def preferences(request: HttpRequest) -> HttpResponse:
    """The citizen's notification choices (portal account area)."""
    citizen = Citizen.objects.filter(user_id=request.user.pk or 0).first()
    current = Preference.objects.filter(citizen=citizen).first() if citizen else None
    initial = {
        "sms": current.sms if current else True,
        "email": current.email if current else True,
        "optional": not current.unsubscribed if current else True,
    }
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and citizen is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_set(
                actor=request.user,
                citizen=citizen,
                sms=data["sms"],
                email=data["email"],
                unsubscribed=not data["optional"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(reverse("portal:notify-preferences") + "?da=luu")
    quiet = settings.NOTIFY_QUIET_HOURS.strip()
    return render(
        request,
        "notify/preferences.html",
        {
            "citizen": citizen,
            "form": form,
            "quiet": [part.strip() for part in quiet.split("-", 1)] if "-" in quiet else None,
            "done": _("Đã lưu lựa chọn nhận thông báo.") if request.GET.get("da") == "luu" else "",
            "nav": "profile",
        },
    )
