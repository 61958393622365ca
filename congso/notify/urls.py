from django.urls import path

from congso.notify import views

app_name = "notify"

urlpatterns = [
    path("kannel/dlr/<uuid:key>/", views.kannel_dlr, name="kannel-dlr"),
    path("huy-dang-ky/<uuid:token>/", views.unsubscribe, name="unsubscribe"),
]
