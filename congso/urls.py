from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from congso.api.v1 import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("congso.core.urls")),
    path("tai-khoan/", include("congso.accounts.urls")),
    path("tai-khoan/dinh-danh/", include("congso.identity.urls")),
    path("ca-nhan/giay-to/", include("congso.docstore.urls")),
    path("", include("congso.printing.urls")),
    path("", include("congso.indicators.urls")),
    path("", include("congso.reports.urls")),
    path("", include("congso.feedback.urls")),
    path("open311/v2/", include("congso.feedback.open311_urls")),
    path("can-bo/", include("congso.backoffice.urls")),
    path("", include("congso.integration.urls")),
    path("can-bo/van-ban/", include("congso.eoffice.urls")),
    path("can-bo/luu-tru/", include("congso.records.urls")),
    path("", include("congso.payments.urls")),
    path("", include("congso.portal.urls")),
    path("", include("congso.signing.urls")),
    path("", include("congso.results.urls")),
    path("thong-bao/", include("congso.notify.urls")),
    path("quan-tri/", admin.site.urls),
]

if settings.BENCH_FLOOR:
    urlpatterns.append(path("bench-floor/", include("congso.benchfloor.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
