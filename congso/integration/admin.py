"""The integration pages of the admin: the sync outbox (with "sync again"), the LGSP request
log, the status mapping table, the nightly reconciliations and their differences, webhook
subscriptions and the delivery log (with "resend"), the transfers between systems and their
messages (sent, and received: applied, duplicate, refused — kept for inspection)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from congso.core.errors import DomainError
from congso.integration import mapping, sync, webhooks
from congso.integration.models import (
    Delivery,
    InboundMessage,
    LgspCall,
    ProcedureMapping,
    ReconciliationDifference,
    ReconciliationRun,
    StatusMapping,
    Subscription,
    SyncItem,
    Transfer,
    TransferMessage,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SyncItem)
class SyncItemAdmin(ReadOnly):
    list_display = (
        "dossier_code",
        "seq",
        "action",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("state", "action", "province")
    search_fields = ("dossier_code", "last_error")
    readonly_fields = [f.name for f in SyncItem._meta.fields]
    actions = ["sync_again"]

    @admin.action(description="Đồng bộ lại các mục đã chọn (gửi lỗi / không đồng bộ được)")
    def sync_again(self, request: HttpRequest, queryset: QuerySet[SyncItem]) -> None:
        count = sync.sync_again(actor=request.user, items=list(queryset))
        self.message_user(request, f"Đã đưa {count} mục trở lại hàng đợi.", messages.SUCCESS)


@admin.register(LgspCall)
class LgspCallAdmin(ReadOnly):
    list_display = (
        "started_at",
        "service",
        "subject",
        "outcome",
        "http_status",
        "error_code",
        "duration_ms",
        "message_id",
    )
    list_filter = ("outcome", "service", "province")
    search_fields = ("subject", "message_id", "detail")
    readonly_fields = [f.name for f in LgspCall._meta.fields]


@admin.register(StatusMapping)
class StatusMappingAdmin(admin.ModelAdmin):
    list_display = ("local_status", "national_code", "effective_from", "legal_basis")
    list_filter = ("local_status",)


class DifferenceInline(admin.TabularInline):
    model = ReconciliationDifference
    extra = 0
    can_delete = False
    readonly_fields = ("dossier_code", "field", "local_value", "portal_value")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnly):
    list_display = (
        "day",
        "dossiers",
        "differences",
        "changes",
        "percent_within_5_min",
        "finished_at",
        "error",
    )
    readonly_fields = [f.name for f in ReconciliationRun._meta.fields]
    inlines = [DifferenceInline]

    @admin.display(description="% đồng bộ trong 5 phút")
    def percent_within_5_min(self, run: ReconciliationRun) -> str:
        value = run.percent_within_5_min
        return "–" if value is None else f"{value} %"


@admin.register(ProcedureMapping)
class ProcedureMappingAdmin(admin.ModelAdmin):
    list_display = (
        "procedure",
        "national_code",
        "national_name",
        "similarity",
        "confirmed_by",
        "confirmed_at",
    )
    list_filter = ("confirmed_at",)
    readonly_fields = ("similarity", "suggested_at", "confirmed_by", "confirmed_at")
    actions = ["confirm", "suggest_all"]

    @admin.action(description="Xác nhận các ánh xạ đã chọn")
    def confirm(self, request: HttpRequest, queryset: QuerySet[ProcedureMapping]) -> None:
        for row in queryset:
            mapping.confirm(actor=request.user, mapping=row)
        self.message_user(request, "Đã xác nhận.", messages.SUCCESS)

    @admin.action(description="Gợi ý lại mã quốc gia theo tên (mọi thủ tục chưa xác nhận)")
    def suggest_all(self, request: HttpRequest, queryset: QuerySet[ProcedureMapping]) -> None:
        count = len(mapping.suggest())
        self.message_user(request, f"Đã gợi ý {count} ánh xạ.", messages.SUCCESS)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "callback_url", "active", "suspended_at", "dead_in_a_row")
    list_filter = ("active",)
    readonly_fields = ("secret", "suspended_at", "suspended_reason", "dead_in_a_row", "created_at")
    actions = ["reactivate"]

    @admin.action(description="Kích hoạt lại các đăng ký đã chọn")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset:
            webhooks.reactivate(actor=request.user, subscription_id=subscription.pk)
        self.message_user(request, "Đã kích hoạt lại.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = (
        "event_id",
        "event_type",
        "subject",
        "subscription",
        "state",
        "attempts",
        "last_status",
        "delivered_at",
    )
    list_filter = ("state", "event_type")
    search_fields = ("event_id", "subject")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["resend"]

    @admin.action(description="Gửi lại các sự kiện đã chọn")
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = 0
        for delivery in queryset:
            try:
                webhooks.resend(actor=request.user, delivery_id=delivery.pk)
            except DomainError:
                continue
            count += 1
        self.message_user(request, f"Đã đưa {count} sự kiện vào hàng gửi lại.", messages.SUCCESS)


@admin.register(Transfer)
class TransferAdmin(ReadOnly):
    list_display = (
        "origin_code",
        "direction",
        "partner_name",
        "agency_name",
        "state",
        "remote_code",
        "created_at",
        "updated_at",
    )
    list_filter = ("direction", "state", "partner_unit")
    search_fields = ("origin_code", "remote_code", "transfer_id")
    readonly_fields = [f.name for f in Transfer._meta.fields]


@admin.register(TransferMessage)
class TransferMessageAdmin(ReadOnly):
    list_display = ("transfer", "kind", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in TransferMessage._meta.fields]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnly):
    list_display = ("received_at", "transfer_id", "kind", "sender", "state", "error_code")
    list_filter = ("state", "kind", "error_code")
    search_fields = ("transfer_id", "platform_id", "error")
    readonly_fields = [f.name for f in InboundMessage._meta.fields]
