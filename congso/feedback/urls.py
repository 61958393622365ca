from django.urls import path

from congso.feedback import views

app_name = "feedback"
urlpatterns = [
    path("phan-anh/", views.public_list, name="public_list"),
    path("phan-anh/gui/", views.report_new, name="new"),
    path("phan-anh/thong-ke/", views.statistics, name="statistics"),
    path("phan-anh/theo-doi/<str:code>/", views.report_follow, name="follow"),
    path("phan-anh/cong-khai/<str:code>/", views.public_detail, name="public_detail"),
    path("can-bo/phan-anh/", views.officer_queue, name="officer_queue"),
    path("can-bo/phan-anh/tong-dai/", views.hotline, name="hotline"),
    path("can-bo/phan-anh/<str:code>/", views.officer_detail, name="officer_detail"),
    path(
        "can-bo/phan-anh/<str:code>/thao-tac/<slug:name>/",
        views.officer_action,
        name="officer_action",
    ),
    path("can-bo/phan-anh/<str:code>/tep/<int:file_id>/", views.officer_file, name="officer_file"),
]
