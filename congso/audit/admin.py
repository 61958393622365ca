from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congso.audit.models import AuditAnchor, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched and read, never added to, changed or deleted here."""

    list_display = ("seq", "time", "actor_label", "action", "target_type", "target_label")
    list_filter = ("target_type", "action", "time")
    search_fields = ("action", "actor_label", "target_label", "target_id", "request_id", "hash")
    date_hierarchy = "time"
    ordering = ("-seq",)
    show_full_result_count = False
    fields = (
        "seq",
        "time",
        "actor",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "before",
        "after",
        "request_id",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


@admin.register(AuditAnchor)
class AuditAnchorAdmin(admin.ModelAdmin):
    """Read-only list of the daily anchors of the chain head."""

    list_display = ("seq", "created_at", "timestamp_time", "head_hash", "signer")
    ordering = ("-created_at",)
    fields = ("seq", "head_hash", "created_at", "timestamp_time", "statement", "mac", "signer")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
