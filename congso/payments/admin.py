"""The fee engine's data: schedules per procedure version, exemptions and reductions (read by
:mod:`congso.payments.fees`); assessments are read-only (frozen on the dossier)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from congso.payments.models import FeeAssessment, FeeRule, FeeSchedule


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ("procedure_version", "due", "case_field", "pay_within_days")
    list_filter = ("due",)
    raw_id_fields = ("procedure_version",)


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "procedure_code", "kind", "channel", "effect", "value")
    list_filter = ("effect", "kind", "channel")
    search_fields = ("name", "procedure_code", "legal_basis")


@admin.register(FeeAssessment)
class FeeAssessmentAdmin(admin.ModelAdmin):
    list_display = ("key", "stage", "total_vnd", "computed_at", "paid_at")
    list_filter = ("stage",)
    search_fields = ("key",)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False
