"""The administration in Vietnamese: site titles, the admin login through the sign-in throttle,
and users with their sign-in delays and second-factor state."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.accounts import services
from congso.accounts.forms import AdminLoginForm
from congso.accounts.models import Throttle, User
from congso.audit.services import snapshot

admin.site.site_header = "Quản trị Công Sở"
admin.site.site_title = "Quản trị Công Sở"
admin.site.index_title = "Trang quản trị hệ thống"
admin.site.site_url = "/"
admin.site.login_form = AdminLoginForm

USER_AUDIT_FIELDS = [
    "username",
    "full_name",
    "email",
    "phone",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
]


def _user_snapshot(user: User) -> dict[str, Any]:
    return snapshot(user, USER_AUDIT_FIELDS)


def _delayed(now: Any) -> Exists:
    return Exists(Throttle.objects.filter(user=OuterRef("pk"), blocked_until__gt=now))


class DelayedFilter(admin.SimpleListFilter):
    title = "đăng nhập phải chờ"
    parameter_name = "cho"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("co", "Đang phải chờ"), ("khong", "Không phải chờ")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "co":
            return queryset.filter(_delayed(now))
        if self.value() == "khong":
            return queryset.exclude(_delayed(now))
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "full_name",
        "email",
        "is_staff",
        "is_active",
        "delay_state",
        "has_second_factor",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", DelayedFilter)
    search_fields = ("username", "full_name", "email", "phone")
    ordering = ("username",)
    readonly_fields = ("delay_state", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cá nhân", {"fields": ("full_name", "email", "phone")}),
        (
            "Quyền",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Đăng nhập", {"fields": ("delay_state", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    actions = ["unlock_accounts", "reset_second_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(_has_device=Exists(confirmed))

    @admin.display(description="đăng nhập phải chờ đến")
    def delay_state(self, obj: User) -> str:
        until = services.delayed_until(obj) if obj.pk else None
        if until is not None:
            return timezone.localtime(until).strftime("%H:%M:%S %d/%m/%Y")
        return "—"

    @admin.display(description="xác thực hai lớp", boolean=True)
    def has_second_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "_has_device", False))

    @admin.action(description="Bỏ thời gian chờ đăng nhập của các tài khoản đã chọn")
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User)
        count = sum(services.account_unlock(actor=request.user, user=u) for u in queryset)
        self.message_user(
            request, f"Đã bỏ thời gian chờ đăng nhập của {count} tài khoản.", messages.SUCCESS
        )

    @admin.action(description="Xóa thiết bị xác thực hai lớp (người dùng đăng ký lại)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User)
        count = sum(1 for u in queryset if services.second_factor_reset(actor=request.user, user=u))
        self.message_user(
            request,
            f"Đã xóa xác thực hai lớp của {count} tài khoản; họ sẽ đăng ký lại khi đăng nhập.",
            messages.SUCCESS,
        )

    # Every change made here is audited in the admin's own transaction.
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = _user_snapshot(User.objects.get(pk=obj.pk)) if change else None
        form.audit_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        assert isinstance(request.user, User)
        services.user_record_admin_save(
            actor=request.user,
            user=form.instance,
            before=getattr(form, "audit_before", None),
            after=_user_snapshot(form.instance),
            created=not change,
        )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        assert isinstance(request.user, User)
        services.user_delete(actor=request.user, user=obj, before=_user_snapshot(obj))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User)
        for user in queryset:
            services.user_delete(actor=request.user, user=user, before=_user_snapshot(user))

    def user_change_password(
        self,
        request: HttpRequest,
        id: str,
        form_url: str = "",
    ) -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                assert isinstance(request.user, User)
                services.user_record_password_set(actor=request.user, user=User.objects.get(pk=id))
        return response
