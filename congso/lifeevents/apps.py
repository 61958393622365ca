from django.apps import AppConfig


class LifeeventsConfig(AppConfig):
    name = "congso.lifeevents"
    label = "lifeevents"
    verbose_name = "Liên thông thủ tục và dịch vụ công chủ động"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The dossier-event handler that turns a registered birth or death into offers.
        # The operations dashboard's block (indicators' hook).
        from congso.lifeevents import (
            handlers,  # noqa: F401
            panels,  # noqa: F401
        )
