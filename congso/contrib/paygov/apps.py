from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.contrib.paygov"
    label = "paygov"
    verbose_name = "Nền tảng thanh toán quốc gia"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.contrib.paygov import plugin  # noqa: F401 - registers the provider
