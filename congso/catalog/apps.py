from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "congso.catalog"
    label = "catalog"
    verbose_name = "Thủ tục hành chính"
