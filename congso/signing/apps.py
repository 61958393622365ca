from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "congso.signing"
    label = "signing"
    verbose_name = "Chữ ký số"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Provides the audit log's anchoring tools.
        from congso.signing import anchoring  # noqa: F401
