from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.contrib.docaxis"
    label = "docaxis"
    verbose_name = "Trục liên thông văn bản"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.contrib.docaxis import plugin  # noqa: F401 - registers the back-end
