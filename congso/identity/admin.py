"""Administration of national sign-in: the levels of assurance procedures require (catalogue
managers; audited), and read-only views of the linked national accounts and of the population
database's access log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congso.audit.admin import AuditedModelAdmin
from congso.catalog import selectors as catalog
from congso.identity.models import AssuranceRule, NationalAccount, PopulationLookup


@admin.register(AssuranceRule)
class AssuranceRuleAdmin(AuditedModelAdmin):
    audit_prefix = "identity"
    audit_names = {"assurancerule": "assurance"}
    list_display = ["procedure", "level", "valid_from", "valid_to", "legal_basis"]
    list_filter = ["level"]
    search_fields = ["procedure__code", "procedure__name"]
    raw_id_fields = ["procedure"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request) and catalog.can_manage_catalogue(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and catalog.can_manage_catalogue(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and catalog.can_manage_catalogue(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NationalAccount)
class NationalAccountAdmin(ReadOnlyAdmin):
    list_display = ["provider", "subject", "user", "level", "linked_at", "last_login_at"]
    list_filter = ["provider", "level"]
    search_fields = ["personal_id", "user__username"]


@admin.register(PopulationLookup)
class PopulationLookupAdmin(ReadOnlyAdmin):
    list_display = ["at", "personal_id", "actor_kind", "actor_label", "purpose", "outcome"]
    list_filter = ["outcome", "actor_kind"]
    search_fields = ["personal_id", "request_id", "dossier_code"]
