from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.contrib.kannel"
    label = "kannel"
    verbose_name = "SMS qua Kannel"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.contrib.kannel import plugin  # noqa: F401 - registers the provider
