from django.urls import path

from congso.eoffice import pages, views

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
