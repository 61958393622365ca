from django.urls import path

from congso.benchfloor import views

app_name = "benchfloor"
urlpatterns = [
    path("insert", views.insert, name="insert"),
    path("read/<int:pk>", views.read, name="read"),
]
