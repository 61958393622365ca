"""Kannel's delivery-report callback, the unsubscribe link and the citizen's preferences:
parse, call a service. (Other providers' callbacks live in their apps: ``congso/contrib/``.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from congso.core.errors import DomainError, NotFound
from congso.notify import services
from congso.notify.channels import channels
from congso.notify.models import Preference
from congso.org.models import Citizen


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
    """One check box per configured channel (registry order), then the optional notices."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for channel in channels.enabled():
            self.fields[channel.id] = forms.BooleanField(
                label=channel.preference_label,
                help_text=channel.preference_help,
                required=False,
            )
        self.fields["optional"] = forms.BooleanField(
            label=_("Nhận cả thông báo không bắt buộc (ví dụ: hồ sơ bắt đầu được xử lý)"),
            required=False,
        )


@login_required
@never_cache
def preferences(request: HttpRequest) -> HttpResponse:
    """The citizen's notification choices (portal account area)."""
    citizen = Citizen.objects.filter(user_id=request.user.pk or 0).first()
    current = Preference.objects.filter(citizen=citizen).first() if citizen else None
    offered = channels.enabled()
    initial: dict[str, bool] = {ch.id: services.wants(current, ch) for ch in offered}
    initial["optional"] = not current.unsubscribed if current else True
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and citizen is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_set(
                actor=request.user,
                citizen=citizen,
                channels={ch.id: data[ch.id] for ch in offered},
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
