from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "congso.printing"
    label = "printing"
    verbose_name = "In biểu mẫu một cửa"
