from typing import Any

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
        self._watch_configuration()

    def _watch_configuration(self) -> None:
        """``core.config_cache``: its triggers after every ``migrate``; a request that saves
        or deletes a watched model reads the stamp again."""
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from motcua.core.config_cache import WATCHES, config_changed

        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="motcua.config_triggers")
        for label in [label for watch in WATCHES if watch.signals for label in watch.models]:
            model = apps.get_model(label)
            uid = f"motcua.config_changed.{label}"
            post_save.connect(config_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(config_changed, sender=model, dispatch_uid=uid)
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(config_changed, sender=through, dispatch_uid=uid)

    verbose_name = "Lõi hệ thống"


def _install_triggers(using: str = "default", **_kwargs: Any) -> None:
    from django.apps import apps
    from django.db import connections, router

    from motcua.core.config_cache import config_triggers_install

    # Not on a database that is not migrated (a replica gets the triggers by streaming).
    if router.allow_migrate_model(using, apps.get_model("core.ConfigStamp")):
        config_triggers_install(connections[using])


class MotcuaAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``core.admin_site.MotcuaAdminSite`` as its site
    (named in INSTALLED_APPS; not this module's default config)."""

    default = False
    default_site = "motcua.core.admin_site.MotcuaAdminSite"
