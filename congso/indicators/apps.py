from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "congso.indicators"
    label = "indicators"
    verbose_name = "Chỉ số"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the aggregates, kept in the dossier's and the e-results' transactions.
        # The dashboard's "paid online" block (payments sit below the indicators) and its
        # e-office block (documents by state, overdue, handling time).
        from congso.indicators import (
            eoffice_panel,  # noqa: F401
            hooks,  # noqa: F401
            payments_panel,  # noqa: F401
        )
