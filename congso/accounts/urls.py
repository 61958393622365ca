from django.urls import path

from congso.accounts import views

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
]
