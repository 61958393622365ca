from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "congso.records"
    label = "records"
    verbose_name = "Lập hồ sơ và lưu trữ điện tử"
    default_auto_field = "django.db.models.BigAutoField"
