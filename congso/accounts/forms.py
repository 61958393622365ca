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


class ResetRequestForm(forms.Form):
    contact = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại đã đăng ký"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                forms.EmailField().clean(value)
            except ValidationError:
                raise ValidationError(_("Địa chỉ thư điện tử không hợp lệ.")) from None
        return value


class ResetCodeForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    code = forms.RegexField(
        label=_("Mã gồm 6 chữ số trong tin nhắn"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Mã gồm đúng 6 chữ số.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "maxlength": "7",
                "autofocus": True,
            }
        ),
    )


class TokenForm(forms.Form):
    LIFETIMES = [
        ("1", _("1 ngày")),
        ("7", _("7 ngày")),
        ("30", _("30 ngày")),
        ("90", _("90 ngày")),
        ("365", _("365 ngày")),
    ]

    name = forms.CharField(label=_("Tên gợi nhớ (mục đích)"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Phạm vi"),
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("read", _("Đọc (xem hồ sơ, danh mục, kết quả)")),
            ("write", _("Thao tác (nộp, tiếp nhận, chuyển, bổ sung…)")),
            ("approve", _("Quyết định (hoàn thành, từ chối giải quyết), tối đa 12 giờ")),
            ("sign", _("Ký số kết quả, tối đa 12 giờ")),
        ],
        initial=["read"],
    )
    days = forms.ChoiceField(label=_("Thời hạn"), choices=LIFETIMES, initial="30")
    code = forms.RegexField(
        label=_("Mã xác thực gồm 6 chữ số"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        required=False,
        error_messages={"invalid": _("Mã xác thực gồm đúng 6 chữ số.")},
        help_text=_("Cán bộ nhập mã đang hiển thị trong ứng dụng xác thực."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "7"}
        ),
    )
