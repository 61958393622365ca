"""The officer workspace under /can-bo/: work queues, the dossier page and its actions."""

from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "congso.backoffice"
    label = "backoffice"
    verbose_name = "Không gian làm việc của cán bộ"
