from django.urls import path

from congso.backoffice import counter, desk, proactive, store, verify, views

app_name = "backoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("hang-doi/<slug:slug>/", views.queue, name="queue"),
    path("tiep-nhan-truc-tiep/", counter.counter, name="counter"),
    path("tiep-nhan-truc-tiep/<str:code>/", counter.counter_done, name="counter_done"),
    path("giam-sat/", desk.supervisor, name="supervisor"),
    path("giam-sat/giao-lai/<int:step_id>/", desk.reassign, name="reassign"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:name>/", views.action, name="action"),
    path("ho-so/<str:code>/tep/<int:attachment_id>/", views.attachment, name="attachment"),
    path("ho-so/<str:code>/so-hoa/<int:component_id>/", store.digitise, name="digitise"),
    path("xac-minh-cong-dan/", verify.verify, name="verify"),
    path("dich-vu-chu-dong/", proactive.proactive, name="proactive"),
    path("dich-vu-chu-dong/<int:offer_id>/", proactive.review, name="proactive_review"),
]
