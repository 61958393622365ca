"""Back-office views of dossiers (read-only: every change goes through the services, which keep
the history, audit and outbox in step) and of the dossier-code rules (a new rule is added through
:func:`congso.dossiers.services.code_rule_create`, validated and audited; rules in use never
change)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from congso.core.errors import DomainError
from congso.dossiers.models import (
    CodeRule,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierHistory,
    DossierStep,
    SupplementRequest,
)
from congso.dossiers.services import code_rules
from congso.org.permissions import VIEW


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ComponentInline(ReadOnlyInline):
    model = DossierComponent
    fields = ("code", "name", "mandatory", "paper_received", "verified", "digitised")
    readonly_fields = fields


class StepInline(ReadOnlyInline):
    model = DossierStep
    fk_name = "dossier"
    fields = (
        "stage",
        "name",
        "kind",
        "agency",
        "role",
        "status",
        "started_at",
        "due_at",
        "ended_at",
        "timeliness",
    )
    readonly_fields = fields


class HistoryInline(ReadOnlyInline):
    model = DossierHistory
    fields = ("at", "action", "from_status", "to_status", "actor_label", "step_name", "note")
    readonly_fields = fields


class SupplementInline(ReadOnlyInline):
    model = SupplementRequest
    fields = ("requested_at", "phase", "reason", "items", "counts", "fulfilled_at")
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "applicant_name",
        "procedure",
        "status",
        "channel",
        "competent_agency",
        "received_at",
        "appointment_at",
        "timeliness",
    )
    list_filter = ("status", "channel", "timeliness", "desk", "competent_agency__level")
    search_fields = (
        "code",
        "applicant_name",
        "applicant_id_number",
        "procedure_version__procedure__code",
        "procedure_version__procedure__name",
    )
    date_hierarchy = "submitted_at"
    inlines = (ComponentInline, SupplementInline, StepInline, HistoryInline)
    list_select_related = ("procedure_version__procedure", "competent_agency")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dossier]:
        return Dossier.objects.restrict(request.user, VIEW)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Dossier._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="thủ tục")
    def procedure(self, obj: Dossier) -> str:
        return obj.procedure_version.procedure.code


@admin.register(DossierEvent)
class DossierEventAdmin(admin.ModelAdmin):
    list_display = ("dossier", "kind", "created_at", "published_at")
    list_filter = ("kind",)
    search_fields = ("dossier__code",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DossierEvent]:
        return DossierEvent.objects.filter(
            dossier__in=Dossier.objects.restrict(request.user, VIEW)
        ).select_related("dossier")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in DossierEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CodeRuleForm(forms.ModelForm):
    class Meta:
        model = CodeRule
        fields = ("effective_from", "pattern", "legal_basis")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("effective_from") and data.get("pattern"):
            try:
                code_rules.code_rule_check(
                    effective_from=data["effective_from"], pattern=data["pattern"]
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
        return data


@admin.register(CodeRule)
class CodeRuleAdmin(admin.ModelAdmin):
    form = CodeRuleForm
    list_display = ("effective_from", "pattern", "legal_basis")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("effective_from", "pattern", "legal_basis") if obj is not None else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CodeRule, form: Any, change: bool) -> None:
        if change:
            return
        created = code_rules.code_rule_create(
            actor=request.user,
            effective_from=obj.effective_from,
            pattern=obj.pattern,
            legal_basis=obj.legal_basis,
        )
        obj.pk = created.pk
