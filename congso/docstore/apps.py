from django.apps import AppConfig


class DocstoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "congso.docstore"
    verbose_name = "Giấy tờ của tôi (kho dữ liệu điện tử của công dân)"

    def ready(self) -> None:
        from congso.docstore import hooks  # noqa: F401 (registers on results' and indicators')
