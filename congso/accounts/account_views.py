"""The account's own pages: change the password, reset a forgotten one (e-mail link or SMS
code), and the API tokens. Thin: parse the form, call :mod:`congso.accounts.recovery` or
:mod:`congso.accounts.tokens`, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from congso.accounts import devices, recovery, services, tokens
from congso.accounts.forms import ResetCodeForm, ResetRequestForm, TokenForm
from congso.accounts.models import User
from congso.accounts.views import refused, second_factor_url
from congso.core.clients import client_ip
from congso.core.errors import DomainError, NotFound

SESSION_PHONE = "congso_reset_phone"


def _owes_code(request: HttpRequest) -> HttpResponse | None:
    """Officers reach their account pages only after the second factor, like officer pages."""
    user = request.user
    verified = getattr(user, "is_verified", None)
    if (
        isinstance(user, User)
        and services.second_factor_required(user)
        and not (verified and verified())
    ):
        return redirect(second_factor_url(user, request.get_full_path()))
    return None


# --- change ---------------------------------------------------------------------------------


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@csrf_protect
@never_cache
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    owed = _owes_code(request)
    if owed:
        return owed
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        recovery.password_change(
            user=user, password=form.cleaned_data["new_password1"], ip=client_ip(request)
        )
        update_session_auth_hash(request, user)
        messages.success(request, gettext("Đã đổi mật khẩu."))
        response = redirect("accounts:password_change")
        devices.remember(response, user)
        return response
    return render(request, "accounts/password_change.html", {"form": form})


# --- reset ----------------------------------------------------------------------------------


@csrf_protect
@never_cache
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST if request.method == "POST" else None)
    error: DomainError | None = None
    if form.is_valid():
        contact = form.cleaned_data["contact"]
        try:
            if "@" in contact:
                recovery.password_reset_request_email(
                    email=contact, ip=client_ip(request), base_url=request.build_absolute_uri("/")
                )
                return redirect("accounts:password_reset_done")
            recovery.password_reset_request_sms(phone=contact, ip=client_ip(request))
            request.session[SESSION_PHONE] = recovery.normalised_phone(contact)
            return redirect("accounts:password_reset_sms")
        except DomainError as exc:
            form.add_error("contact" if exc.field == "phone" else None, exc.message)
            error = exc
    response = render(request, "accounts/password_reset.html", {"form": form})
    if isinstance(error, services.LoginRefused):
        return refused(response, error)
    return response


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def password_reset_sms_view(request: HttpRequest) -> HttpResponse:
    initial = {"phone": request.session.get(SESSION_PHONE, "")}
    form = ResetCodeForm(request.POST if request.method == "POST" else None, initial=initial)
    error: DomainError | None = None
    if form.is_valid():
        try:
            user = recovery.password_reset_code_check(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            form.add_error("phone" if exc.field == "phone" else "code", exc.message)
            error = exc
        else:
            request.session.pop(SESSION_PHONE, None)
            return redirect(recovery.confirm_url(user))
    response = render(request, "accounts/password_reset_sms.html", {"form": form})
    if error is not None:
        response.status_code = error.status
        if isinstance(error, services.LoginRefused):
            return refused(response, error)
    return response


class ResetSetPasswordForm(SetPasswordForm):
    """Django's set-password form; saving goes through the service (audit, tokens revoked)."""

    ip: str | None = None

    def save(self, commit: bool = True) -> Any:
        recovery.password_reset_complete(
            user=self.user, password=self.cleaned_data["new_password1"], ip=self.ip
        )
        return self.user


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.ip = client_ip(self.request)
        return form


# --- API tokens -----------------------------------------------------------------------------


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
def tokens_view(request: HttpRequest) -> HttpResponse:
    owed = _owes_code(request)
    if owed:
        return owed
    user = request.user
    assert isinstance(user, User)
    form = TokenForm(request.POST if request.method == "POST" else None)
    officer = services.second_factor_required(user)
    created: str | None = None
    error: DomainError | None = None
    if form.is_valid():
        try:
            checked = False
            if officer:
                code = form.cleaned_data.get("code") or ""
                if not code.strip():
                    raise DomainError(
                        "second_factor_required",
                        gettext("Cán bộ cần nhập mã xác thực để tạo mã truy cập."),
                        field="code",
                        status=403,
                    )
                services.second_factor_verify(user=user, token=code, ip=client_ip(request))
                checked = True
            scopes = form.cleaned_data["scopes"]
            strong = bool(tokens.STRONG.intersection(scopes))
            lifetime = (
                dt.timedelta(hours=12)
                if strong
                else dt.timedelta(days=int(form.cleaned_data["days"]))
            )
            _row, created = tokens.token_create(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                scopes=scopes,
                expires_at=timezone.now() + lifetime,
                second_factor=checked,
            )
            form = TokenForm()
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            error = exc
    context = {
        "form": form,
        "created": created,
        "officer": officer,
        "rows": [(row, tokens.is_usable(row)) for row in tokens.tokens_of(user)],
    }
    response = render(request, "accounts/tokens.html", context)
    if isinstance(error, services.LoginRefused):
        return refused(response, error)
    if error is not None:
        response.status_code = error.status
    return response


@require_POST
@csrf_protect
@login_required
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    owed = _owes_code(request)
    if owed:
        return owed
    try:
        row = tokens.token_revoke_own(user=request.user, token_id=token_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, gettext("Đã thu hồi mã truy cập «%(name)s».") % {"name": row.name})
    return redirect(reverse("accounts:tokens"))
