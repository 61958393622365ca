"""Forms of the records pages. They only parse; the services decide (a service's
:class:`DomainError` is shown next to the field it names, or above the form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congso.core.errors import DomainError, localise


class DomainForm(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        name = exc.field or ""
        self.add_error(name if name in self.fields else None, localise(exc.message))


class PlanForm(DomainForm):
    agency = forms.TypedChoiceField(label=_("Cơ quan"), coerce=int)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]


RETENTION_CHOICES = [("years", _("Có thời hạn (số năm)")), ("permanent", _("Vĩnh viễn"))]


class SeriesForm(DomainForm):
    code = forms.CharField(label=_("Số, ký hiệu đề mục"), max_length=20)
    title = forms.CharField(label=_("Tên đề mục"), max_length=500)
    retention = forms.ChoiceField(label=_("Thời hạn bảo quản"), choices=RETENTION_CHOICES)
    retention_years = forms.IntegerField(
        label=_("Số năm bảo quản"), min_value=1, max_value=100, required=False
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ thời hạn bảo quản"),
        max_length=500,
        required=False,
        help_text=_("Ví dụ: Thông tư 10/2022/TT-BNV, mục 2.5."),
    )
    effective_from = forms.DateField(label=_("Áp dụng từ ngày"), required=False)


class OpenForm(DomainForm):
    series = forms.TypedChoiceField(label=_("Đề mục"), coerce=int)
    title = forms.CharField(label=_("Tiêu đề hồ sơ"), max_length=500)

    def __init__(self, *args: Any, series: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].choices = series  # type: ignore[attr-defined]


class FileForm(DomainForm):
    record = forms.TypedChoiceField(label=_("Hồ sơ lưu trữ đang lập"), coerce=int)

    def __init__(self, *args: Any, records: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = records  # type: ignore[attr-defined]


class DecideForm(DomainForm):
    action = forms.ChoiceField(label=_("Quyết định"), choices=())
    decision_ref = forms.CharField(
        label=_("Căn cứ quyết định"),
        max_length=255,
        required=False,
        help_text=_("Số, ngày quyết định của người đứng đầu cơ quan."),
    )
    reason = forms.CharField(
        label=_("Lý do"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    review_on = forms.DateField(label=_("Xem xét lại ngày (khi giữ lại)"), required=False)

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = actions  # type: ignore[attr-defined]
