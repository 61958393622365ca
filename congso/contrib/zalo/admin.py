"""Admin: the OA token's state (never its value) and the ZNS attempts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congso.contrib.zalo.models import OaToken, ZnsSend


@admin.register(OaToken)
class OaTokenAdmin(admin.ModelAdmin):
    list_display = ("app_id", "expires_at", "refreshed_at", "refreshes", "last_error")
    fields = ("app_id", "expires_at", "refreshed_at", "refreshes", "last_error", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ZnsSend)
class ZnsSendAdmin(admin.ModelAdmin):
    list_display = ("msg_id", "message", "attempt", "tracking_id", "sent_at")
    search_fields = ("msg_id", "tracking_id", "message__recipient", "message__dossier__code")
    readonly_fields = ("message", "attempt", "msg_id", "tracking_id", "sent_at")
    list_select_related = ("message",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
