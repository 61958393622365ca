from django.urls import path

from congso.results import workspace

app_name = "results"

urlpatterns = [
    # Officer workspace (the /can-bo/ prefix puts them behind the second factor).
    path("can-bo/ho-so/<str:code>/ket-qua/lap/", workspace.prepare, name="prepare"),
    path("can-bo/ho-so/<str:code>/ket-qua/<int:number>/ky/", workspace.sign, name="sign"),
    path(
        "can-bo/ho-so/<str:code>/ket-qua/<int:number>.pdf",
        workspace.officer_pdf,
        name="officer-pdf",
    ),
    # The applicant's account.
    path(
        "ca-nhan/ho-so/<str:code>/ket-qua/<int:number>.pdf",
        workspace.citizen_pdf,
        name="citizen-pdf",
    ),
]
