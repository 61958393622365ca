from django.urls import path

from congso.payments import views

app_name = "payments"

urlpatterns = [
    path("ca-nhan/ho-so/<str:code>/thanh-toan/", views.pay, name="pay"),
    path("thanh-toan/giao-dich/<str:reference>/", views.status, name="status"),
    path("thanh-toan/giao-dich/<str:reference>/qr.png", views.qr_image, name="qr"),
    path("thanh-toan/giao-dich/<str:reference>/bien-lai.pdf", views.receipt_file, name="receipt"),
    path("thanh-toan/<str:provider>/tra-ve/", views.gateway_return, name="return"),
    path("thanh-toan/<str:provider>/ipn/", views.notify, name="notify"),
    path("bien-lai/<str:lookup>/", views.receipt_verify, name="verify"),
    path("can-bo/doi-soat/", views.mismatches, name="mismatches"),
    path("can-bo/ho-so/<str:code>/thu-phi/", views.officer_fees, name="officer"),
    path("can-bo/thu-phi/", views.revenue_report, name="revenue"),
]
