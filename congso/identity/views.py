"""National sign-in pages: start, callback, the merge consent, the step-up, the logout. Thin:
the flow is ``oidc``, the changes are ``services``; a refusal is a page with the message."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from congso.accounts import devices
from congso.accounts import services as accounts
from congso.accounts.views import safe_next, second_factor_url
from congso.catalog.models import Procedure
from congso.core.clients import client_ip
from congso.core.errors import localise
from congso.identity import oidc, population, services, session
from congso.identity.oidc import SignInFailed
from congso.org.models import Citizen

log = logging.getLogger("congso.identity")

BACKEND = "django.contrib.auth.backends.ModelBackend"


def refused(request: HttpRequest, exc: SignInFailed, *, provider: str = "") -> HttpResponse:
    status = 503 if exc.code == "provider_unavailable" else exc.status
    log.info("identity sign-in refused: %s (%s)", exc.code, provider or "-")
    context = {"message": localise(exc.message), "code": exc.code}
    return render(request, "identity/refused.html", context, status=status)


def _level(request: HttpRequest) -> int:
    raw = request.GET.get("muc", "1")
    return 2 if raw == "2" else 1


@never_cache
def start(request: HttpRequest, provider: str) -> HttpResponse:
    """Redirect to the provider (``?muc=2`` asks for level 2; ``?next=`` where to land)."""
    try:
        p = oidc.provider(provider)
        redirect_uri = request.build_absolute_uri(reverse("identity:callback", args=[p.key]))
        url, pending = oidc.begin(
            p, redirect_uri=redirect_uri, level=_level(request), next_url=safe_next(request)
        )
    except SignInFailed as exc:
        return refused(request, exc, provider=provider)
    session.keep_pending(request, pending)
    return redirect(url)


def _finish_login(request: HttpRequest, user: object, next_url: str) -> HttpResponse:
    if accounts.second_factor_required(user):
        # Officers keep their second factor: the national account alone is not enough.
        return redirect(second_factor_url(user, next_url))  # type: ignore[arg-type]
    done = redirect(next_url)
    devices.remember(done, user)
    return done


@never_cache
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    params = {key: request.GET.get(key, "") for key in ("code", "state", "error")}
    pending = session.take_pending(request, params["state"])
    try:
        p = oidc.provider(provider)
        if pending is None or pending.provider != p.key:
            raise oidc.SignInFailed(
                "state_invalid",
                gettext(
                    "Phiên đăng nhập không khớp hoặc đã được dùng. Bạn vui lòng bấm đăng nhập lại."
                ),
            )
        identity = oidc.complete(p, pending, params=params)
        user = request.user
        if user.is_authenticated and pending.level > 1:
            services.step_up(user=user, identity=identity, wanted=pending.level)
            session.remember_sign_in(request, identity)
            messages.success(request, gettext("Đã xác thực mức 2 bằng VNeID."))
            return redirect(pending.next_url)
        outcome = services.sign_in(identity)
    except SignInFailed as exc:
        return refused(request, exc, provider=provider)
    if outcome.merge_with is not None:
        session.keep_merge(request, identity, outcome.merge_with.pk, pending.next_url)
        return redirect("identity:merge")
    if pending.level > identity.level:
        # Asked for level 2, signed in at level 1: signed in, but the procedure will ask again.
        messages.warning(request, localise(services.level_too_low(pending.level, identity.level)))
    auth_login(request, outcome.user, backend=BACKEND)
    session.remember_sign_in(request, identity)
    services.session_opened(identity, request.session.session_key)
    return _finish_login(request, outcome.user, pending.next_url)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def merge(request: HttpRequest) -> HttpResponse:
    """An existing local account has the same personal ID: its owner consents with its
    password, or declines (nothing is linked, no one is signed in)."""
    found = session.merge_pending(request)
    if found is None:
        return redirect(settings.LOGIN_URL)
    identity, user_id, next_url = found
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "decline":
            session.drop_merge(request)
            messages.info(
                request, gettext("Chưa liên kết tài khoản. Bạn có thể đăng nhập bằng mật khẩu.")
            )
            return redirect(settings.LOGIN_URL)
        try:
            user = services.merge_confirm(
                identity=identity,
                user_id=user_id,
                password=request.POST.get("password", ""),
                request=request,
                ip=client_ip(request) or "",
            )
        except SignInFailed as exc:
            error = localise(exc.message)
        else:
            session.drop_merge(request)
            auth_login(request, user, backend=BACKEND)
            session.remember_sign_in(request, identity)
            services.session_opened(identity, request.session.session_key)
            messages.success(
                request, gettext("Đã liên kết tài khoản định danh với tài khoản của bạn.")
            )
            return _finish_login(request, user, next_url)
    context = {
        "identity": identity,
        "provider": oidc.PROVIDER_LABELS[identity.provider],
        "error": error,
    }
    return render(request, "identity/merge.html", context, status=400 if error else 200)


@require_POST
@csrf_protect
def logout(request: HttpRequest) -> HttpResponse:
    """Local logout, then (after a national sign-in) the provider's end-session endpoint."""
    state = session.signed_in(request)
    accounts.logout_record(user=request.user, ip=client_ip(request))
    auth_logout(request)
    home = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
    if state:
        try:
            endpoint = oidc.end_session_endpoint(oidc.provider(state["provider"]))
        except SignInFailed:
            endpoint = None
        if endpoint:
            query = {"post_logout_redirect_uri": home, "id_token_hint": state["id_token"]}
            # A page that goes on to the provider, not a redirect: the CSP's form-action
            # ('self') stops a form's redirect to another origin.
            context = {
                "end_session": f"{endpoint}?{urlencode(query)}",
                "provider": state["provider"],
            }
            return render(request, "identity/logged_out.html", context)
    messages.info(request, gettext("Bạn đã đăng xuất."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


def step_up_page(request: HttpRequest, procedure: Procedure, next_url: str) -> HttpResponse | None:
    """The page asking to sign in at the level ``procedure`` requires, or ``None`` when the
    session's level is enough (called by the portal when an online application starts)."""
    wanted = services.required_level(procedure)
    have = session.current_level(request)
    if wanted <= 1 or have >= wanted:
        return None
    providers = oidc.providers()
    context = {
        "procedure": procedure,
        "wanted": wanted,
        "have": have,
        "providers": providers.values(),
        "next": next_url,
    }
    return render(request, "identity/step_up.html", context, status=403)


@login_required
@never_cache
def lookups(request: HttpRequest) -> HttpResponse:
    """ "Ai đã tra cứu dữ liệu của tôi": the person's population-database access log."""
    citizen = Citizen.objects.filter(user_id=request.user.pk or 0).first()
    entries = population.access_log(citizen) if citizen is not None else []
    return render(request, "identity/lookups.html", {"citizen": citizen, "entries": entries})


@csrf_exempt
@require_POST
@never_cache
def backchannel_logout(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider's back-channel logout (a server-to-server POST of ``logout_token``): the
    sessions it names are ended. 200 when done, 400 with ``invalid_request`` otherwise (the
    refusal is logged by its code only)."""
    try:
        p = oidc.provider(provider)
        claims = oidc.verify_logout_token(p, request.POST.get("logout_token", ""))
        services.backchannel_logout(p.key, claims)
    except SignInFailed as exc:
        log.info("backchannel logout %s refused: %s", provider, exc.code)
        return JsonResponse({"error": "invalid_request"}, status=400)
    return HttpResponse(status=200)
