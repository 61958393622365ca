from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "congso.signing"
    label = "signing"
    verbose_name = "Chữ ký số"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the e-result completion guard on the dossier workflow and provides the
        # audit log's anchoring tools.
        from congso.signing import anchoring, hooks  # noqa: F401
