from django.urls import path

from congso.records import views

app_name = "records"
urlpatterns = [
    path("", views.index, name="index"),
    path("danh-muc/", views.plans, name="plans"),
    path("danh-muc/<int:pk>/", views.plan, name="plan"),
    path("lap-ho-so/", views.file_into, name="file_into"),
    path("den-han/", views.disposition, name="disposition"),
    path("ho-so/<int:pk>/", views.detail, name="detail"),
    path("ho-so/<int:pk>/thao-tac/<slug:name>/", views.action, name="action"),
    path("ho-so/<int:pk>/tep/<int:file_id>/", views.file, name="file"),
    path("ho-so/<int:pk>/goi-nop-luu/", views.bag_download, name="bag"),
]
