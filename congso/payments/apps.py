from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.payments"
    label = "payments"
    verbose_name = "Thanh toán trực tuyến"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.payments import hooks, tasks  # noqa: F401 - the fee hooks, the expiry task
