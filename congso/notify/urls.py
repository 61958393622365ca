"""The notify URLs (under ``/thong-bao/``): the unsubscribe link, and each provider's callbacks
at ``<url_prefix>/`` (Kannel's delivery reports at ``kannel/dlr/<key>/``, Zalo's webhook at
``zalo/webhook/``)."""

from django.urls import URLPattern, URLResolver, include, path

from congso.notify import views
from congso.notify.channels import providers

app_name = "notify"

urlpatterns: list[URLPattern | URLResolver] = [
    path("huy-dang-ky/<uuid:token>/", views.unsubscribe, name="unsubscribe"),
]
for _provider in providers:
    if _provider.url_prefix:
        urlpatterns.append(path(f"{_provider.url_prefix}/", include(_provider.urlpatterns())))
