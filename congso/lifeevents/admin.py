from django.contrib import admin

from congso.lifeevents.models import (
    GroupApplication,
    GroupMember,
    GroupVersion,
    LifeEventRule,
    Offer,
    ProcedureGroup,
)


class VersionInline(admin.StackedInline):
    model = GroupVersion
    extra = 0


@admin.register(ProcedureGroup)
class ProcedureGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    inlines = [VersionInline]


@admin.register(LifeEventRule)
class LifeEventRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "event", "level", "act_allowed", "active")
    list_filter = ("event", "level", "active")


class MemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    readonly_fields = ("order", "procedure", "dossier", "routing")
    can_delete = False


@admin.register(GroupApplication)
class GroupApplicationAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "applicant_citizen", "submitted_at", "due_at")
    readonly_fields = (
        "code",
        "version",
        "applicant_citizen",
        "submitted_by",
        "form_data",
        "submitted_at",
        "due_at",
    )
    inlines = [MemberInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("rule", "citizen", "level", "status", "created_at")
    list_filter = ("status", "level", "rule")
    readonly_fields = (
        "trail",
        "prepared",
        "subject",
        "consent_at",
        "decided_at",
        "completed_at",
        "reviewed_by",
    )
