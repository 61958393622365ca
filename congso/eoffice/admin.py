"""Admin: the packages as they went out or came in (a refused one kept for inspection), the
outbox, the registers and the document types. Read-only except the types (data)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from congso.eoffice.models import (
    AxisAgency,
    Document,
    DocumentType,
    OutboxItem,
    Package,
    RegisterCounter,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "abbreviation", "effective_from", "position")
    ordering = ("position", "code")


@admin.register(Document)
class DocumentAdmin(ReadOnly):
    list_display = ("__str__", "agency", "direction", "state", "subject", "register_number")
    list_filter = ("direction", "state")
    search_fields = ("code_number", "code_notation", "document_id", "subject")
    list_select_related = ("agency",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return Document.objects.restrict(request.user).select_related("agency")


@admin.register(Package)
class PackageAdmin(ReadOnly):
    """Packages carry whole documents (confidential ones too): superusers only."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    list_display = (
        "created_at",
        "direction",
        "kind",
        "outcome",
        "document_key",
        "status_code",
        "from_code",
        "remote_id",
    )
    list_filter = ("direction", "kind", "outcome")
    search_fields = ("document_key", "remote_id", "sha256", "from_code")
    exclude = ("data",)
    readonly_fields = ("size", "problem")

    @admin.display(description="dung lượng (byte)")
    def size(self, obj: Package) -> int:
        return len(obj.data or b"")


@admin.register(OutboxItem)
class OutboxItemAdmin(ReadOnly):
    list_display = ("key", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status",)
    search_fields = ("key", "remote_ref")


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnly):
    list_display = ("agency_code", "direction", "year", "confidential", "last")
    list_filter = ("direction", "year", "confidential")


@admin.register(AxisAgency)
class AxisAgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent_code", "active", "synced_at")
    list_filter = ("active",)
    search_fields = ("code", "name")
    readonly_fields = ("code", "name", "parent_code", "active", "synced_at")
