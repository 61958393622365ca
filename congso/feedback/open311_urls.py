"""Open311 GeoReport v2 under /open311/v2/ (congso/feedback/open311.py)."""

from django.urls import re_path

from congso.feedback import open311

app_name = "open311"
FMT = r"\.(?P<fmt>[a-z]+)$"
urlpatterns = [
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[a-z0-9-]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<code>[A-Za-z0-9-]+)" + FMT, open311.request_detail, name="request"),
]
