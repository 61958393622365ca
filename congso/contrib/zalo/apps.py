from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.contrib.zalo"
    label = "zalo"
    verbose_name = "Zalo ZNS"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.contrib.zalo import plugin  # noqa: F401 - registers the channel and provider
