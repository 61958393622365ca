"""Back-office pages of the catalogue (Vietnamese): procedures with their versions, versions with
their components and processes, processes with their steps.

Procedures are written through the services (the search text follows the name). Versions and
processes are edited in place, with the services' checks run in the forms (period overlap, form
schema and its file slots, the steps' structure and their fit in the legal time limit, the
processes still fitting a changed limit), and every save, inline change and delete audited in the
admin's transaction. Only the catalogue's managers (superusers, province administrators) change
procedures and versions; a process also its agency's administrators.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from congso.audit.admin import AuditedModelAdmin
from congso.catalog import selectors, services
from congso.catalog.formschema import prefill_map, validate_schema
from congso.catalog.models import (
    ApplicantType,
    Component,
    Field,
    Level,
    Phrasing,
    Procedure,
    ProcedureVersion,
    Process,
    ProcessStep,
    SearchLog,
    StepAction,
)
from congso.catalog.processes import check_steps
from congso.catalog.specs import SUBMISSION_CHANNELS, read_procedure
from congso.core.errors import DomainError
from congso.org.permissions import CHANGE, can

CHANNEL_LABELS = {"online": "Trực tuyến", "postal": "Dịch vụ bưu chính", "direct": "Trực tiếp"}
CHANNEL_CHOICES = [(value, CHANNEL_LABELS[value]) for value in SUBMISSION_CHANNELS]


def _as_validation_error(exc: DomainError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code)


class AuditedAdmin(AuditedModelAdmin):
    """Every save (after inlines), inline change and delete audited as ``catalog.<model>.*``."""

    audit_prefix = "catalog"


class ManagedAdmin(AuditedAdmin):
    """Changes only for the catalogue's managers."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request) and selectors.can_manage_catalogue(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and selectors.can_manage_catalogue(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and selectors.can_manage_catalogue(request.user)


@admin.register(Field)
class FieldAdmin(ManagedAdmin):
    list_display = ("name", "sector_code", "code")
    search_fields = ("name", "sector_code", "code")


# --- Procedures ---------------------------------------------------------------------------------


class ProcedureForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label="Cấp thực hiện", choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )
    applicant_types = forms.MultipleChoiceField(
        label="Đối tượng thực hiện",
        choices=ApplicantType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Procedure
        fields = ("code", "national_code", "name", "field", "levels", "applicant_types", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field = data.get("field")
        if field is None or self.errors:
            return data
        national = data.get("national_code", True)
        code = data.get("code") or self.instance.code
        try:
            read_procedure(
                {
                    "code": code if national else None,
                    "local_code": None if national else code,
                    "name": data.get("name"),
                    "field": {"name": field.name, "code": field.sector_code},
                    "levels": data.get("levels"),
                    "applicant_types": data.get("applicant_types"),
                }
            )
        except DomainError as exc:
            raise _as_validation_error(exc) from None
        return data


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("version", "effective_from", "effective_to", "time_limit", "online_level")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    @admin.display(description="thời hạn giải quyết")
    def time_limit(self, obj: ProcedureVersion) -> str:
        return obj.time_limit_label


@admin.register(Procedure)
class ProcedureAdmin(ManagedAdmin):
    form = ProcedureForm
    list_display = ("code", "name", "field", "national_code", "active")
    list_filter = ("active", "national_code", "field")
    search_fields = ("code", "name")
    list_select_related = ("field",)
    readonly_fields = ("search_text", "created_at", "updated_at")
    inlines = (VersionInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "code", "national_code") if obj is not None else fields

    def get_search_results(
        self, request: HttpRequest, queryset: Any, search_term: str
    ) -> tuple[Any, bool]:
        """Search without diacritics and by code, as the public search does."""
        if not search_term.strip():
            return queryset, False
        ranked = selectors.procedure_list(query=search_term, user=request.user)
        return queryset.filter(pk__in=ranked.pks()), False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        common = {
            "name": data["name"],
            "field_name": data["field"].name,
            "field_sector_code": data["field"].sector_code,
            "levels": data["levels"],
            "applicant_types": data["applicant_types"],
            "active": data["active"],
        }
        if change:
            saved = services.procedure_update(actor=request.user, procedure=obj, **common)
        else:
            saved = services.procedure_create(
                actor=request.user,
                code=data["code"],
                national_code=data["national_code"],
                **common,
            )
        obj.pk, obj.search_text, obj.field = saved.pk, saved.search_text, saved.field

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The services already audited the procedure; the versions inline is read-only.
        admin.ModelAdmin.save_related(self, request, form, formsets, change)


# --- Versions -----------------------------------------------------------------------------------


class VersionForm(forms.ModelForm):
    submission_channels = forms.MultipleChoiceField(
        label="Cách thức nộp",
        choices=CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ProcedureVersion
        fields = (
            "procedure",
            "version",
            "effective_from",
            "effective_to",
            "competent_agency_text",
            "received_at_text",
            "submission_channels",
            "time_limit_value",
            "time_limit_unit",
            "time_limit_text",
            "time_limit_cases",
            "same_day_cutoff",
            "fees",
            "result_type",
            "result_name",
            "online_level",
            "partial_reason",
            "legal_bases",
            "form_schema",
            "source",
            "notes",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedure, start = data.get("procedure"), data.get("effective_from")
        if procedure is None or start is None or self.errors:
            return data
        end = data.get("effective_to")
        other = selectors.overlapping_version(procedure, start, end, exclude_pk=self.instance.pk)
        if other is not None:
            other_period = selectors.period_label(other.effective_from, other.effective_to)
            raise ValidationError(
                f"Thời gian hiệu lực {selectors.period_label(start, end)} trùng với phiên bản "
                f"{other.version} ({other_period})."
            )
        value, unit = data.get("time_limit_value"), data.get("time_limit_unit") or ""
        if (value is None) != (unit in ("", "instant")):
            raise ValidationError(
                "Thời hạn có số thì chọn đơn vị ngày/giờ; không có số thì để trống đơn vị "
                "(hoặc chọn giải quyết ngay)."
            )
        try:
            validate_schema(data.get("form_schema") or {})
            if self.instance.pk:
                selectors.check_processes_fit(
                    self.instance, time_limit_value=value, time_limit_unit=unit
                )
        except DomainError as exc:
            raise _as_validation_error(exc) from None
        return data


class ComponentFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        codes = [
            form.cleaned_data["code"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(codes) != len(set(codes)):
            raise ValidationError("Mã thành phần hồ sơ bị trùng.")
        try:
            validate_schema(self.instance.form_schema or {}, component_codes=codes)
        except DomainError as exc:
            raise _as_validation_error(exc) from None


class ComponentInline(admin.StackedInline):
    model = Component
    formset = ComponentFormSet
    extra = 0
    fields = (
        ("order", "code", "original_or_copy", "quantity", "mandatory"),
        "name",
        "condition",
        ("template_name", "template"),
        ("allowed_types", "max_size_bytes"),
    )


class ProcessInline(admin.TabularInline):
    model = Process
    fields = ("agency", "name", "active")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


class ComputableLimitFilter(admin.SimpleListFilter):
    """Versions for which no due instant can be computed: an error for the catalogue admin to
    fix (set the value and unit, or the cases), never a silent "no deadline" for a citizen."""

    title = "hạn giải quyết"
    parameter_name = "han"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("chua", "Chưa tính được — cần sửa"), ("co", "Tính được")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() not in ("chua", "co"):
            return queryset
        missing = [v.pk for v in queryset if not v.has_computable_limit]
        if self.value() == "chua":
            return queryset.filter(pk__in=missing)
        return queryset.exclude(pk__in=missing)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ManagedAdmin):
    form = VersionForm
    list_display = (
        "procedure",
        "version",
        "effective_from",
        "effective_to",
        "time_limit",
        "online_level",
    )
    list_filter = (
        ComputableLimitFilter,
        "online_level",
        "time_limit_unit",
        "procedure__field",
        "effective_from",
    )
    search_fields = ("procedure__code", "procedure__name")
    list_select_related = ("procedure",)
    autocomplete_fields = ("procedure",)
    readonly_fields = ("prefill", "created_at", "updated_at")
    inlines = (ComponentInline, ProcessInline)

    @admin.display(description="thời hạn giải quyết")
    def time_limit(self, obj: ProcedureVersion) -> str:
        if not obj.has_computable_limit:
            return f"⚠ Chưa tính được hạn — cần sửa ({obj.time_limit_text[:80]})"
        return obj.time_limit_label

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.prefill = prefill_map(obj.form_schema or {})
        super().save_model(request, obj, form, change)


# --- Processes ----------------------------------------------------------------------------------


class StepForm(forms.ModelForm):
    allowed_actions = forms.MultipleChoiceField(
        label="Thao tác được phép", choices=StepAction.choices, widget=forms.SelectMultiple
    )

    class Meta:
        model = ProcessStep
        fields = (
            "order",
            "name",
            "kind",
            "role",
            "department",
            "agency",
            "hours",
            "is_lead",
            "parallel_group",
            "allowed_actions",
        )


class StepFormSet(BaseInlineFormSet):
    """The steps as a whole: structure, and their fit in the legal time limit."""

    def clean(self) -> None:
        super().clean()
        process = self.instance
        if any(form.errors for form in self.forms) or None in (
            process.version_id,
            process.agency_id,
        ):
            return
        steps = [
            ProcessStep(
                **{
                    k: v
                    for k, v in form.cleaned_data.items()
                    if k not in ("DELETE", "id", "process")
                }
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for step in steps:
            owner = step.agency or process.agency
            if step.department is not None and step.department.agency_id != owner.pk:
                raise ValidationError(
                    f"Bước «{step.name}»: phòng ban {step.department} không thuộc {owner.name}."
                )
        version = process.version
        try:
            check_steps(
                steps,
                time_limit_value=version.time_limit_value,
                time_limit_unit=version.time_limit_unit,
                hours_per_day=selectors.hours_per_day(selectors.province_code_of(process.agency)),
            )
        except DomainError as exc:
            raise _as_validation_error(exc) from None


class StepInline(admin.TabularInline):
    model = ProcessStep
    form = StepForm
    formset = StepFormSet
    extra = 0
    autocomplete_fields = ("department", "agency")


@admin.register(Process)
class ProcessAdmin(AuditedAdmin):
    list_display = ("name", "version", "agency", "active")
    list_filter = ("active", "agency__level", "version__procedure__field")
    search_fields = ("name", "version__procedure__code", "version__procedure__name", "agency__name")
    list_select_related = ("version__procedure", "agency")
    autocomplete_fields = ("version", "agency")
    readonly_fields = ("created_at", "updated_at")
    inlines = (StepInline,)

    def _may_change(self, request: HttpRequest, obj: Process | None) -> bool:
        if selectors.can_manage_catalogue(request.user):
            return True
        return obj is not None and can(request.user, CHANGE, obj.agency)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and selectors.can_manage_catalogue(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._may_change(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._may_change(request, obj))


# --- The finder (issue 21): everyday phrasings and the search log ------------------------------


class PhrasingForm(forms.ModelForm):
    class Meta:
        model = Phrasing
        fields = ["phrase", "means", "codes", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        codes = data.get("codes") or []
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ValidationError('Mã thủ tục là một danh sách, ví dụ ["1.001193"].')
        try:
            data["codes"] = services.check_phrasing(
                data.get("phrase", ""), data.get("means", ""), codes
            )
        except DomainError as exc:
            raise _as_validation_error(exc) from exc
        return data


@admin.register(Phrasing)
class PhrasingAdmin(ManagedAdmin):
    """What citizens say and what the catalogue calls it; a change rebuilds every finder."""

    form = PhrasingForm
    list_display = ["phrase", "means", "codes", "active", "source", "updated_at"]
    list_filter = ["active", "source"]
    search_fields = ["phrase", "means"]


class SearchLogForm(forms.ModelForm):
    means = forms.CharField(
        label="Từ ngữ trong danh mục",
        required=False,
        help_text="Câu tìm này có nghĩa là gì trong tên thủ tục, ví dụ: đăng ký khai sinh.",
    )
    codes = forms.CharField(
        label="Mã thủ tục",
        required=False,
        help_text="Tùy chọn: các mã thủ tục người dân cần, cách nhau bởi dấu phẩy.",
    )

    class Meta:
        model = SearchLog
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        codes = [code.strip() for code in (data.get("codes") or "").split(",") if code.strip()]
        if data.get("means") or codes:
            try:
                data["codes"] = services.check_phrasing(
                    self.instance.query, data.get("means", ""), codes
                )
            except DomainError as exc:
                raise _as_validation_error(exc) from exc
        return data


class NobodyClicked(admin.SimpleListFilter):
    title = "kết quả được mở"
    parameter_name = "mo"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("khong", "Không ai mở kết quả"), ("co", "Có người mở")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "khong":
            return queryset.filter(clicks=0)
        if self.value() == "co":
            return queryset.filter(clicks__gt=0)
        return queryset


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    """Portal searches, most asked first; those nobody opened a result of are where officers
    find phrasings to approve (fill in what the search meant and save)."""

    form = SearchLogForm
    list_display = ["query", "searches", "clicks", "results", "top_code", "phrasing", "last_at"]
    list_filter = [NobodyClicked]
    search_fields = ["query", "normalised"]
    readonly_fields = ["query", "searches", "clicks", "results", "top_code", "clicked_code"]
    fields = [*readonly_fields, "means", "codes"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("phrasing")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return selectors.can_manage_catalogue(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return selectors.can_manage_catalogue(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if data.get("means") or data.get("codes"):
            services.phrasing_from_search(
                actor=request.user, log=obj, means=data.get("means", ""), codes=data["codes"]
            )
