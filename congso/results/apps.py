from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "congso.results"
    label = "results"
    verbose_name = "Kết quả điện tử"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the e-result completion guard on the dossier workflow and the look-up of
        # the public verification page (congso/results/hooks.py), and the agency's seal on the
        # payments' e-receipts (congso/results/receipt_seal.py).
        # And the fully signed results on signing's archival re-time-stamping (PAdES-LTA).
        from congso.results import hooks, receipt_seal, services  # noqa: F401
        from congso.signing import archive

        archive.sources.register("results.e_result")(services.archived_results)
