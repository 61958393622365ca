"""Admin: versioned templates with preview and segment count, messages, failures, resend."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html

from congso.core.errors import DomainError
from congso.notify import services
from congso.notify.models import DeliveryReport, Message, Preference, Template
from congso.notify.text import segments


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    """Saving never changes a version: it publishes the edited text as the next one."""

    list_display = ("event", "channel", "version", "created_at", "created_by")
    list_filter = ("event", "channel")
    fields = ("event", "channel", "subject", "body", "body_html", "preview")
    readonly_fields = ("preview",)

    @admin.display(description="xem trước (dữ liệu mẫu)")
    def preview(self, obj: Template | None) -> str:
        if obj is None or not obj.pk:
            return "Lưu để xem trước."
        try:
            out = services.template_preview(obj)
        except DomainError as exc:
            return exc.message
        if obj.channel == "sms":
            encoding, units, count = segments(out["body"])
            return format_html(
                "<pre>{}</pre><p>{} ký tự, mã {}, <strong>{} tin SMS</strong></p>",
                out["body"],
                units,
                encoding,
                count,
            )
        return format_html("<p><strong>{}</strong></p><pre>{}</pre>", out["subject"], out["body"])

    def save_model(
        self, request: HttpRequest, obj: Template, form: ModelForm, change: bool
    ) -> None:
        row = services.template_publish(
            actor=request.user,
            event=obj.event,
            channel=obj.channel,
            body=obj.body,
            subject=obj.subject,
            body_html=obj.body_html,
        )
        obj.pk, obj.version = row.pk, row.version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryReportInline(admin.TabularInline):
    model = DeliveryReport
    extra = 0
    can_delete = False
    readonly_fields = ("attempt", "dlr_type", "answer", "received_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FailedFilter(admin.SimpleListFilter):
    title = "lỗi"
    parameter_name = "loi"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("1", "Chỉ tin gửi thất bại / ngừng gửi"),
            ("2", "Đã gửi, không có báo cáo phát"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message]:
        if self.value() == "1":
            return queryset.filter(status__in=[Message.Status.FAILED, Message.Status.DEAD])
        if self.value() == "2":
            return queryset.filter(status=Message.Status.NO_REPORT)
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at", "dossier", "kind", "channel", "recipient", "status", "attempts",
        "segments", "duplicates", "last_error",
    )  # fmt: skip
    list_filter = (FailedFilter, "status", "channel", "kind")
    search_fields = ("recipient", "dossier__code", "key")
    readonly_fields = [f.name for f in Message._meta.fields]
    inlines = [DeliveryReportInline]
    actions = ["resend"]
    list_select_related = ("dossier",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Gửi lại các tin đã chọn (tin thất bại / ngừng gửi)")
    def resend(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.message_resend(
            actor=request.user, message_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, f"Đã đưa {count} tin trở lại hàng đợi gửi.", messages.SUCCESS)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("citizen", "sms", "email", "unsubscribed", "updated_at")
    raw_id_fields = ("citizen",)
    readonly_fields = ("unsubscribe_token",)
