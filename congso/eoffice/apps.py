from django.apps import AppConfig


class Config(AppConfig):
    name = "congso.eoffice"
    label = "eoffice"
    verbose_name = "Văn bản điện tử"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congso.eoffice import signature, tasks  # noqa: F401 - registers the exchange tasks
        from congso.signing import archive, verification

        # The issued documents on the public verification page and on the archival
        # re-time-stamping (PAdES-LTA) of congso.signing.archive.
        verification.stored_documents.register("eoffice.document")(signature.stored_document)
        archive.sources.register("eoffice.document")(signature.archived_documents)
