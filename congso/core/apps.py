from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "congso.core"
    label = "core"
    verbose_name = "Nền tảng"

    def ready(self) -> None:
        from congso.core import tasks  # noqa: F401  (registers the tasks)
