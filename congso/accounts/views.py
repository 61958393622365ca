"""Login, logout and the second-factor pages. Thin: parse the form, call a service, redirect."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from congso.accounts import devices, services
from congso.accounts.forms import CodeForm, LoginForm
from congso.accounts.models import User
from congso.core.clients import client_ip


def safe_next(request: HttpRequest) -> str:
    """The ``next`` parameter when it points inside this site, else the default landing page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def second_factor_url(user: User, next_url: str) -> str:
    """Where an officer who still owes a code goes: enrolment without a device, else the code."""
    name = (
        "accounts:second_factor"
        if services.confirmed_device(user) is not None
        else "accounts:second_factor_enroll"
    )
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def refused(response: HttpResponse, exc: services.LoginRefused) -> HttpResponse:
    """The page answering a refused attempt: its status, and when to try again."""
    response.status_code = exc.status
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _is_verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    user = request.user
    if request.method == "GET" and isinstance(user, User):
        if services.second_factor_required(user) and not _is_verified(request):
            return redirect(second_factor_url(user, next_url))
        return redirect(next_url)
    form = LoginForm(request.POST if request.method == "POST" else None)
    error: services.LoginRefused | None = None
    if form.is_valid():
        try:
            user = services.login_attempt(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
                device_token=request.COOKIES.get(devices.COOKIE),
                request=request,
            )
        except services.LoginRefused as exc:
            form.add_error(None, exc.message)
            error = exc
        else:
            auth_login(request, user)
            if services.second_factor_required(user):
                return redirect(second_factor_url(user, next_url))
            done: HttpResponse = redirect(next_url)
            devices.remember(done, user)
            return done
    response = render(request, "accounts/login.html", {"form": form, "next": next_url})
    return refused(response, error) if error else response


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponseRedirect:
    services.logout_record(user=request.user, ip=client_ip(request))
    auth_logout(request)
    messages.info(request, gettext("Bạn đã đăng xuất."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
def second_factor_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    next_url = safe_next(request)
    if not services.second_factor_required(user) or _is_verified(request):
        return redirect(next_url)
    if services.confirmed_device(user) is None:
        return redirect(second_factor_url(user, next_url))
    form = CodeForm(request.POST if request.method == "POST" else None)
    error: services.LoginRefused | None = None
    if form.is_valid():
        try:
            device = services.second_factor_verify(
                user=user, token=form.cleaned_data["code"], ip=client_ip(request)
            )
        except services.LoginRefused as exc:
            form.add_error("code", exc.message)
            error = exc
        else:
            otp_login(request, device)
            done: HttpResponse = redirect(next_url)
            devices.remember(done, user)
            return done
    response = render(request, "accounts/second_factor.html", {"form": form, "next": next_url})
    return refused(response, error) if error else response


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
def second_factor_enroll_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    next_url = safe_next(request)
    if not services.second_factor_required(user) or _is_verified(request):
        return redirect(next_url)
    if services.confirmed_device(user) is not None:
        return redirect(second_factor_url(user, next_url))
    device = services.second_factor_enrollment_device(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    error: services.LoginRefused | None = None
    if form.is_valid():
        try:
            device = services.second_factor_confirm(
                user=user, token=form.cleaned_data["code"], ip=client_ip(request)
            )
        except services.LoginRefused as exc:
            form.add_error("code", exc.message)
            error = exc
        else:
            otp_login(request, device)
            messages.success(request, gettext("Đã bật xác thực hai lớp cho tài khoản của bạn."))
            done: HttpResponse = redirect(next_url)
            devices.remember(done, user)
            return done
    qr = segno.make(device.config_url, error="m")
    # segno writes the SVG itself from the otpauth URL (no user-supplied markup).
    qr_svg = mark_safe(  # noqa: S308
        qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr")
    )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": qr_svg,
        "secret": services.device_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "account": user.get_username(),
    }
    response = render(request, "accounts/second_factor_enroll.html", context)
    return refused(response, error) if error else response
