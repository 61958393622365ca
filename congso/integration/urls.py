from django.urls import path

from congso.integration import views

app_name = "integration"
urlpatterns = [
    path("can-bo/dong-bo/", views.sync_page, name="sync"),
    path("can-bo/dong-bo/ho-so/<str:code>/dong-bo-lai/", views.sync_again, name="sync_again"),
    path("can-bo/dong-bo/anh-xa/<int:mapping_id>/xac-nhan/", views.confirm_mapping, name="confirm"),
    path("can-bo/lien-thong/<str:code>/", views.transfer, name="transfer"),
    path(
        "can-bo/lien-thong/<str:code>/ket-qua/<uuid:transfer_id>/",
        views.transfer_result,
        name="transfer_result",
    ),
]
