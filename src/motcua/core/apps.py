from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "motcua.core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from motcua.core.middleware import staff_session_start

        # Whichever way a person signs in (the login page, a second factor, the test
        # client), a staff session's day starts then. Session bookkeeping, not domain logic.
        user_logged_in.connect(staff_session_start, dispatch_uid="motcua.staff_session_start")

    verbose_name = "Lõi hệ thống"


class MotcuaAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``core.admin_site.MotcuaAdminSite`` as its site
    (named in INSTALLED_APPS; not this module's default config)."""

    default = False
    default_site = "motcua.core.admin_site.MotcuaAdminSite"
