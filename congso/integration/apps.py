from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "congso.integration"
    label = "integration"
    verbose_name = "Liên thông, đồng bộ"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sync outbox is fed in the dossier's transaction (dossiers' on_change hook); the
        # webhooks are fed from the dossiers' event outbox; the tasks register with the worker.
        from congso.integration import hooks, tasks  # noqa: F401
