from __future__ import annotations

from django.contrib import admin

from congso.results.models import ResultTemplate, SignatureRecord, SignedResult


@admin.register(ResultTemplate)
class ResultTemplateAdmin(admin.ModelAdmin):
    list_display = ["procedure", "title", "kind", "level"]
    list_filter = ["level", "kind"]
    raw_id_fields = ["procedure"]


class SignatureInline(admin.TabularInline):
    model = SignatureRecord
    extra = 0
    can_delete = False
    readonly_fields = [
        "role",
        "field_name",
        "certify",
        "profile",
        "signer_name",
        "signer_title",
        "certificate_serial",
        "level",
        "signed_at",
        "sha256_after",
    ]
    exclude = ["certificate_subject"]

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SignedResult)
class SignedResultAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "level", "status", "created_at", "signed_at"]
    list_filter = ["status", "level"]
    search_fields = ["code", "dossier__code"]
    readonly_fields = [
        "dossier",
        "code",
        "number",
        "file",
        "size",
        "sha256",
        "public_token",
        "roles",
    ]
    inlines = [SignatureInline]

    def has_add_permission(self, request: object) -> bool:
        return False
