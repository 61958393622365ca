"""The audit log in the admin (read only), and :class:`AuditedModelAdmin`, the base of every
admin that writes: each save, inline change and delete is an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from congso.audit.models import AuditAnchor, AuditEvent
from congso.audit.services import record, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes an audit event ``<audit_prefix>.<name>.<create|update|delete>`` for every save
    (after the many-to-many and inline changes are saved, so ``after`` is complete), every
    inline change and every delete, in the admin's transaction."""

    #: The app's part of the action (``catalog``, ``org``).
    audit_prefix = ""
    #: The name of a model in the action, when not its ``model_name``.
    audit_names: dict[str, str] = {}

    def audit_snapshot(self, obj: models.Model) -> dict[str, Any]:
        """What ``before``/``after`` record (every concrete field; an app may add more)."""
        return snapshot(obj)

    def _before(self, obj: models.Model) -> dict[str, Any] | None:
        if obj.pk is None:
            return None
        return self.audit_snapshot(type(obj)._default_manager.get(pk=obj.pk))

    def audit_action(self, obj: models.Model, verb: str) -> str:
        name = obj._meta.model_name or ""
        return f"{self.audit_prefix}.{self.audit_names.get(name, name)}.{verb}"

    def check_saved(self, request: HttpRequest, obj: models.Model) -> None:
        """Hook run right after an object (or inline object) is written."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        request._audit_before = self._before(obj) if change else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
        self.check_saved(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        record(
            actor=request.user,
            action=self.audit_action(obj, "update" if change else "create"),
            target=obj,
            before=getattr(request, "_audit_before", None),
            after=self.audit_snapshot(obj),
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record(
                actor=request.user,
                action=self.audit_action(obj, "delete"),
                target=obj,
                before=self.audit_snapshot(obj),
            )
            obj.delete()
        pending = [(obj, self._before(obj)) for obj in instances]
        for obj, _ in pending:
            obj.save()
            self.check_saved(request, obj)
        formset.save_m2m()
        for obj, before in pending:
            record(
                actor=request.user,
                action=self.audit_action(obj, "create" if before is None else "update"),
                target=obj,
                before=before,
                after=self.audit_snapshot(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(
            actor=request.user,
            action=self.audit_action(obj, "delete"),
            target=obj,
            before=self.audit_snapshot(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


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
