"""Forms of the feedback pages. They only parse; the services decide (a service's
:class:`DomainError` is shown next to the field it names)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congso.core.errors import DomainError, localise
from congso.feedback.models import Category
from congso.org.models import AdministrativeUnit

#: Error fields of the services → form fields.
FIELD_MAP = {"files": "photos"}


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class DomainForm(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        name = FIELD_MAP.get(exc.field or "", exc.field)
        self.add_error(name if name in self.fields else None, localise(exc.message))


def category_choices(categories: list[Category]) -> list[tuple[str, Any]]:
    groups: list[tuple[str, Any]] = [("", _("— Chọn lĩnh vực —"))]
    for parent in (c for c in categories if c.parent_id is None):
        children = [(c.code, c.label) for c in categories if c.parent_id == parent.pk]
        groups.append((parent.label, [(parent.code, parent.label), *children]))
    return groups


def unit_choices(units: list[AdministrativeUnit]) -> list[tuple[str, str]]:
    return [("", str(_("— Chọn xã, phường —")))] + [(u.code, u.name) for u in units]


class ReportForm(DomainForm):
    category = forms.ChoiceField(label=_("Lĩnh vực"))
    description = forms.CharField(
        label=_("Nội dung phản ánh"),
        max_length=5000,
        widget=forms.Textarea({"rows": 5}),
        help_text=_("Mô tả sự việc, thời gian, mức độ ảnh hưởng."),
    )
    unit = forms.ChoiceField(label=_("Xã, phường"))
    address = forms.CharField(label=_("Địa chỉ, địa điểm"), max_length=255, required=False)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = MultipleFileField(
        label=_("Ảnh hoặc tệp (JPEG, PNG, PDF)"),
        required=False,
        widget=MultipleFileInput({"accept": "image/jpeg,image/png,application/pdf"}),
    )
    keep_location = forms.BooleanField(
        label=_("Giữ vị trí chụp trong ảnh (mặc định được xóa để bảo vệ riêng tư)"),
        required=False,
    )
    reporter_name = forms.CharField(label=_("Họ và tên"), max_length=200, required=False)
    reporter_phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        required=False,
        help_text=_("Để nhận tin nhắn về kết quả xử lý."),
        widget=forms.TextInput({"inputmode": "tel", "autocomplete": "tel"}),
    )
    reporter_email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    procedure = forms.CharField(label=_("Mã thủ tục liên quan (nếu có)"), required=False)
    dossier = forms.CharField(label=_("Mã hồ sơ liên quan (nếu có)"), required=False)
    publishable = forms.BooleanField(
        label=_("Đồng ý công khai phản ánh và trả lời (không công khai thông tin cá nhân)"),
        required=False,
    )

    def __init__(self, *args: Any, categories: list[Category], units: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        _choices(self, "category", category_choices(categories))
        _choices(self, "unit", unit_choices(units))


class HotlineForm(DomainForm):
    caller_name = forms.CharField(label=_("Người gọi"), max_length=200, required=False)
    caller_phone = forms.CharField(label=_("Số điện thoại gọi đến"), max_length=20)
    summary = forms.CharField(
        label=_("Tóm tắt nội dung cuộc gọi"), max_length=5000, widget=forms.Textarea({"rows": 4})
    )
    category = forms.ChoiceField(label=_("Lĩnh vực"))
    unit = forms.ChoiceField(label=_("Xã, phường"))
    address = forms.CharField(label=_("Địa chỉ, địa điểm"), max_length=255, required=False)
    publishable = forms.BooleanField(label=_("Người gọi đồng ý công khai"), required=False)

    def __init__(self, *args: Any, categories: list[Category], units: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        _choices(self, "category", category_choices(categories))
        _choices(self, "unit", unit_choices(units))


class RateForm(DomainForm):
    rating = forms.TypedChoiceField(
        label=_("Mức hài lòng với trả lời"),
        coerce=int,
        choices=[
            (5, _("5 — Rất hài lòng")),
            (4, _("4 — Hài lòng")),
            (3, _("3 — Tạm chấp nhận")),
            (2, _("2 — Chưa hài lòng")),
            (1, _("1 — Không hài lòng")),
        ],
    )
    comment = forms.CharField(
        label=_("Ý kiến"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )
    reopen = forms.BooleanField(label=_("Đề nghị xử lý lại"), required=False)


class ActionForm(DomainForm):
    reason = forms.CharField(
        label=_("Lý do, ghi chú"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 5}),
    )
    standard = forms.TypedChoiceField(
        label=_("Mẫu trả lời"),
        coerce=int,
        required=False,
        help_text=_("Nội dung mẫu đứng trước phần bạn viết thêm."),
    )
    assignee = forms.TypedChoiceField(label=_("Cán bộ xử lý"), coerce=int, required=False)
    agency = forms.TypedChoiceField(label=_("Chuyển tới cơ quan"), coerce=int, required=False)
    into = forms.CharField(label=_("Mã phản ánh gốc (trùng)"), max_length=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        assignees: list[Any],
        agencies: list[Any],
        standards: list[Any] | None = None,
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        _choices(self, "standard", [("", "—")] + [(a.pk, a.title) for a in standards or []])
        _choices(self, "assignee", [("", "—")] + [(u.pk, str(u)) for u in assignees])
        _choices(self, "agency", [("", "—")] + [(a.pk, a.name) for a in agencies])


class PublicFilterForm(forms.Form):
    linh_vuc = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    xa = forms.ChoiceField(label=_("Xã, phường"), required=False)
    tu = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput({"type": "date"})
    )
    den = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput({"type": "date"})
    )
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=100)

    def __init__(self, *args: Any, categories: list[Category], units: list[Any], **kw: Any):
        super().__init__(*args, **kw)
        _choices(self, "linh_vuc", [("", _("Tất cả"))] + [(c.code, c.label) for c in categories])
        _choices(self, "xa", [("", _("Tất cả"))] + [(u.code, u.name) for u in units])
