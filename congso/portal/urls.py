from django.urls import path

from congso.notify import views as notify_views
from congso.portal import citizen, groups, units, views

app_name = "portal"
urlpatterns = [
    path("tra-cuu", views.lookup, name="lookup"),
    path("thu-tuc/", citizen.search, name="search"),
    path("su-kien/<slug:slug>/", citizen.life_event_page, name="life_event"),
    path("thu-tuc/don-vi-hanh-chinh/", units.commune_options, name="units"),
    path("thu-tuc/<str:code>/", citizen.procedure_page, name="procedure"),
    path("thu-tuc/<str:code>/mau/<slug:component>/", citizen.form_template, name="template"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", citizen.apply, name="apply"),
    path(
        "thu-tuc/<str:code>/nop-truc-tuyen/buoc-<int:step>/",
        citizen.apply_step,
        name="apply_step",
    ),
    path("dang-ky/", citizen.register, name="register"),
    path("ca-nhan/", citizen.profile, name="profile"),
    path("ca-nhan/thong-bao/", notify_views.preferences, name="notify-preferences"),
    path("ca-nhan/ho-so/", citizen.my_dossiers, name="my_dossiers"),
    path("ca-nhan/ho-so/<str:code>/", citizen.my_dossier, name="my_dossier"),
    path("ca-nhan/ho-so/<str:code>/da-nop/", citizen.submitted, name="submitted"),
    path("ca-nhan/ho-so/<str:code>/bo-sung/", citizen.supplement, name="supplement"),
    path("ca-nhan/ho-so/<str:code>/danh-gia/", citizen.rate, name="rate"),
    path(
        "ca-nhan/ho-so/<str:code>/tep/<int:attachment_id>/",
        citizen.attachment,
        name="attachment",
    ),
    # Procedure groups and proactive offers (issue 21).
    path("lien-thong/<slug:code>/", groups.group_page, name="group"),
    path("lien-thong/<slug:code>/nop/", groups.group_apply, name="group_apply"),
    path("lien-thong/<slug:code>/nop/buoc-<int:step>/", groups.group_step, name="group_step"),
    path("ca-nhan/lien-thong/<str:code>/", groups.group_application, name="group_application"),
    path("ca-nhan/loi-moi/<int:offer_id>/", groups.offer_page, name="offer"),
]
