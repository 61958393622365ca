"""Back-office administration of units, agencies, desks, roles and applicants (Vietnamese).

Lists go through ``restrict(request.user, "view")`` and changes need
``restrict(request.user, "change")`` as well as Django's model permissions, so a staff officer
sees and edits only what the permission layer allows. Each admin save writes an audit event in
the same transaction as the change (the admin wraps a save in one).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

from congso.audit.admin import AuditedModelAdmin
from congso.org.models import (
    AdministrativeUnit,
    Agency,
    Citizen,
    Department,
    Desk,
    Organisation,
    Representative,
    RoleAssignment,
    UnitSuccession,
)
from congso.org.permissions import (
    CHANGE,
    DELETE,
    VIEW,
    RestrictedQuerySet,
    can,
    can_administer_province,
)
from congso.org.selectors import province_of
from congso.org.services import snapshot

_AUDIT_NAMES = {
    "administrativeunit": "unit",
    "unitsuccession": "succession",
    "agency": "agency",
    "department": "department",
    "desk": "desk",
    "roleassignment": "role",
    "citizen": "citizen",
    "organisation": "organisation",
    "representative": "representative",
}


class AuditedAdmin(AuditedModelAdmin):
    """Every write audited as ``org.<name>.*``."""

    audit_prefix = "org"
    audit_names = _AUDIT_NAMES

    def audit_snapshot(self, obj: models.Model) -> dict[str, Any]:
        return snapshot(obj)  # many-to-many included (org.services.snapshot)


class RestrictedAdmin(AuditedAdmin):
    """Reads through ``restrict()``; per-object change and delete through ``can()``; and a
    person may only write what they may then change: anything else (an agency in another
    province, a province-wide role granted by an agency administrator…) is refused with 403
    and rolled back with the admin's transaction."""

    def check_saved(self, request: HttpRequest, obj: models.Model) -> None:
        if not can(request.user, CHANGE, obj):
            raise PermissionDenied("Bạn không có quyền ghi đối tượng này.")

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        assert isinstance(queryset, RestrictedQuerySet)
        return queryset.restrict(request.user, VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request.user, CHANGE, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can(request.user, DELETE, obj))


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind", ("valid_to", admin.EmptyFieldListFilter), "source")
    search_fields = ("code", "name", "codename")
    raw_id_fields = ("parent", "province")
    list_select_related = ("parent",)
    ordering = ("code",)


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(AuditedAdmin):
    list_display = ("predecessor", "successor", "whole", "effective_on", "legal_basis")
    list_filter = ("whole", "effective_on", "legal_basis")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    autocomplete_fields = ("predecessor", "successor")
    list_select_related = ("predecessor", "successor")


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ("name", "short_name", "active")


class DeskInline(admin.StackedInline):
    model = Desk
    fk_name = "agency"
    extra = 0
    fields = ("name", "kind", "serves", "unit", "address", "phone", "active")
    autocomplete_fields = ("serves", "unit")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ("user", "role", "department", "desk", "valid_from", "valid_to")
    raw_id_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(RestrictedAdmin):
    list_display = ("code", "name", "short_name", "level", "unit", "active")
    list_filter = ("level", "active", "province")
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent", "unit")
    readonly_fields = ("province", "created_at", "updated_at")
    list_select_related = ("unit",)
    inlines = (DepartmentInline, DeskInline, RoleAssignmentInline)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not can_administer_province(request.user, obj.province_id):
            # Agency administrators keep their agency's identity and place as the province set it.
            fields += ("code", "level", "unit", "parent")
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.province = province_of(obj.unit)
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "parent":
            kwargs["queryset"] = Agency.objects.restrict(request.user, VIEW)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(RestrictedAdmin):
    list_display = ("name", "short_name", "agency", "active")
    list_filter = ("active", "agency__province")
    search_fields = ("name", "short_name", "agency__name", "agency__code")
    autocomplete_fields = ("agency",)
    list_select_related = ("agency",)
    inlines = (RoleAssignmentInline,)


@admin.register(Desk)
class DeskAdmin(RestrictedAdmin):
    list_display = ("name", "kind", "agency", "unit", "active")
    list_filter = ("kind", "active", "agency__province")
    search_fields = ("name", "agency__name", "agency__code")
    autocomplete_fields = ("agency", "serves", "unit")
    list_select_related = ("agency", "unit")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(RestrictedAdmin):
    list_display = ("user", "role", "agency", "department", "desk", "valid_from", "valid_to")
    list_filter = ("role", ("valid_to", admin.EmptyFieldListFilter), "agency__province")
    search_fields = ("user__username", "user__full_name", "agency__name", "agency__code")
    raw_id_fields = ("user",)
    autocomplete_fields = ("agency", "department", "desk")
    list_select_related = ("user", "agency", "department", "desk")
    date_hierarchy = "valid_from"


@admin.register(Citizen)
class CitizenAdmin(RestrictedAdmin):
    list_display = ("full_name", "personal_id", "birth_date", "gender", "address_unit", "user")
    list_filter = ("gender",)
    search_fields = ("full_name", "personal_id", "phone", "email")
    raw_id_fields = ("user",)
    autocomplete_fields = ("address_unit", "registered_by")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("address_unit", "user")


class RepresentativeInline(admin.TabularInline):
    """The citizens who may act for the organisation online (issue 13 item 4): recorded after
    checking the registration certificate or the authorisation letter."""

    model = Representative
    extra = 0
    fields = ("citizen", "role", "evidence", "valid_from", "valid_to", "source", "created_by")
    readonly_fields = ("source", "created_by")
    autocomplete_fields = ("citizen",)


@admin.register(Organisation)
class OrganisationAdmin(RestrictedAdmin):
    list_display = ("name", "tax_code", "address_unit", "phone")
    search_fields = ("name", "tax_code")
    autocomplete_fields = ("address_unit", "registered_by")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("address_unit",)
    inlines = (RepresentativeInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is Representative:
            for item in formset.forms:
                if item.instance.pk is None and item.instance.created_by_id is None:
                    item.instance.created_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(Representative)
class RepresentativeAdmin(RestrictedAdmin):
    list_display = ("citizen", "role", "organisation", "source", "valid_from", "valid_to")
    list_filter = ("role", "source", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = (
        "citizen__full_name",
        "citizen__personal_id",
        "organisation__name",
        "organisation__tax_code",
    )
    autocomplete_fields = ("citizen", "organisation")
    readonly_fields = ("source", "created_by", "created_at")
    list_select_related = ("citizen", "organisation")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if obj.pk is None and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
