"""Admin: versioned templates with preview and segment count, messages, failures, resend."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from congso.core.errors import DomainError
from congso.notify import services
from congso.notify.channels import channels
from congso.notify.models import DeliveryReport, Message, Preference, Template


class TemplateForm(forms.ModelForm):
    """The channel is chosen among the installed channels (the database keeps an open set);
    the channel checks the template (``Channel.check_template``) when it is published."""

    channel = forms.ChoiceField(label="kênh", choices=())

    class Meta:
        model = Template
        fields = ("event", "channel", "subject", "body", "body_html", "external_id", "params")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = channels.choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        params = data.get("params")
        if params is not None and not isinstance(params, dict):
            self.add_error("params", "Tham số là một đối tượng JSON {tên: giá trị}.")
            return data
        try:
            channels.get(str(data.get("channel", ""))).check_template(
                subject=data.get("subject") or "",
                body=data.get("body") or "",
                body_html=data.get("body_html") or "",
                external_id=data.get("external_id") or "",
                params=params or {},
            )
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        except LookupError:
            self.add_error("channel", "Không có kênh này.")
        return data


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    """Saving never changes a version: it publishes the edited text as the next one."""

    form = TemplateForm
    list_display = ("event", "channel", "version", "external_id", "created_at", "created_by")
    list_filter = ("event", "channel")
    fields = (
        "event", "channel", "subject", "body", "body_html", "external_id", "params", "preview",
    )  # fmt: skip
    readonly_fields = ("preview",)

    @admin.display(description="xem trước (dữ liệu mẫu)")
    def preview(self, obj: Template | None) -> str:
        if obj is None or not obj.pk:
            return "Lưu để xem trước."
        if obj.channel not in channels:
            return f"Kênh «{obj.channel}» không còn được cài đặt."
        try:
            out = services.template_preview(obj)
        except DomainError as exc:
            return exc.message
        return channels.get(obj.channel).preview_html(out)

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
            external_id=obj.external_id,
            params=obj.params or {},
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
    list_display = ("citizen", "chosen", "unsubscribed", "updated_at")
    raw_id_fields = ("citizen",)
    readonly_fields = ("unsubscribe_token",)

    @admin.display(description="kênh đã chọn")
    def chosen(self, obj: Preference) -> str:
        return ", ".join(
            f"{channels.label(key)}: {'có' if on else 'không'}"
            for key, on in sorted((obj.channels or {}).items())
        )
