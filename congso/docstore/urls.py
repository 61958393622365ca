from django.urls import path

from congso.docstore import views

app_name = "docstore"
urlpatterns = [
    path("", views.my_documents, name="mine"),
    path("<int:document_id>/dong-y/", views.consent, name="consent"),
    path("<int:document_id>/tep/", views.document_file, name="file"),
]
