"""Back-office pages of the national import (Vietnamese): each province's share, with the action
that imports it as a background job and its progress page; the runs and their report; the
procedures the import owns; the outcome per record (flags, diffs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache

from congso.catalog.national import importer, services
from congso.catalog.national.models import (
    ImportedProcedure,
    ImportItem,
    ImportRun,
    Outcome,
    ProvinceShare,
    RunStatus,
)
from congso.catalog.selectors import can_manage_catalogue
from congso.core.errors import DomainError

#: Items listed on a run's page (the full list is in «Kết quả nhập từng thủ tục»).
FLAGGED_ON_PAGE = 100


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",")]


class ShareForm(forms.ModelForm):
    """Lists edited as comma-separated text."""

    central_ministries = forms.CharField(
        label="Bộ, ngành có thủ tục cấp trung ương tỉnh tiếp nhận",
        required=False,
        help_text="Mã bộ, ngành cách nhau bởi dấu phẩy, ví dụ: BCA, BTP.",
    )
    central_codes = forms.CharField(
        label="Thủ tục cấp trung ương tỉnh tiếp nhận (mã)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    local_codes = forms.CharField(
        label="Thủ tục do tỉnh công bố được áp dụng (mã)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    excluded_codes = forms.CharField(
        label="Thủ tục cấp tỉnh, cấp xã không áp dụng (mã)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = ProvinceShare
        fields = (
            "province_code",
            "central_ministries",
            "central_codes",
            "local_codes",
            "excluded_codes",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("central_ministries", "central_codes", "local_codes", "excluded_codes"):
            self.initial[name] = ", ".join(getattr(self.instance, name) or [])


@admin.register(ProvinceShare)
class ProvinceShareAdmin(admin.ModelAdmin):
    form = ShareForm
    list_display = ("province_code", "ministries", "updated_at", "import_link")
    actions = ("import_share",)

    @admin.display(description="bộ, ngành tiếp nhận")
    def ministries(self, obj: ProvinceShare) -> str:
        return ", ".join(obj.central_ministries or []) or "—"

    @admin.display(description="lần nhập gần nhất")
    def import_link(self, obj: ProvinceShare) -> str:
        run = ImportRun.objects.filter(params__province=obj.province_code).first()
        if run is None:
            return "—"
        url = reverse("admin:catalog_national_importrun_progress", args=[run.pk])
        return format_html('<a href="{}">#{} – {}</a>', url, run.pk, run.get_status_display())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_catalogue(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_catalogue(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_catalogue(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_catalogue(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.share_set(
            actor=request.user,
            province_code=data["province_code"],
            central_ministries=_codes(data["central_ministries"]),
            central_codes=_codes(data["central_codes"]),
            local_codes=_codes(data["local_codes"]),
            excluded_codes=_codes(data["excluded_codes"]),
        )
        obj.pk = saved.pk

    @admin.action(description="Nhập phần danh mục quốc gia của tỉnh (chạy nền)")
    def import_share(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        shares = list(queryset[:2])
        if len(shares) != 1:
            self.message_user(request, "Chọn đúng một tỉnh.", level=messages.ERROR)
            return None
        options = importer.options_for(
            settings.CATALOG_NATIONAL_DATA,
            province=shares[0].province_code,
            label="CSDL quốc gia về TTHC",
        )
        try:
            run = services.run_request(actor=request.user, options=options)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return None
        return HttpResponseRedirect(
            reverse("admin:catalog_national_importrun_progress", args=[run.pk])
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_catalogue(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_catalogue(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "status",
        "province",
        "progress_label",
        "created_at",
        "finished_at",
        "page",
    )
    list_filter = ("status",)
    actions = ("resume",)
    readonly_fields = (
        "status",
        "params",
        "total",
        "done",
        "progress",
        "report",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )

    @admin.display(description="tỉnh")
    def province(self, obj: ImportRun) -> str:
        return obj.params.get("province") or "toàn quốc"

    @admin.display(description="tiến độ")
    def progress_label(self, obj: ImportRun) -> str:
        return f"{obj.done}/{obj.total} ({obj.progress} %)"

    @admin.display(description="theo dõi")
    def page(self, obj: ImportRun) -> str:
        url = reverse("admin:catalog_national_importrun_progress", args=[obj.pk])
        return format_html('<a href="{}">Tiến độ, báo cáo</a>', url)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The resume action needs it; the form itself is read-only.
        return can_manage_catalogue(request.user)

    @admin.action(description="Tiếp tục lần nhập đang dở (chạy nền)")
    def resume(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        runs = list(queryset.exclude(status=RunStatus.DONE)[:2])
        if len(runs) != 1:
            self.message_user(request, "Chọn đúng một lần nhập chưa xong.", level=messages.ERROR)
            return None
        try:
            services.run_resume(actor=request.user, run=runs[0])
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return None
        return HttpResponseRedirect(
            reverse("admin:catalog_national_importrun_progress", args=[runs[0].pk])
        )

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(never_cache(self.progress_view))
        return [
            path("<int:pk>/tien-do/", view, name="catalog_national_importrun_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can_manage_catalogue(request.user):
            raise DjangoPermissionDenied
        run = get_object_or_404(ImportRun, pk=pk)
        running = run.status in (RunStatus.PENDING, RunStatus.RUNNING)
        flagged = (
            run.items.exclude(flags=[])
            .filter(outcome__in=(Outcome.CREATED, Outcome.UPDATED))
            .order_by("code")[:FLAGGED_ON_PAGE]
            if not running
            else []
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Nhập danh mục TTHC quốc gia – lần #{run.pk}",
            "run": run,
            "running": running,
            "tables": importer.report_tables(run.report) if run.report else None,
            "flagged": [(item, importer.level_label(item.level)) for item in flagged],
            "changed": run.items.filter(outcome__in=(Outcome.UPDATED, Outcome.LOCAL_EDIT)).order_by(
                "code"
            )[:FLAGGED_ON_PAGE]
            if not running
            else [],
            "items_url": reverse("admin:catalog_national_importitem_changelist")
            + f"?run__id__exact={run.pk}",
            "opts": self.model._meta,
        }
        template = (
            "catalog_national/includes/progress.html"
            if request.headers.get("HX-Request")
            else "catalog_national/progress.html"
        )
        return TemplateResponse(request, template, context)


class FlaggedFilter(admin.SimpleListFilter):
    title = "cần cán bộ xem"
    parameter_name = "co"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("co", "Có mục cần xem"), ("khong", "Không")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "co":
            return queryset.exclude(flags=[])
        if self.value() == "khong":
            return queryset.filter(flags=[])
        return queryset


@admin.register(ImportItem)
class ImportItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "outcome", "level", "field_name", "flag_list", "message")
    list_filter = ("outcome", FlaggedFilter, "level", "run")
    search_fields = ("code", "field_name")
    readonly_fields = (
        "run",
        "code",
        "outcome",
        "level",
        "field_name",
        "status",
        "flags",
        "diff",
        "message",
    )

    @admin.display(description="cần xem")
    def flag_list(self, obj: ImportItem) -> str:
        return "; ".join(flag.get("message", "") for flag in obj.flags or [])[:300]


@admin.register(ImportedProcedure)
class ImportedProcedureAdmin(ReadOnlyAdmin):
    list_display = ("code", "procedure_link", "status", "origin", "flag_count", "updated_at")
    list_filter = ("status", "origin", FlaggedFilter)
    search_fields = ("code", "procedure__name")
    list_select_related = ("procedure", "version")
    readonly_fields = (
        "code",
        "procedure",
        "version",
        "digest",
        "written",
        "origin",
        "status",
        "flags",
        "first_run",
        "last_run",
        "updated_at",
    )

    @admin.display(description="thủ tục")
    def procedure_link(self, obj: ImportedProcedure) -> str:
        if obj.version_id is None:
            return obj.procedure.name[:100]
        url = reverse("admin:catalog_procedureversion_change", args=[obj.version_id])
        return format_html('<a href="{}">{}</a>', url, obj.procedure.name[:100])

    @admin.display(description="số mục cần xem")
    def flag_count(self, obj: ImportedProcedure) -> int:
        return len(obj.flags or [])
