from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.indicators.filters import DateInput
from congso.org.models import Agency, Desk
from congso.reports.models import ReportFormat, ReportKind


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportKind.choices)
    format = forms.ChoiceField(label=_("Định dạng"), choices=ReportFormat.choices)
    start = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), widget=DateInput())
    agency = forms.TypedChoiceField(
        label=_("Cơ quan (báo cáo một cửa, chỉ số)"), required=False, coerce=int, empty_value=None
    )
    desk = forms.TypedChoiceField(
        label=_("Bộ phận Một cửa (sổ theo dõi)"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, user: Any, scope: list[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(active=True).order_by("level", "name")
        if scope is not None:
            agencies = agencies.filter(pk__in=scope)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            ("", _("Tất cả cơ quan trong phạm vi"))
        ] + [(a.pk, a.name) for a in agencies.only("pk", "name")]
        desks = Desk.objects.restrict(user, "view").select_related("agency").order_by("name")
        cast(forms.ChoiceField, self.fields["desk"]).choices = [("", "—")] + [
            (d.pk, d.name) for d in desks
        ]
        today = timezone.localdate()
        self.fields["start"].initial = today.replace(day=1)
        self.fields["end"].initial = today
