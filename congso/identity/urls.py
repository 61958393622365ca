from django.urls import path

from congso.identity import views

app_name = "identity"
urlpatterns = [
    path("<slug:provider>/bat-dau/", views.start, name="start"),
    path("<slug:provider>/callback/", views.callback, name="callback"),
    path(
        "<slug:provider>/backchannel-logout/",
        views.backchannel_logout,
        name="backchannel_logout",
    ),
    path("lien-ket/", views.merge, name="merge"),
    path("dang-xuat/", views.logout, name="logout"),
    path("ai-da-tra-cuu/", views.lookups, name="lookups"),
]
