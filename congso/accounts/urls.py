from django.contrib.auth import views as auth_views
from django.urls import path

from congso.accounts import account_views, views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("xac-thuc-hai-lop/", views.second_factor_view, name="second_factor"),
    path(
        "xac-thuc-hai-lop/dang-ky/",
        views.second_factor_enroll_view,
        name="second_factor_enroll",
    ),
    path("doi-mat-khau/", account_views.password_change_view, name="password_change"),
    path("quen-mat-khau/", account_views.password_reset_view, name="password_reset"),
    path(
        "quen-mat-khau/da-gui/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("quen-mat-khau/ma-sms/", account_views.password_reset_sms_view, name="password_reset_sms"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("ma-truy-cap/", account_views.tokens_view, name="tokens"),
    path(
        "ma-truy-cap/<int:token_id>/thu-hoi/", account_views.token_revoke_view, name="token_revoke"
    ),
]
