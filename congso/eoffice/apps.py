from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.eoffice"
    label = "eoffice"
    verbose_name = "Văn bản điện tử"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.eoffice import tasks  # noqa: F401 - registers the exchange tasks
