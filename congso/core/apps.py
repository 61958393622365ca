from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "congso.core"
    label = "core"
    verbose_name = "Nền tảng"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from congso.core import tasks  # noqa: F401  (registers the tasks)
        from congso.core.middleware import stamp_session_at_login

        # A sign-in saves the session anyway: stamped then, the next page views write nothing.
        user_logged_in.connect(stamp_session_at_login, dispatch_uid="congso.session_stamp")
