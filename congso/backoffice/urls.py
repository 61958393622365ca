from django.urls import path

from congso.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("hang-doi/<slug:slug>/", views.queue, name="queue"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:name>/", views.action, name="action"),
    path("ho-so/<str:code>/tep/<int:attachment_id>/", views.attachment, name="attachment"),
]
