from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.payments"
    label = "payments"
    verbose_name = "Thanh toán trực tuyến"
    default_auto_field = "django.db.models.BigAutoField"
