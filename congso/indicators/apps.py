from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "congso.indicators"
    label = "indicators"
    verbose_name = "Chỉ số"
    default_auto_field = "django.db.models.BigAutoField"
