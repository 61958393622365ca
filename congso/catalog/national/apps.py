from django.apps import AppConfig


class NationalCatalogueConfig(AppConfig):
    """The import of the national procedure database (CSDL quốc gia về TTHC) into the catalogue:
    import runs with their per-record checkpoints and reports, and each province's share."""

    name = "congso.catalog.national"
    label = "catalog_national"
    verbose_name = "Nhập danh mục TTHC quốc gia"

    def ready(self) -> None:
        from congso.catalog.national import tasks  # noqa: F401  (registers the worker task)
