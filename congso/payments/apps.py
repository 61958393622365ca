from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.payments"
    label = "payments"
    verbose_name = "Thanh toán trực tuyến"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.payments import tasks  # noqa: F401 - registers the periodic expiry
