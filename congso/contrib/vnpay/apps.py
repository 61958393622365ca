from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.contrib.vnpay"
    label = "vnpay"
    verbose_name = "VNPay"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.contrib.vnpay import plugin  # noqa: F401 - registers the provider
