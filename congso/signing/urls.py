from django.urls import path

from congso.signing import views

app_name = "signing"

# The public verification page. The e-results' officer and citizen pages are in
# congso/results/urls.py.
urlpatterns = [
    path("xac-thuc/", views.verify_upload, name="verify"),
    path("xac-thuc/<str:token>/", views.verify_result, name="verify-result"),
    path("xac-thuc/<str:token>/bao-cao.xml", views.verify_result_xml, name="verify-result-xml"),
]
