from django.urls import path

from congso.signing import views, workspace

app_name = "signing"

urlpatterns = [
    path("xac-thuc/", views.verify_upload, name="verify"),
    path("xac-thuc/<str:token>/", views.verify_result, name="verify-result"),
    path("xac-thuc/<str:token>/bao-cao.xml", views.verify_result_xml, name="verify-result-xml"),
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
