from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "congso.notify"
    label = "notify"
    verbose_name = "Thông báo (SMS, thư điện tử)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the channels, the worker tasks and the dossier-event handler.
        from congso.notify import handlers, tasks  # noqa: F401
        from congso.notify.contrib.kannel import plugin as kannel  # noqa: F401
        from congso.notify.contrib.smtp import plugin as smtp  # noqa: F401
