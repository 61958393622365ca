from __future__ import annotations

from django.contrib import admin

from congso.audit.admin import AuditedModelAdmin
from congso.feedback.models import Category, Open311Key, Report, RoutingRule, StandardAnswer


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    audit_prefix = "feedback"
    list_display = ("name", "code", "parent", "province", "deadline_days", "active")
    list_filter = ("province", "active")
    search_fields = ("name", "code")


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin):
    audit_prefix = "feedback"
    list_display = ("category", "unit", "agency", "department", "priority", "valid_from")
    list_filter = ("category__province",)
    raw_id_fields = ("unit", "agency", "department")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the services (the officers' pages)."""

    list_display = ("code", "category", "unit", "agency", "status", "received_at", "due_at")
    list_filter = ("status", "channel")
    search_fields = ("code",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(AuditedModelAdmin):
    audit_prefix = "feedback"
    list_display = ("name", "active", "created_at")
    readonly_fields = ("key_hash",)


@admin.register(StandardAnswer)
class StandardAnswerAdmin(AuditedModelAdmin):
    audit_prefix = "feedback"
    list_display = ("title", "category", "province", "order", "active")
    list_filter = ("province", "active")
    search_fields = ("title", "text")
