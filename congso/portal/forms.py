"""Forms of the citizen pages. They only parse; the services decide (their
:class:`DomainError` is shown next to the field it names)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congso.core.errors import DomainError, localise
from congso.org.identity import Gender


class DomainForm(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, localise(exc.message))


class RegisterForm(DomainForm):
    full_name = forms.CharField(
        label=_("Họ, chữ đệm và tên"),
        max_length=200,
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    personal_id = forms.RegexField(
        label=_("Số định danh cá nhân"),
        regex=r"^\d{12}$",
        help_text=_("12 chữ số, ghi trên thẻ căn cước."),
        error_messages={"invalid": _("Số định danh cá nhân gồm đúng 12 chữ số.")},
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh"),
        widget=forms.DateInput({"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    gender = forms.ChoiceField(
        label=_("Giới tính"),
        choices=[
            ("", _("— Chọn —")),
            (Gender.MALE.value, _("Nam")),
            (Gender.FEMALE.value, _("Nữ")),
        ],
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput({"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, widget=forms.EmailInput({"autocomplete": "email"})
    )
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_("Chữ không dấu, số và các ký tự . _ -"),
        widget=forms.TextInput({"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số, không quá giống tên đăng nhập."),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Cần nhập số điện thoại hoặc thư điện tử."))
        return data


class ProfileForm(DomainForm):
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput({"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, widget=forms.EmailInput({"autocomplete": "email"})
    )
    address = forms.CharField(
        label=_("Địa chỉ (số nhà, thôn, tổ…)"),
        max_length=255,
        required=False,
        widget=forms.TextInput({"autocomplete": "street-address"}),
    )
