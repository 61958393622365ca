from django.urls import path

from congso.signing import views

app_name = "signing"

urlpatterns = [
    path("xac-thuc/", views.verify_upload, name="verify"),
    path("xac-thuc/<str:token>/", views.verify_result, name="verify-result"),
]
