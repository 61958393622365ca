from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "congso.reports"
    label = "reports"
    verbose_name = "Báo cáo định kỳ"

    def ready(self) -> None:
        from congso.reports import tasks  # noqa: F401  (registers the tasks)
