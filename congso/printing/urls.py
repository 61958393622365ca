from django.urls import path, re_path

from congso.printing import views

app_name = "printing"
urlpatterns = [
    re_path(
        r"^can-bo/ho-so/(?P<code>[^/]+)/mau-(?P<number>0[1-6])\.pdf$",
        views.dossier_form,
        name="form",
    ),
    path("can-bo/so-theo-doi.pdf", views.tracking_book, name="tracking_book"),
    path("ho-so/<str:code>/phieu-tiep-nhan.pdf", views.applicant_receipt, name="receipt"),
]
