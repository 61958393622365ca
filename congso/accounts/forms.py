from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congso.accounts import devices, services
from congso.core.clients import client_ip
from congso.core.errors import DomainError


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Mã xác thực gồm 6 chữ số"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Mã xác thực gồm đúng 6 chữ số.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 ]{6,7}",
                "maxlength": "7",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, going through the same throttle and audit as the site login."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                user = services.login_attempt(
                    username=username,
                    password=password,
                    ip=client_ip(self.request),
                    device_token=self.request.COOKIES.get(devices.COOKIE)
                    if self.request is not None
                    else None,
                    request=self.request,
                )
            except DomainError as exc:
                raise ValidationError(exc.message, code=exc.code) from exc
            self.user_cache = user
            self.confirm_login_allowed(user)
        return self.cleaned_data
