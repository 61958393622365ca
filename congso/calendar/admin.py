"""Admin pages for the calendar data. Saving and deleting go through the services, so every change
is validated the same way, audited and seen by the cached calendars.

The model form already refuses a second row for the same day and scope (the unique constraint is
validated with its Vietnamese message), so the services' own checks only fire on a race.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from congso.calendar import services
from congso.calendar.engine import WEEKDAY_NAMES, parse_periods
from congso.calendar.models import CalendarOverride, WorkingHours
from congso.core.errors import DomainError


class ScopeFilter(admin.SimpleListFilter):
    title = "phạm vi"
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("national", "Toàn quốc"), ("province", "Một tỉnh")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "national":
            return queryset.filter(province_code="")
        if self.value() == "province":
            return queryset.exclude(province_code="")
        return queryset


class HoursScopeFilter(ScopeFilter):
    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*super().lookups(request, model_admin), ("agency", "Một cơ quan")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "national":
            return queryset.filter(province_code="", agency_code="")
        if self.value() == "agency":
            return queryset.exclude(agency_code="")
        return super().queryset(request, queryset)


class ServiceBackedAdmin(admin.ModelAdmin):
    """Writes through the services; a failed delete becomes an error message, not a 500."""

    def _report(self, request: HttpRequest, exc: DomainError) -> None:
        self.message_user(request, exc.message, level=messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ServiceBackedAdmin):
    list_display = ("date", "weekday", "kind", "name", "province_code", "legal_source")
    list_filter = ("kind", ScopeFilter, "province_code")
    search_fields = ("name", "legal_source", "province_code")
    date_hierarchy = "date"
    ordering = ("-date",)
    fields = ("date", "kind", "name", "legal_source", "province_code", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="thứ")
    def weekday(self, obj: CalendarOverride) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: ModelForm, change: bool
    ) -> None:
        if change:
            saved = services.override_update(
                actor=request.user,
                override_id=obj.pk,
                date=obj.date,
                kind=obj.kind,
                name=obj.name,
                legal_source=obj.legal_source,
                province_code=obj.province_code,
            )
        else:
            saved = services.override_create(
                actor=request.user,
                date=obj.date,
                kind=obj.kind,
                name=obj.name,
                legal_source=obj.legal_source,
                province_code=obj.province_code,
            )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        try:
            services.override_delete(actor=request.user, override_id=obj.pk)
        except DomainError as exc:
            self._report(request, exc)


@admin.register(WorkingHours)
class WorkingHoursAdmin(ServiceBackedAdmin):
    list_display = (
        "province_code",
        "agency_code",
        "effective_from",
        "periods",
        "cutoff",
        "legal_source",
    )
    list_filter = (HoursScopeFilter, "province_code")
    search_fields = ("province_code", "agency_code", "legal_source")
    date_hierarchy = "effective_from"
    fields = (
        "province_code",
        "agency_code",
        "effective_from",
        "periods",
        "cutoff",
        "legal_source",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("created_at", "updated_at")

    def save_model(
        self, request: HttpRequest, obj: WorkingHours, form: ModelForm, change: bool
    ) -> None:
        if change:
            saved = services.working_hours_update(
                actor=request.user,
                working_hours_id=obj.pk,
                province_code=obj.province_code,
                agency_code=obj.agency_code,
                effective_from=obj.effective_from,
                periods=parse_periods(obj.periods),
                cutoff=obj.cutoff,
                legal_source=obj.legal_source,
            )
        else:
            saved = services.working_hours_create(
                actor=request.user,
                province_code=obj.province_code,
                agency_code=obj.agency_code,
                effective_from=obj.effective_from,
                periods=parse_periods(obj.periods),
                cutoff=obj.cutoff,
                legal_source=obj.legal_source,
            )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: WorkingHours) -> None:
        try:
            services.working_hours_delete(actor=request.user, working_hours_id=obj.pk)
        except DomainError as exc:
            self._report(request, exc)
