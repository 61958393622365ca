from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "congso.feedback"
    label = "feedback"
    verbose_name = "Phản ánh, kiến nghị (đường dây 1022)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.feedback import tasks  # noqa: F401  (registers the periodic sweep)
