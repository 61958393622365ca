"""Officers (staff, or anyone holding an officer role) must pass the TOTP step before using
officer pages: the administration (``/quan-tri/``) and everything under ``/can-bo/``.

Runs after ``django_otp.middleware.OTPMiddleware`` (which gives ``request.user.is_verified``).
An officer who logged in with a password but has not confirmed a code is sent to the code page
(or to enrolment when they have no device yet), with ``next`` pointing back. Citizens are never
asked. ``settings.OFFICER_2FA_REQUIRED = False`` turns the requirement off.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from congso.accounts import services
from congso.accounts.models import User
from congso.accounts.views import second_factor_url

OFFICER_AREA_PREFIX = "/can-bo/"


class OfficerSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    @cached_property
    def guarded_prefixes(self) -> tuple[str, ...]:
        return (reverse("admin:index"), OFFICER_AREA_PREFIX)

    @cached_property
    def exempt_paths(self) -> frozenset[str]:
        # Leaving must always be possible.
        return frozenset({reverse("admin:logout")})

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OFFICER_2FA_REQUIRED and self._guarded(request.path):
            user = request.user
            if (
                isinstance(user, User)
                and not self._verified(request)
                and services.second_factor_required(user)
            ):
                return redirect(second_factor_url(user, request.get_full_path()))
        return self.get_response(request)

    def _guarded(self, path: str) -> bool:
        return path.startswith(self.guarded_prefixes) and path not in self.exempt_paths

    @staticmethod
    def _verified(request: HttpRequest) -> bool:
        check = getattr(request.user, "is_verified", None)
        return bool(check and check())
