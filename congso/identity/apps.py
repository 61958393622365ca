from django.apps import AppConfig


class IdentityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "congso.identity"
    verbose_name = "Định danh quốc gia (VNeID, Cổng DVCQG)"
