from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from congso.core import worker
from congso.core.models import Job, WorkerHeartbeat


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "status", "attempts", "run_after", "created_at", "finished_at")
    list_filter = ("status", "name")
    search_fields = ("name", "last_error")
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Chạy lại ngay các việc đã chọn")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        count = worker.requeue(
            actor=request.user, job_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, f"Đã đưa {count} việc trở lại hàng đợi.", messages.SUCCESS)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "backend", "last_seen")
    readonly_fields = ("name", "backend", "last_seen")
