from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.contrib.vietqr"
    label = "vietqr"
    verbose_name = "VietQR"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.contrib.vietqr import plugin  # noqa: F401 - registers the provider
