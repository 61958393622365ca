from django.urls import path

from congso.eoffice import pages, views, views_work

app_name = "eoffice"
urlpatterns = [
    path("", views.work, name="work"),
    path("danh-sach/<slug:kind>/", views.documents, name="list"),
    path("soan/", views.draft_new, name="draft_new"),
    path("so-van-ban/", views.register, name="register"),
    path("nhap-van-ban-den/", pages.incoming_new, name="incoming_new"),
    path("<int:pk>/cap-nhat/", pages.document_update, name="update"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:name>/", views.action, name="action"),
    path("<int:pk>/tep/<int:file_id>/", views.file, name="file"),
]

# The handling work (congso/eoffice/views_work.py).
urlpatterns += [
    path("qua-han-sap-den-han/", views_work.deadlines, name="deadlines"),
    path("<int:pk>/giao-viec/", views_work.subassign, name="subassign"),
    path(
        "<int:pk>/giao-viec/<int:sub_id>/bao-cao/",
        views_work.subassign_report,
        name="subassign_report",
    ),
    path("soan-tu-ho-so/<str:code>/", views_work.dossier_draft, name="dossier_draft"),
]
