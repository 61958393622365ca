from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.contrib.smtp"
    label = "smtp"
    verbose_name = "Thư điện tử qua SMTP"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.contrib.smtp import plugin  # noqa: F401 - registers the provider
