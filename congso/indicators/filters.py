"""The period / agency / field filter shared by the dashboard, the index page, the drill-down and
the public statistics, and who may see which of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.catalog.models import Field
from congso.indicators.index import scope_agency_ids
from congso.org.models import Agency, AgencyLevel
from congso.org.permissions import AGENCY_ADMIN, PROVINCE_WIDE, current_roles, is_superuser

#: Roles that open the dashboard and the index: province-wide roles and the heads of agencies.
DASHBOARD_ROLES = (*PROVINCE_WIDE, "leader", AGENCY_ADMIN)
#: The longest period one page may cover.
MAX_DAYS = 366 * 3


def may_see_dashboard(user: Any) -> bool:
    if is_superuser(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False) and current_roles(user, DASHBOARD_ROLES).exists()
    )


def dashboard_scope(user: Any) -> list[int] | None:
    """The agencies the dashboard counts for ``user``: every agency of their province for the
    province-wide roles, their own agencies for an agency head (None: all, superuser)."""
    if is_superuser(user):
        return None
    return scope_agency_ids(user)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    """``?tu=YYYY-MM-DD&den=YYYY-MM-DD&co-quan=<id>&linh-vuc=<id>``: the field names are the
    Vietnamese query names, as in the portal's ``?linh-vuc=``."""

    def __init__(self, *args: Any, scope: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(active=True).order_by("level", "name")
        if scope is not None:
            agencies = agencies.filter(pk__in=scope)
        self.fields["tu"] = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
        self.fields["den"] = forms.DateField(
            label=_("Đến ngày"), required=False, widget=DateInput()
        )
        self.fields["co-quan"] = forms.TypedChoiceField(
            label=_("Cơ quan"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Tất cả cơ quan"))]
            + [(a.pk, a.name) for a in agencies.only("pk", "name")],
        )
        self.fields["linh-vuc"] = forms.TypedChoiceField(
            label=_("Lĩnh vực"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Tất cả lĩnh vực"))]
            + [(f.pk, f.name) for f in Field.objects.order_by("name").only("pk", "name")],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start = data.get("tu") or date(today.year, 1, 1)
        end = data.get("den") or today
        if start > end:
            self.add_error("den", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        elif (end - start).days > MAX_DAYS:
            self.add_error("den", _("Mỗi lần xem tối đa 3 năm."))
        data["tu"], data["den"] = start, end
        return data


@dataclass(frozen=True)
class Selection:
    start: date
    end: date
    agency_id: int | None
    field_id: int | None

    @property
    def agency_ids(self) -> list[int] | None:
        return [self.agency_id] if self.agency_id else None

    @property
    def field_ids(self) -> list[int] | None:
        return [self.field_id] if self.field_id else None

    def query(self) -> str:
        parts = [f"tu={self.start.isoformat()}", f"den={self.end.isoformat()}"]
        if self.agency_id:
            parts.append(f"co-quan={self.agency_id}")
        if self.field_id:
            parts.append(f"linh-vuc={self.field_id}")
        return "&".join(parts)


def read_period(params: Any, scope: list[int] | None) -> tuple[PeriodForm, Selection]:
    """The bound form and the selection; on invalid input the default period (this year) with
    the form's errors to show."""
    data = {name: params.get(name, "") for name in ("tu", "den", "co-quan", "linh-vuc")}
    form = PeriodForm(data, scope=scope)
    today = timezone.localdate()
    if form.is_valid():
        cleaned = form.cleaned_data
        return form, Selection(
            cleaned["tu"], cleaned["den"], cleaned.get("co-quan"), cleaned.get("linh-vuc")
        )
    return form, Selection(date(today.year, 1, 1), today, None, None)


def month_starts(start: date, end: date) -> list[date]:
    months = []
    cursor = start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


COMMUNE = AgencyLevel.COMMUNE
