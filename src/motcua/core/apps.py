from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from motcua.core.middleware import staff_session_start

        # Whichever way a person signs in (the login page, a second factor, the test
        # client), a staff session's day starts then. Session bookkeeping, not domain logic.
        user_logged_in.connect(staff_session_start, dispatch_uid="motcua.staff_session_start")
