from django.urls import path

from congso.reports import views

app_name = "reports"
urlpatterns = [
    path("can-bo/bao-cao/", views.report_list, name="list"),
    path("can-bo/bao-cao/<int:pk>/", views.job_detail, name="job"),
    path("can-bo/bao-cao/<int:pk>/tai-ve/", views.download, name="download"),
]
