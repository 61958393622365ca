from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "congso.audit"
    label = "audit"
    verbose_name = "Nhật ký kiểm toán"

    def ready(self) -> None:
        from congso.audit import tasks  # noqa: F401  (registers the daily anchor)
        from congso.audit.services import record
        from congso.core import hooks

        hooks.audit_recorders.register("audit.record")(record)
