from django.apps import AppConfig


class BenchFloorConfig(AppConfig):
    name = "congso.benchfloor"
    label = "benchfloor"
    verbose_name = "Đo hiệu năng (mức sàn)"
