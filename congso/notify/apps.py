from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "congso.notify"
    label = "notify"
    verbose_name = "Thông báo (SMS, thư điện tử, Zalo)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The built-in channels (SMS, e-mail) register with the channels package; the worker
        # tasks and the dossier-event handler here. Providers register from their own apps
        # (congso/contrib/kannel, smtp, zalo).
        from congso.notify import channels, handlers, tasks  # noqa: F401
