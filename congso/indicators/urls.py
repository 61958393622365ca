from django.urls import path

from congso.indicators import views

app_name = "indicators"
urlpatterns = [
    path("can-bo/chi-so/", views.dashboard, name="dashboard"),
    path("can-bo/chi-so/bo-chi-so-766/", views.index_page, name="index"),
    path("can-bo/chi-so/bo-chi-so-766/doi-chieu.xlsx", views.compare, name="compare"),
    path("can-bo/chi-so/ho-so/<slug:key>/", views.drilldown, name="drilldown"),
    path("thong-ke/", views.public, name="public"),
]
